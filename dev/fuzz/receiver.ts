import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { signedHeaders } from '../../alipay-plus';
import { anyJson, hostileValue, mostly, mutate, mutation } from './arbitraries';
import { acceptedUpdates, startTarget, stillAwaitingPayment, type FuzzEnv, type TargetOrder } from './env';
import { alive, checkProperty, expect, http, mb, notRun, oversizedPost, rssOf, skipped, tally, type HttpAnswer } from './harness';
import { namedHttpRefusal, resultOf } from './refusals';

// The notify receiver, as Alipay+ (or anyone) posts to it: signed and unsigned bodies, wrong types,
// huge numbers, unicode, missing fields, stale Request-Time, and mutated valid notifications for a
// real order. It must answer every request with a named result, stay up, and let nothing it refused
// into the order's history.

export const RECEIVER = 'notify receiver';
const CLIENT_ID = 'SANDBOX_MERCHANT';

/** A key pair nobody trusts, for forged signatures. */
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The notifyPayment Alipay+ would send for the target's payment, paid. */
function paidNotification(t: TargetOrder, at: number) {
  return {
    notifyType: 'PAYMENT_RESULT',
    paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
    paymentRequestId: t.orderId,
    paymentId: t.paymentId,
    paymentAmount: { currency: 'CNY', value: String(t.totalFen) },
    paymentCreateTime: new Date(at - 60_000).toISOString(),
    paymentTime: new Date(at).toISOString(),
  };
}

function refundNotification(t: TargetOrder) {
  return {
    notifyType: 'REFUND_RESULT',
    result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
    refundStatus: 'SUCCESS',
    refundRequestId: `${t.orderId}-R1`,
    refundId: 'RF-FUZZ',
    refundAmount: { currency: 'CNY', value: '100' },
  };
}

type Signing = 'valid' | 'unsigned' | 'stranger' | 'otherClient' | 'tampered' | 'keyVersion' | 'garbage';
type TimeForm = 'iso' | 'epochMs' | 'garbage' | 'missing';

const bodyCase = fc.record({
  shape: fc.constantFrom('paid', 'paid', 'paid', 'pending', 'refund', 'json', 'text'),
  mutations: fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 3 })),
  json: anyJson,
  text: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', '{', 'null', '[]', '{"a":1e400}', '\uFEFF{}')),
  resultStatus: fc.constantFrom('S', 'F', 'U', 'X'),
  signing: fc.oneof(
    fc.constant<Signing>('valid'),
    fc.constantFrom<Signing>('unsigned', 'stranger', 'otherClient', 'tampered', 'keyVersion', 'garbage'),
  ),
  // A time that is not a time, or not fresh, is the next property's.
  timeForm: fc.constantFrom<TimeForm>('iso', 'iso', 'iso', 'epochMs', 'missing'),
  // Within half a minute of now: fresh by any window.
  skewMs: fc.integer({ min: -30_000, max: 5_000 }),
  method: mostly('POST', 'GET', 'PUT', 'DELETE'),
  pathSuffix: mostly('', '/', '/x', '?a=1', '%ZZ'),
  contentType: mostly('application/json; charset=UTF-8', 'text/plain', '', 'application/x-www-form-urlencoded'),
  garbage: hostileValue,
});

type BodyCase = typeof bodyCase extends fc.Arbitrary<infer T> ? T : never;

function bodyOf(g: BodyCase, t: TargetOrder, now: number): string {
  if (g.shape === 'text') return g.text;
  if (g.shape === 'json') return JSON.stringify(g.json) ?? 'null';
  const base =
    g.shape === 'refund'
      ? refundNotification(t)
      : g.shape === 'pending'
        ? { ...paidNotification(t, now), notifyType: 'PAYMENT_PENDING' }
        : { ...paidNotification(t, now), paymentResult: { resultStatus: g.resultStatus, resultCode: 'SUCCESS', resultMessage: 'x' } };
  return JSON.stringify(mutate(base, g.mutations)) ?? 'null';
}

