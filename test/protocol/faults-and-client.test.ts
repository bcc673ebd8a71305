import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  APIS,
  AlipayPlusClient,
  AlipayPlusFinalError,
  AlipayPlusRetryableError,
  AlipayPlusThrottledError,
  MessageValidationError,
  SUCCESS,
  signedHeaders,
  type KeyInput,
} from '../../alipay-plus';
import { declareRequest, paidPayment } from '../support/orders';
import { CLIENT_ID, startSandboxFixture, testKeys, type SandboxFixture } from '../support/sandbox';
import { closedPort, rejectsWith, sleep, startLocalServer, strangerKeys, type LocalServer } from '../support/wire';

// How the client classifies every way a call can end, against a fake Alipay+ that lies and against the
// sandbox with injected faults.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture()));
after(() => f.close());

describe('client trust: a response whose signature is wrong is never trusted', () => {
  const PATH = APIS.inquiryPayment.path;
  const S_BODY = JSON.stringify({
    result: SUCCESS,
    paymentStatus: 'SUCCESS',
    paymentRequestId: 'PAY-fake',
    paymentId: '2026fake',
    paymentAmount: { currency: 'CNY', value: '19900' },
  });
  /** What the fake Alipay+ answers next. */
  let answer: { body: string; sign?: { key: KeyInput; clientId?: string; path?: string } } = { body: S_BODY };
  let fake: LocalServer;
  let client: AlipayPlusClient;

  before(async () => {
    fake = await startLocalServer((_req, _raw, res) => {
      const headers: Record<string, string> = answer.sign
        ? signedHeaders({
            path: answer.sign.path ?? PATH,
            clientId: answer.sign.clientId ?? CLIENT_ID,
            rawBody: answer.body,
            privateKey: answer.sign.key,
            keyVersion: 1,
            timeHeader: 'Response-Time',
            time: new Date().toISOString(),
          })
        : { 'Content-Type': 'application/json; charset=UTF-8' };
      res.writeHead(200, headers).end(answer.body);
    });
    const k = testKeys();
    client = new AlipayPlusClient({
      baseUrl: fake.url,
      clientId: CLIENT_ID,
      merchantPrivateKey: k.merchantPrivateKey,
      alipayPlusPublicKey: k.alipayPlusPublicKey,
    });
  });
  after(() => fake.close());

  test('control: an S signed with the Alipay+ key is accepted', async () => {
    answer = { body: S_BODY, sign: { key: testKeys().alipayPlusPrivateKey } };
    const r = await client.inquiryPayment({ paymentRequestId: 'PAY-fake' });
    assert.equal(r.paymentId, '2026fake');
  });

  test('an S signed with the wrong key is AlipayPlusRetryableError UNTRUSTED_RESPONSE', async () => {
    answer = { body: S_BODY, sign: { key: strangerKeys().privateKey } };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
  });

  test('an unsigned S is AlipayPlusRetryableError UNTRUSTED_RESPONSE', async () => {
    answer = { body: S_BODY };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
  });

  test('an S signed by Alipay+ but for another Client-Id, or over another path, is UNTRUSTED_RESPONSE', async () => {
    answer = { body: S_BODY, sign: { key: testKeys().alipayPlusPrivateKey, clientId: 'SOMEONE_ELSE' } };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
    answer = { body: S_BODY, sign: { key: testKeys().alipayPlusPrivateKey, path: APIS.refund.path } };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
  });

  test('an unsigned F INVALID_SIGNATURE (the documented unsigned answer) is AlipayPlusFinalError INVALID_SIGNATURE', async () => {
    answer = { body: JSON.stringify({ result: { resultStatus: 'F', resultCode: 'INVALID_SIGNATURE', resultMessage: 'bad signature' } }) };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusFinalError, 'INVALID_SIGNATURE');
  });

  test('an F INVALID_SIGNATURE that carries a Signature made with the wrong key is UNTRUSTED_RESPONSE', async () => {
    answer = {
      body: JSON.stringify({ result: { resultStatus: 'F', resultCode: 'INVALID_SIGNATURE', resultMessage: 'forged' } }),
      sign: { key: strangerKeys().privateKey },
    };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
  });

  test('an unsigned F with any other code is not trusted as final: UNTRUSTED_RESPONSE', async () => {
    answer = { body: JSON.stringify({ result: { resultStatus: 'F', resultCode: 'ORDER_NOT_EXIST', resultMessage: 'forged' } }) };
    await rejectsWith(client.inquiryPayment({ paymentRequestId: 'PAY-fake' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
  });

  test('a client signing with the wrong merchant key gets AlipayPlusFinalError INVALID_SIGNATURE from the sandbox', async () => {
    const wrong = f.makeClient({ merchantPrivateKey: strangerKeys().privateKey });
    await rejectsWith(wrong.inquiryPayment({ paymentRequestId: 'PAY-any' }), AlipayPlusFinalError, 'INVALID_SIGNATURE');
  });

  test('a client with a Client-Id the sandbox does not know gets AlipayPlusFinalError INVALID_CLIENT (a signed answer)', async () => {
    const stranger = f.makeClient({ clientId: 'SOMEONE_ELSE' });
    await rejectsWith(stranger.inquiryPayment({ paymentRequestId: 'PAY-any' }), AlipayPlusFinalError, 'INVALID_CLIENT');
  });

  test('a client holding the wrong Alipay+ public key trusts no sandbox answer: UNTRUSTED_RESPONSE', async () => {
    const wrong = f.makeClient({ alipayPlusPublicKey: strangerKeys().publicKey });
    await rejectsWith(wrong.inquiryPayment({ paymentRequestId: 'PAY-any' }), AlipayPlusRetryableError, 'UNTRUSTED_RESPONSE');
  });
});

describe('client classification against the sandbox with faults', () => {
  afterEach(() => f.helpers.faults({}));

  test('a U result is AlipayPlusRetryableError UNKNOWN_EXCEPTION, and only the queued call gets it', async () => {
    const p = await paidPayment(f);
    await f.helpers.faults({ next: [{ kind: 'U', count: 1 }] });
    await rejectsWith(f.client.inquiryPayment({ paymentRequestId: p.id }), AlipayPlusRetryableError, 'UNKNOWN_EXCEPTION');
    assert.equal((await f.client.inquiryPayment({ paymentRequestId: p.id })).paymentStatus, 'SUCCESS');
  });

  test('HTTP 500 is AlipayPlusRetryableError HTTP_500', async () => {
    await f.helpers.faults({ next: [{ kind: 'HTTP_500', count: 1 }] });
    const e = await rejectsWith(f.client.inquiryPayment({ paymentRequestId: 'PAY-any' }), AlipayPlusRetryableError, 'HTTP_500');
    assert.equal(e.httpStatus, 500);
  });

  test('REQUEST_TRAFFIC_EXCEED_LIMIT is AlipayPlusThrottledError with retryAfterMs > 0', async () => {
    await f.helpers.faults({ next: [{ kind: 'TRAFFIC_LIMIT', count: 1 }] });
    const e = await rejectsWith(
      f.client.inquiryPayment({ paymentRequestId: 'PAY-any' }),
      AlipayPlusThrottledError,
      'REQUEST_TRAFFIC_EXCEED_LIMIT',
    );
    assert.ok(e.retryAfterMs > 0, `retryAfterMs ${e.retryAfterMs}`);
    assert.equal(e.kind, 'throttled');
  });

  test('an answer slower than the client timeout is AlipayPlusRetryableError TIMEOUT', async () => {
    const slowClient = f.makeClient({ timeoutMs: 200 });
    await f.helpers.faults({ latencyMs: 600 });
    const started = Date.now();
    await rejectsWith(slowClient.inquiryPayment({ paymentRequestId: 'PAY-any' }), AlipayPlusRetryableError, 'TIMEOUT');
    assert.ok(Date.now() - started < 600, 'the client gave up before the answer came');
    await sleep(700); // let the sandbox finish the slow call before the faults are cleared
  });

  test('connection refused is AlipayPlusRetryableError CONNECTION_ERROR', async () => {
    const port = await closedPort();
    const nowhere = f.makeClient({ baseUrl: `http://127.0.0.1:${port}` });
    await rejectsWith(nowhere.inquiryPayment({ paymentRequestId: 'PAY-any' }), AlipayPlusRetryableError, 'CONNECTION_ERROR');
  });

  test('an invalid request (declare in USD) is refused locally with MessageValidationError naming the field; no call is made', async () => {
    const p = await paidPayment(f);
    const faultsBefore = (await f.helpers.ledger()).faultsInjected.length;
    // A tripwire: the next call that reaches the sandbox would be answered U and show up in faultsInjected.
    await f.helpers.faults({ next: [{ kind: 'U', count: 1 }] });
    const bad = declareRequest(p.id, { declarationAmount: { currency: 'USD' as 'CNY', value: '19900' } });
    await assert.rejects(f.client.declare(bad), (e: unknown) => {
      assert.ok(e instanceof MessageValidationError, String(e));
      assert.deepEqual(
        e.problems.map((x) => x.field),
        ['declarationAmount.currency'],
      );
      assert.match(e.message, /declarationAmount\.currency must be "CNY"/);
      return true;
    });
    const ledger = await f.helpers.ledger();
    assert.equal(ledger.faultsInjected.length, faultsBefore);
    assert.equal(ledger.declarations.filter((d) => d.paymentRequestId === p.id).length, 0);
  });

  test('a U after the refund took effect, then the same refund again: exactly one refund in the ledger', async () => {
    const p = await paidPayment(f);
    const refund = { refundRequestId: `${p.id}-R1`, paymentRequestId: p.id, refundAmount: { currency: 'CNY', value: '5000' } };
    const faultsBefore = (await f.helpers.ledger()).faultsInjected.length;
    await f.helpers.faults({ next: [{ kind: 'U', count: 1, path: APIS.refund.path, afterEffect: true }] });
    await rejectsWith(f.client.refund(refund), AlipayPlusRetryableError, 'UNKNOWN_EXCEPTION');
    const retried = await f.client.refund(refund);
    assert.equal(retried.refundRequestId, refund.refundRequestId);
    const ledger = await f.helpers.ledger();
    const refunds = ledger.refunds.filter((r) => r.paymentRequestId === p.id);
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0].refundId, retried.refundId);
    assert.deepEqual(refunds[0].amount, { currency: 'CNY', value: '5000' });
    assert.deepEqual(
      ledger.faultsInjected.slice(faultsBefore).map((x) => [x.path, x.kind, x.afterEffect]),
      [[APIS.refund.path, 'U', true]],
    );
  });

  test('a U after the declaration took effect, then the same declare again: one declaration, calls FIRST then IDEMPOTENT_REPEAT', async () => {
    const p = await paidPayment(f);
    await f.helpers.faults({ next: [{ kind: 'U', count: 1, path: APIS.declare.path, afterEffect: true }] });
    await rejectsWith(f.client.declare(declareRequest(p.id)), AlipayPlusRetryableError, 'UNKNOWN_EXCEPTION');
    await f.client.declare(declareRequest(p.id));
    const declarations = (await f.helpers.ledger()).declarations.filter((d) => d.paymentRequestId === p.id);
    assert.equal(declarations.length, 1);
    assert.deepEqual(
      declarations[0].calls.map((c) => c.kind),
      ['FIRST', 'IDEMPOTENT_REPEAT'],
    );
  });
});

