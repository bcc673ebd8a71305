import fc from 'fast-check';
import { APIS, signedHeaders } from '../../alipay-plus';
import { anyJson, mostly, mutate, mutation } from './arbitraries';
import type { FuzzEnv } from './env';
import { alive, checkProperty, expect, http, tally } from './harness';
import { oversizedBody } from './receiver';
import { resultOf } from './refusals';

// The sandbox's Alipay+ API, as a merchant (or anyone) calls it: every API with generated and mutated
// bodies, signed and not. Its test helpers (/sandbox/*) are left alone: they reset state and inject faults.

export const SANDBOX = 'sandbox Alipay+ API';
const NOWHERE = 'http://127.0.0.1:9/notify'; // loopback, and nothing listens: the sandbox's notifications go nowhere

type Api = keyof typeof APIS;

function baseBody(api: Api, id: string, fen: number): unknown {
  const amount = { currency: 'CNY', value: String(fen) };
  switch (api) {
    case 'pay':
      return {
        paymentRequestId: id,
        paymentAmount: amount,
        order: { referenceOrderId: id, orderDescription: 'Milk powder', orderAmount: amount, goods: [] },
        paymentNotifyUrl: NOWHERE,
        paymentRedirectUrl: 'https://merchant.example/return',
        paymentExpiryTime: new Date(Date.now() + 30 * 60_000).toISOString(),
        env: { terminalType: 'WEB' },
      };
    case 'inquiryPayment':
    case 'cancelPayment':
      return { paymentRequestId: id };
    case 'refund':
      return { refundRequestId: `${id}-R1`, paymentRequestId: id, refundAmount: amount, refundNotifyUrl: NOWHERE };
    case 'inquiryRefund':
      return { refundRequestId: `${id}-R1` };
    case 'declare':
      return {
        paymentRequestId: id,
        customsDeclarationRequestId: `${id}-D1`,
        customs: { customsCode: 'ZONGSHU', region: 'CN' },
        merchantCustomsInfo: { merchantCustomsCode: 'MC-FUZZ', merchantCustomsName: 'Fuzz Merchant Ltd' },
        declarationAmount: amount,
        isSplit: 'false',
      };
    case 'inquireDeclarationRequests':
      return { paymentRequestId: id, declarationRequestIds: [`${id}-D1`] };
  }
}

/** Whatever the mutations did, the sandbox may only be told to notify loopback. */
function loopbackOnly(body: unknown) {
  if (!body || typeof body !== 'object') return;
  for (const key of ['paymentNotifyUrl', 'refundNotifyUrl'] as const) {
    const v = (body as Record<string, unknown>)[key];
    if (typeof v === 'string') {
      let host: string;
      try {
        host = new URL(v).hostname;
      } catch {
        continue; // not a URL: the sandbox refuses it
      }
      if (host !== '127.0.0.1') (body as Record<string, unknown>)[key] = NOWHERE;
    }
  }
}

const sandboxCase = fc.record({
  api: fc.constantFrom(...(Object.keys(APIS) as Api[])),
  // Ids of payments made earlier in the run, so inquiries, refunds and declarations find something.
  idPick: fc.nat({ max: 15 }),
  fen: fc.oneof(fc.integer({ min: 1, max: 600_000 }), fc.constantFrom(0, -1, 2 ** 53, 1e21)),
  mutations: fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 3 })),
  json: fc.option(anyJson, { freq: 6 }),
  signing: mostly('valid', 'unsigned', 'tampered', 'noClientId'),
  method: mostly('POST', 'GET', 'DELETE'),
  path: fc.oneof(
    { weight: 8, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('/aps/api/v1/nope', '/aps/', '/aps/%ZZ') },
  ),
  contentType: mostly('application/json; charset=UTF-8', 'text/plain', ''),
});

export async function fuzzSandbox(env: FuzzEnv, runs: number) {
  const base = env.stack.sandboxUrl;
  const pid = () => env.stack.pids().sandbox;
  const ids = Array.from({ length: 16 }, () => env.nextOrderId('SBX'));
  await checkProperty(env.ctx, SANDBOX, 'every call answered with a named result, the sandbox stays up', runs, sandboxCase, async (g) => {
    const path = g.path || APIS[g.api].path;
    const body = g.json !== null ? g.json : mutate(baseBody(g.api, ids[g.idPick], g.fen), g.mutations);
    loopbackOnly(body);
    const rawBody = JSON.stringify(body) ?? '';
    const headers = signedHeaders({
      path,
      clientId: 'SANDBOX_MERCHANT',
      rawBody: g.signing === 'tampered' ? `${rawBody} ` : rawBody,
      privateKey: env.keys.merchantPrivateKey,
      keyVersion: 1,
      timeHeader: 'Request-Time',
      time: new Date().toISOString(),
    });
    if (g.signing === 'unsigned') delete headers.Signature;
    if (g.signing === 'noClientId') delete headers['Client-Id'];
    if (g.contentType) headers['Content-Type'] = g.contentType;
    else delete headers['Content-Type'];
    const shown = () => `${g.method} ${path} signing=${g.signing} body=${rawBody.slice(0, 300)}`;
    const a = await http({
      url: base + path,
      method: g.method,
      headers,
      body: g.method === 'GET' ? undefined : rawBody,
      timeoutMs: env.ctx.requestTimeoutMs,
    });
    const up =
      alive(pid()) &&
      (await http({ url: `${base}/sandbox/clock`, method: 'GET', timeoutMs: env.ctx.requestTimeoutMs }).then(
        (c) => c.status === 200,
        () => false,
      ));
    expect(up, () => `the sandbox stopped answering after ${shown()}`);
    const r = resultOf(a.json);
    tally(env.ctx, SANDBOX, r ? `${r.resultStatus} ${r.resultCode}` : `HTTP ${a.status}`);
    expect(
      (a.status === 200 || (a.status >= 400 && a.status < 500)) &&
        r &&
        ['S', 'F', 'U'].includes(r.resultStatus) &&
        r.resultCode.trim() !== '',
      () => `the answer names no result code: HTTP ${a.status} ${a.rawBody.slice(0, 300)} to ${shown()}`,
    );
  });
  await oversizedBody(env, SANDBOX, base + APIS.pay.path, pid, { 'Content-Type': 'application/json', 'Client-Id': 'SANDBOX_MERCHANT' });
}