function headersOf(path: string, body: string, signing: Signing, time: string | undefined, garbage: unknown) {
  const h = signedHeaders({
    path,
    clientId: signing === 'otherClient' ? 'SOMEONE_ELSE' : CLIENT_ID,
    rawBody: signing === 'tampered' ? `${body} ` : body,
    privateKey: signing === 'stranger' ? stranger : FuzzKeys.alipayPlusPrivateKey,
    keyVersion: signing === 'keyVersion' ? 99 : 1,
    timeHeader: 'Request-Time',
    time: time ?? new Date().toISOString(),
  });
  if (time === undefined) delete h['Request-Time'];
  if (signing === 'unsigned') delete h.Signature;
  // A header value must be Latin-1 on the wire: a garbage signature is what survives that.
  if (signing === 'garbage') h.Signature = `algorithm=RSA256,keyVersion=1,signature=${encodeURIComponent(String(garbage)).slice(0, 200)}`;
  return h;
}

/** Set from the run's dev keys before the receiver is fuzzed. */
const FuzzKeys = { alipayPlusPrivateKey: '' };

function timeValue(form: TimeForm, at: number, garbage: unknown): string | undefined {
  if (form === 'missing') return undefined;
  if (form === 'epochMs') return String(at);
  if (form === 'garbage') return encodeURIComponent(String(garbage)).slice(0, 100) || 'not-a-time';
  return new Date(at).toISOString();
}

/** The answer names what happened: an Alipay+ result with a code, or an HTTP refusal with a code. */
function assertNamed(a: HttpAnswer, shown: () => string) {
  const r = resultOf(a.json);
  expect(
    (r && r.resultCode.trim() !== '' && ['S', 'F'].includes(r.resultStatus)) || namedHttpRefusal(a.status, a.json),
    () => `the answer names no rule: HTTP ${a.status} ${a.rawBody.slice(0, 300)} to ${shown()}`,
  );
}

export async function fuzzReceiver(env: FuzzEnv, runs: { generated: number; stale: number }) {
  FuzzKeys.alipayPlusPrivateKey = env.keys.alipayPlusPrivateKey;
  const notifyUrl = new URL(env.stack.notifyUrl);
  const path = notifyUrl.pathname;
  const pid = () => env.stack.pids()['notify-receiver'];
  let target: TargetOrder | undefined;
  const freshTarget = async () => {
    if (!target || !(await stillAwaitingPayment(env, target))) target = await startTarget(env);
    return target;
  };
  /** After each case: still up and answering. A receiver that died is started again, so later cases judge a live one. */
  const stillUp = async (shown: () => string) => {
    const up =
      alive(pid()) &&
      (await http({ url: `${notifyUrl.origin}/healthz`, method: 'GET', timeoutMs: env.ctx.requestTimeoutMs }).then(
        (a) => a.status === 200,
        () => false,
      ));
    if (!up) {
      await env.stack.stopReceiver('SIGKILL').catch(() => undefined);
      await env.stack.startReceiver();
    }
    expect(up, () => `the receiver stopped answering /healthz after ${shown()}`);
  };

  await checkProperty(
    env.ctx,
    RECEIVER,
    'generated notifications: named answers, nothing refused reaches the history',
    runs.generated,
    bodyCase,
    async (g) => {
      const t = await freshTarget();
      const now = Date.now() + g.skewMs;
      const body = bodyOf(g, t, now);
      const headers = headersOf(path, body, g.signing, timeValue(g.timeForm, now, g.garbage), g.garbage);
      if (g.contentType) headers['Content-Type'] = g.contentType;
      const before = await acceptedUpdates(env, t.orderId);
      const shown = () => `${g.method} ${path}${g.pathSuffix} signing=${g.signing} time=${g.timeForm} body=${body.slice(0, 300)}`;
      const a = await http({
        url: env.stack.notifyUrl + g.pathSuffix,
        method: g.method,
        headers,
        body: g.method === 'GET' ? undefined : body,
        timeoutMs: env.ctx.requestTimeoutMs,
      });
      await stillUp(shown);
      const r = resultOf(a.json);
      tally(env.ctx, RECEIVER, r ? `${r.resultStatus} ${r.resultCode}` : `HTTP ${a.status}`);
      assertNamed(a, shown);
      if (r?.resultStatus === 'S') {
        // S only for what Alipay+ itself signed, to this receiver, now. (A keyVersion the receiver does not know
        // still verifies with the one Alipay+ key it has: the label is not checked, and need not be.)
        expect(
          (g.signing === 'valid' || g.signing === 'keyVersion') && g.timeForm !== 'missing',
          () => `S to a notification that is not validly signed: ${shown()}`,
        );
      } else {
        const after = await acceptedUpdates(env, t.orderId);
        expect(
          after === before,
          () => `refused (${a.rawBody.slice(0, 200)}), yet the order's history gained ${after - before} update(s): ${shown()}`,
        );
      }
    },
  );

  // A captured notification, correctly signed, sent again long after: Alipay+ signs every retry afresh.
  const staleCase = fc.record({
    ageMs: fc.oneof(fc.integer({ min: 60 * 60_000, max: 400 * 86_400_000 }), fc.integer({ min: -30 * 86_400_000, max: -60 * 60_000 })),
    form: fc.constantFrom<TimeForm>('iso', 'iso', 'epochMs', 'garbage'),
    shape: fc.constantFrom('paid', 'pending'),
  });
  const property = 'a Request-Time an hour or more off, or not a time, is refused and adds nothing';
  await checkProperty(env.ctx, RECEIVER, property, runs.stale, staleCase, async (g) => {
    const t = await freshTarget();
    const at = Date.now() - g.ageMs;
    const base = paidNotification(t, at);
    const body = JSON.stringify(g.shape === 'pending' ? { ...base, notifyType: 'PAYMENT_PENDING' } : base);
    const headers = headersOf(path, body, 'valid', timeValue(g.form, at, g.ageMs % 7 === 0 ? 0 : 'yesterday'), '');
    const before = await acceptedUpdates(env, t.orderId);
    const shown = () => `Request-Time ${headers['Request-Time']} (${Math.round(g.ageMs / 60_000)} min old), body ${body}`;
    const a = await http({ url: env.stack.notifyUrl, headers, body, timeoutMs: env.ctx.requestTimeoutMs });
    await stillUp(shown);
    assertNamed(a, shown);
    expect(resultOf(a.json)?.resultStatus !== 'S', () => `answered S: ${a.rawBody} to ${shown()}`);
    const after = await acceptedUpdates(env, t.orderId);
    expect(after === before, () => `the history gained ${after - before} update(s) from ${shown()}`);
  });

  await oversizedBody(env, RECEIVER, env.stack.notifyUrl, pid, { 'Content-Type': 'application/json', 'Client-Id': CLIENT_ID });
}