describe('a final window: every call on one path is answered F for a while', () => {
  afterEach(() => f.helpers.faults({}));

  test('an INVALID_SIGNATURE window on inquireDeclarationRequests answers F on that path only, then closes', async () => {
    const p = await paidPayment(f);
    await f.client.declare(declareRequest(p.id));
    const path = APIS.inquireDeclarationRequests.path;
    await f.helpers.faults({ finalWindows: [{ resultCode: 'INVALID_SIGNATURE', path, durationMs: 60_000 }] });
    const inquire = () => f.client.inquireDeclarationRequests({ declarationRequestIds: [`${p.id}-D1`] });
    await rejectsWith(inquire(), AlipayPlusFinalError, 'INVALID_SIGNATURE');
    await rejectsWith(inquire(), AlipayPlusFinalError, 'INVALID_SIGNATURE');
    assert.equal((await f.client.inquiryPayment({ paymentRequestId: p.id })).paymentStatus, 'SUCCESS', 'another path is not in the window');

    await f.helpers.advance(60_000);
    const r = await inquire();
    assert.equal(r.declarationRecords.length, 1, `the window has closed: ${JSON.stringify(r)}`);
    const injected = (await f.helpers.ledger()).faultsInjected.filter((x) => x.kind === 'F');
    assert.deepEqual(
      injected.slice(-2).map((x) => [x.path, x.resultCode]),
      [
        [path, 'INVALID_SIGNATURE'],
        [path, 'INVALID_SIGNATURE'],
      ],
    );
  });

  test('the F is signed and nothing takes effect: a refund in the window is not made, the same refund after it is made once', async () => {
    const p = await paidPayment(f);
    const refund = { refundRequestId: `${p.id}-R1`, paymentRequestId: p.id, refundAmount: { currency: 'CNY', value: '5000' } };
    // The client trusts an F with a code other than INVALID_SIGNATURE only when Alipay+ signed it.
    await f.helpers.faults({ finalWindows: [{ resultCode: 'ACCESS_DENIED', path: APIS.refund.path, durationMs: 30_000 }] });
    await rejectsWith(f.client.refund(refund), AlipayPlusFinalError, 'ACCESS_DENIED');
    assert.equal((await f.helpers.ledgerOf(p.id)).refunds.length, 0, 'no refund was made in the window');

    await f.helpers.advance(30_000);
    await f.client.refund(refund);
    assert.equal((await f.helpers.ledgerOf(p.id)).refunds.length, 1);
  });

  test('a window with a bad code, a path outside Alipay+ or no duration is refused, naming the field', async () => {
    await assert.rejects(
      f.helpers.faults({ finalWindows: [{ resultCode: 'bad code', path: '/eport/orders', durationMs: 0 }] }),
      (e: Error) =>
        /finalWindows\.0\.resultCode/.test(e.message) && /finalWindows\.0\.path/.test(e.message) && /durationMs/.test(e.message),
    );
  });
});
