import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { Stack } from '../../dev/stack';
import { orderWorkflowId } from '../../domain/order';
import { startNotifyReceiver, type NotifyReceiver } from '../../notify-receiver/server';
import { DEV_KEY_FILES } from '../../sandbox/dev-keys';
import { sleep, sharedE2EStack } from '../support/e2e';
import {
  parseRawResponse,
  postNotification,
  rawExchange,
  signedAnswer,
  streamedPost,
  successNotification,
  type PostOptions,
} from '../support/notify-wire';

// The notify receiver under hostile input, in this process (so its memory can be read), against the stack's
// real Temporal server: huge bodies, garbage requests, too many at once, and a Temporal that does not answer.

const CLIENT_ID = 'SANDBOX_MERCHANT';
const MB = 1024 * 1024;
/**
 * The memory a refused 300 MB body may cost this process (receiver and sender both). The receiver keeps at
 * most one body limit (64 KiB) of a request before it refuses it; the rest is socket buffers on loopback
 * (a few MB) and the sender's one reused 64 KiB chunk. A receiver that reads the body holds all 300 MB.
 */
const MEMORY_BOUND = 32 * MB;

let stack: Stack;
let receiver: NotifyReceiver;
let post: Omit<PostOptions, 'alipayPlusPrivateKey'>;
let alipayPlusPrivateKey: string;
const logLines: Record<string, unknown>[] = [];
const orderIdsToEnd: string[] = [];

before(async () => {
  stack = await sharedE2EStack('notify-receiver');
  const key = (file: string) => readFileSync(join(stack.keysDir, file), 'utf8');
  alipayPlusPrivateKey = key(DEV_KEY_FILES.alipayPlusPrivate);
  receiver = await startNotifyReceiver({
    temporal: stack.client,
    clientId: CLIENT_ID,
    alipayPlusPublicKey: createPublicKey(key(DEV_KEY_FILES.alipayPlusPublic)),
    merchantPrivateKey: createPrivateKey(key(DEV_KEY_FILES.merchantPrivate)),
    // Small limits, so a test reaches them with a few requests.
    maxInFlight: 2,
    updateDeadlineMs: 3_000,
    headersTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }),
  });
  post = { url: receiver.url, merchantPublicKey: key(DEV_KEY_FILES.merchantPublic) };
});
after(async () => {
  for (const id of orderIdsToEnd)
    await stack.client.workflow
      .getHandle(orderWorkflowId(id))
      .terminate('test over')
      .catch(() => undefined);
  await receiver?.close();
  await stack?.stop();
});

const signedPost = (body: unknown, more: Partial<PostOptions> = {}) => postNotification(body, { ...post, alipayPlusPrivateKey, ...more });

/** An order whose task queue no worker polls: its updates are never taken, as when the workers are down. */
async function orderNobodyRuns() {
  const orderId = `NOBODY-${randomUUID().slice(0, 8)}`;
  await stack.client.workflow.start('orderWorkflow', {
    taskQueue: `nobody-polls-${orderId}`,
    workflowId: orderWorkflowId(orderId),
    args: [{ orderId }],
  });
  orderIdsToEnd.push(orderId);
  return successNotification({ paymentRequestId: orderId, paymentId: `P-${orderId}`, fen: 19_900 });
}

/** The refusal names its rule at the start of resultMessage, and the receiver logged it. */
function assertNamesRule(answer: { result: { resultMessage?: string } }, rule: string) {
  assert.match(answer.result.resultMessage ?? '', new RegExp(`^${rule}: \\S`), `resultMessage names ${rule}`);
  assert.ok(
    logLines.some((l) => l.rule === rule && l.msg === 'notification not taken'),
    `the receiver logged the refusal ${rule}: ${JSON.stringify(logLines.slice(-3))}`,
  );
}

for (const declareLength of [true, false]) {
  test(`a 300 MB POST (${declareLength ? 'Content-Length' : 'chunked'}) is refused 413 before it is sent, and memory stays bounded`, async (t) => {
    const total = 300 * MB;
    const sent = await streamedPost(receiver.url, total, { declareLength });
    t.diagnostic(
      `answered after ${(sent.sentBytes / MB).toFixed(1)} MB sent; peak growth rss ${(sent.peakRssGrowth / MB).toFixed(1)} MB, heap ${(sent.peakHeapGrowth / MB).toFixed(1)} MB`,
    );
    const answer = signedAnswer(
      { path: '/alipay/notify', merchantPublicKey: post.merchantPublicKey },
      sent.status,
      sent.headers,
      sent.rawAck,
    );
    assert.equal(answer.status, 413);
    assert.equal(answer.result.resultStatus, 'F');
    assertNamesRule(answer, 'BODY_LIMIT');
    assert.ok(sent.sentBytes < total, `the answer came before the whole body was sent (${sent.sentBytes} of ${total} bytes)`);
    assert.ok(sent.peakRssGrowth < MEMORY_BOUND, `rss rose by ${(sent.peakRssGrowth / MB).toFixed(1)} MB`);
    assert.ok(sent.peakHeapGrowth < MEMORY_BOUND, `the heap rose by ${(sent.peakHeapGrowth / MB).toFixed(1)} MB`);
    // The log says what was refused, never what was sent.
    assert.ok(!JSON.stringify(logLines).includes('ZZZZZZZZ'), 'no body content in the log');
  });
}