/** A body of 64 MB; refusing it must not cost the server the body's size in memory. */
export const OVERSIZED_BYTES = 64 << 20;
/** Memory a server may gain while refusing it: a server that reads the body holds at least its 64 MB. */
export const OVERSIZED_RSS_BOUND = 32 << 20;

export async function oversizedBody(
  env: FuzzEnv,
  boundary: string,
  url: string,
  pid: () => number | undefined,
  headers: Record<string, string>,
) {
  const property = `a ${mb(OVERSIZED_BYTES)} body is refused with a named answer, within +${mb(OVERSIZED_RSS_BOUND)} of memory`;
  if (skipped(env.ctx, property)) return;
  const p = pid();
  if (!alive(p)) return notRun(env.ctx, boundary, property, 'the server is not running');
  const before = rssOf(p!) ?? 0;
  let answer: HttpAnswer | undefined;
  let error: unknown;
  try {
    answer = await oversizedPost(url, headers, OVERSIZED_BYTES, 30_000);
  } catch (e) {
    error = e;
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = rssOf(p!) ?? 0;
  const problems: string[] = [];
  if (!answer) problems.push(`no answer: ${String(error)}`);
  else {
    const r = resultOf(answer.json);
    if (!namedHttpRefusal(answer.status, answer.json) && !(r && r.resultStatus === 'F')) {
      problems.push(`not a named refusal: HTTP ${answer.status} ${answer.rawBody.slice(0, 200)}`);
    }
  }
  if (after - before > OVERSIZED_RSS_BOUND) problems.push(`rss went from ${mb(before)} to ${mb(after)}`);
  if (!alive(p)) problems.push('the server process died');
  env.ctx.outcomes.push({
    boundary,
    property,
    cases: 1,
    ...(problems.length && { failure: `POST ${url} with ${mb(OVERSIZED_BYTES)}: ${problems.join('; ')}` }),
  });
  env.ctx.log(`${boundary}: ${property}: ${problems.length ? `FAILED (${problems.join('; ')})` : 'ok'}`);
}
