import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIS, headerValue, signedHeaders } from '../../alipay-plus';
import { declareRequest, paidPayment, payRequest } from '../support/orders';
import { startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { assertSignedResult, rawCall, strangerKeys, verifyResponse } from '../support/wire';

// The signature rules of the wire protocol, checked with raw HTTP so that every header is in our hands.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture()));
after(() => f.close());

const INQUIRY = APIS.inquiryPayment.path;

test('an unknown Client-Id is F INVALID_CLIENT, and that answer is signed with the Alipay+ key', async () => {
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-x' }, clientId: 'SOMEONE_ELSE' });
  const answer = assertSignedResult(res, INQUIRY, 'F', 'INVALID_CLIENT', 'SOMEONE_ELSE');
  assert.match(answer.result.resultMessage, /SOMEONE_ELSE/);
});

test('a request signed with a key Alipay+ does not know is F INVALID_SIGNATURE, with no Signature on the answer', async () => {
  const wrong = strangerKeys();
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-x' }, privateKey: wrong.privateKey });
  assert.equal(res.status, 200);
  assert.equal(res.body?.result.resultStatus, 'F');
  assert.equal(res.body?.result.resultCode, 'INVALID_SIGNATURE');
  assert.equal(headerValue(res.headers, 'Signature'), undefined);
  assert.equal(verifyResponse(res, INQUIRY).ok, false);
});

test('one body byte changed after signing is F INVALID_SIGNATURE, unsigned; the untouched request is answered signed', async () => {
  const body = { paymentRequestId: 'PAY-tamper-1' };
  const control = await rawCall(f.sandbox.url, { path: INQUIRY, body });
  assertSignedResult(control, INQUIRY, 'F', 'ORDER_NOT_EXIST');

  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body, tamper: (raw) => raw.replace('tamper-1', 'tamper-2') });
  assert.equal(res.body?.result.resultStatus, 'F');
  assert.equal(res.body?.result.resultCode, 'INVALID_SIGNATURE');
  assert.equal(headerValue(res.headers, 'Signature'), undefined);
});

test('a request without a Signature header is F INVALID_SIGNATURE, unsigned', async () => {
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-x' }, unsigned: true });
  assert.equal(res.body?.result.resultCode, 'INVALID_SIGNATURE');
  assert.equal(headerValue(res.headers, 'Signature'), undefined);
});

test('a signature over another path is F INVALID_SIGNATURE (the path is part of the signed content)', async () => {
  const body = JSON.stringify({ paymentRequestId: 'PAY-x' });
  const headers = signedHeaders({
    path: APIS.cancelPayment.path,
    clientId: 'SANDBOX_MERCHANT',
    rawBody: body,
    privateKey: f.keys.merchantPrivateKey,
    keyVersion: 1,
    timeHeader: 'Request-Time',
    time: new Date().toISOString(),
  });
  // Control: at the path it was made for, the same signature passes.
  const control = await rawCall(f.sandbox.url, { path: APIS.cancelPayment.path, body, headers });
  assertSignedResult(control, APIS.cancelPayment.path, 'F', 'ORDER_NOT_EXIST');
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body, headers });
  assert.equal(res.body?.result.resultCode, 'INVALID_SIGNATURE');
  assert.equal(headerValue(res.headers, 'Signature'), undefined);
});

test('keyVersion=2 is F KEY_NOT_FOUND, signed', async () => {
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-x' }, keyVersion: 2 });
  assertSignedResult(res, INQUIRY, 'F', 'KEY_NOT_FOUND');
});

test('GET is F METHOD_NOT_SUPPORTED, signed', async () => {
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body: '', method: 'GET' });
  assertSignedResult(res, INQUIRY, 'F', 'METHOD_NOT_SUPPORTED');
});

test('an unknown /aps/ path is F NO_INTERFACE_DEF, signed over that path', async () => {
  const path = '/aps/api/v1/payments/doesNotExist';
  const res = await rawCall(f.sandbox.url, { path, body: { paymentRequestId: 'PAY-x' } });
  assertSignedResult(res, path, 'F', 'NO_INTERFACE_DEF');
});