test('garbage paths, methods, content types and HTTP are refused in Alipay+ shape, naming the rule; the receiver survives', async () => {
  const unsigned = (more: Partial<PostOptions>) => postNotification('{}', { ...post, ...more });
  const base = new URL(receiver.url);

  const get = await unsigned({ method: 'GET' });
  assert.equal(get.status, 405);
  assertNamesRule(get, 'METHOD');
  const del = await unsigned({ method: 'DELETE' });
  assert.equal(del.status, 405);

  const elsewhere = await unsigned({ url: new URL('/admin', base).href, answerPath: base.pathname });
  assert.equal(elsewhere.status, 404);
  assertNamesRule(elsewhere, 'PATH');

  const text = await signedPost(successNotification({ paymentRequestId: 'X1', paymentId: 'P1', fen: 100 }), {
    headers: { 'Content-Type': 'text/plain' },
  });
  assert.equal(text.status, 415);
  assertNamesRule(text, 'CONTENT_TYPE');
  const noType = parseRawResponse(
    await rawExchange(receiver.url, `POST ${base.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`),
  );
  const noTypeAnswer = signedAnswer(
    { path: base.pathname, merchantPublicKey: post.merchantPublicKey },
    noType.status,
    noType.headers,
    noType.body,
  );
  assert.equal(noTypeAnswer.status, 415);

  const notSigned = await unsigned({});
  assert.equal(notSigned.result.resultCode, 'INVALID_SIGNATURE');
  assertNamesRule(notSigned, 'SIGNATURE');
  const notJson = await signedPost('{"paymentRequestId": ');
  assert.equal(notJson.result.resultStatus, 'F');
  assertNamesRule(notJson, 'JSON');
  const wrongShape = await signedPost({ paymentRequestId: 42, paymentAmount: { currency: 'CNY', value: '1e400' }, extra: '\u{1F4A5}' });
  assert.equal(wrongShape.result.resultStatus, 'F');
  assertNamesRule(wrongShape, 'SCHEMA');

  // Not HTTP at all, and headers that never end: answered on the socket, then the connection is closed.
  for (const [bytes, status, rule] of [
    ['GARBAGE \u0000\u0001 NOT HTTP\r\n\r\n', 400, 'HTTP'],
    [`POST ${base.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`, 408, 'REQUEST_TIMEOUT'],
  ] as const) {
    const raw = parseRawResponse(await rawExchange(receiver.url, bytes));
    const answer = signedAnswer({ path: base.pathname, merchantPublicKey: post.merchantPublicKey }, raw.status, raw.headers, raw.body);
    assert.equal(answer.status, status);
    assertNamesRule(answer, rule);
  }

  // Still up, and still delivering: a signed notification of an order that does not exist gets its F.
  assert.equal((await fetch(new URL('/healthz', base))).status, 200);
  const unknown = await signedPost(successNotification({ paymentRequestId: `UNKNOWN-${randomUUID()}`, paymentId: 'P', fen: 100 }));
  assert.equal(unknown.result.resultCode, 'ORDER_NOT_EXIST');
});

test('the update deadline: when Temporal does not take the update, the answer is 503 U, so Alipay+ tries again', async () => {
  const notification = await orderNobodyRuns();
  const answer = await signedPost(notification, { timeoutMs: 60_000 });
  assert.equal(answer.status, 503);
  assert.equal(answer.result.resultStatus, 'U');
  assertNamesRule(answer, 'UPDATE_DEADLINE');
});

test('the in-flight cap: one notification more than the cap is answered 503 U at once, not queued', async () => {
  const notification = await orderNobodyRuns();
  const received = () => logLines.filter((l) => l.msg === 'notification received').length;
  const before = received();
  // Two notifications wait on an update that no worker takes: the cap of 2 is reached.
  const held = [signedPost(notification, { timeoutMs: 60_000 }), signedPost(notification, { timeoutMs: 60_000 })];
  for (let i = 0; i < 400 && received() < before + 2; i++) await sleep(25);
  assert.equal(received(), before + 2, 'both notifications reached the receiver');

  const third = await signedPost(notification, { timeoutMs: 60_000 });
  assert.equal(third.status, 503);
  assert.equal(third.result.resultStatus, 'U');
  assert.equal(third.result.resultCode, 'REQUEST_TRAFFIC_EXCEED_LIMIT');
  assertNamesRule(third, 'IN_FLIGHT_LIMIT');

  for (const answer of await Promise.all(held)) {
    assert.equal(answer.status, 503);
    assert.match(answer.result.resultMessage ?? '', /^UPDATE_DEADLINE: /);
  }
  // Room again once they are answered.
  const after = await signedPost(successNotification({ paymentRequestId: `UNKNOWN-${randomUUID()}`, paymentId: 'P', fen: 100 }));
  assert.equal(after.result.resultCode, 'ORDER_NOT_EXIST');
});