test('a text/plain body is F MEDIA_TYPE_NOT_ACCEPTABLE, signed', async () => {
  const res = await rawCall(f.sandbox.url, {
    path: INQUIRY,
    body: { paymentRequestId: 'PAY-x' },
    headers: { 'Content-Type': 'text/plain' },
  });
  assertSignedResult(res, INQUIRY, 'F', 'MEDIA_TYPE_NOT_ACCEPTABLE');
});

test('Request-Time is accepted as epoch milliseconds as well as ISO-8601; a garbled one is PARAM_ILLEGAL', async () => {
  const p = await paidPayment(f);
  const body = { paymentRequestId: p.id };
  const epoch = await rawCall(f.sandbox.url, { path: INQUIRY, body, time: String(Date.now()) });
  assert.equal(assertSignedResult(epoch, INQUIRY, 'S', 'SUCCESS').paymentId, p.paymentId);
  const isoTime = await rawCall(f.sandbox.url, { path: INQUIRY, body, time: new Date().toISOString() });
  assert.equal(assertSignedResult(isoTime, INQUIRY, 'S', 'SUCCESS').paymentId, p.paymentId);
  const garbled = await rawCall(f.sandbox.url, { path: INQUIRY, body, time: 'yesterday' });
  assertSignedResult(garbled, INQUIRY, 'F', 'PARAM_ILLEGAL');
});

test('every other answer is signed: S, F and U from every API verify with verifySignedHeaders', async () => {
  const p = await paidPayment(f);
  const unpaid = `${p.id}-unpaid`;
  const cases: [string, unknown, 'S' | 'F' | 'U', string][] = [
    [APIS.pay.path, payRequest({ paymentRequestId: unpaid, now: await f.helpers.now() }), 'S', 'SUCCESS'],
    [APIS.inquiryPayment.path, { paymentRequestId: p.id }, 'S', 'SUCCESS'],
    [APIS.cancelPayment.path, { paymentRequestId: unpaid }, 'S', 'SUCCESS'],
    [APIS.cancelPayment.path, { paymentRequestId: p.id }, 'F', 'INVALID_ORDER_STATUS'],
    [
      APIS.refund.path,
      { refundRequestId: `${p.id}-R1`, paymentRequestId: p.id, refundAmount: { currency: 'CNY', value: '100' } },
      'S',
      'SUCCESS',
    ],
    [APIS.declare.path, declareRequest(p.id), 'S', 'SUCCESS'],
    [APIS.declare.path, { paymentRequestId: p.id }, 'F', 'PARAM_ILLEGAL'],
    [APIS.inquireDeclarationRequests.path, { declarationRequestIds: [`${p.id}-D1`] }, 'S', 'SUCCESS'],
    [APIS.inquiryPayment.path, { paymentRequestId: 'PAY-nobody' }, 'F', 'ORDER_NOT_EXIST'],
  ];
  for (const [path, body, status, code] of cases) {
    assertSignedResult(await rawCall(f.sandbox.url, { path, body }), path, status, code);
  }
  // U answers, injected by the fault helper, are signed too.
  await f.helpers.faults({
    next: [
      { kind: 'U', count: 1 },
      { kind: 'TRAFFIC_LIMIT', count: 1 },
    ],
  });
  try {
    assertSignedResult(
      await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: p.id } }),
      INQUIRY,
      'U',
      'UNKNOWN_EXCEPTION',
    );
    assertSignedResult(
      await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: p.id } }),
      INQUIRY,
      'U',
      'REQUEST_TRAFFIC_EXCEED_LIMIT',
    );
  } finally {
    await f.helpers.faults({});
  }
});

test('a response signature does not verify over another path or with another key', async () => {
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-x' } });
  assert.equal(verifyResponse(res, INQUIRY).ok, true);
  assert.deepEqual(verifyResponse(res, APIS.declare.path), { ok: false, reason: 'BAD_SIGNATURE' });
  assert.deepEqual(verifyResponse(res, INQUIRY, strangerKeys().publicKey), { ok: false, reason: 'BAD_SIGNATURE' });
});
