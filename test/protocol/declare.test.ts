import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIS, AlipayPlusFinalError, MessageValidationError, type DeclareRequest } from '../../alipay-plus';
import { BUYER, OTHER_PERSON, certificateOf, declareRequest, paidPayment, splitPart, unpaidPayment, uniqueId } from '../support/orders';
import { frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { assertSignedResult, rawCall, rejectsWith } from '../support/wire';

// declare: every rule of domain.md and seed 003. The sandbox clock stands still unless a test advances it,
// so the 5-minute rule is checked to the millisecond.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture({ timeSource: frozenTime() })));
after(() => f.close());

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const cny = (value: string) => ({ currency: 'CNY' as const, value });

async function declarationsOf(paymentRequestId: string) {
  return (await f.helpers.ledgerOf(paymentRequestId)).declarations;
}
async function declaration(customsDeclarationRequestId: string) {
  const d = (await f.helpers.ledger()).declarations.find((x) => x.customsDeclarationRequestId === customsDeclarationRequestId);
  assert.ok(d, `no declaration ${customsDeclarationRequestId} in the ledger`);
  return d;
}
const declareRefused = (req: DeclareRequest, code: string) => rejectsWith(f.client.declare(req), AlipayPlusFinalError, code);

test('PARAM_ILLEGAL names the field: customsCode HANGZHOU and currency USD, sent raw past the client check', async () => {
  const p = await paidPayment(f);
  const path = APIS.declare.path;
  const hangzhou = { ...declareRequest(p.id), customs: { customsCode: 'HANGZHOU', region: 'CN' } };
  const res1 = await rawCall(f.sandbox.url, { path, body: hangzhou });
  const body1 = assertSignedResult(res1, path, 'F', 'PARAM_ILLEGAL');
  assert.match(body1.result.resultMessage, /customs\.customsCode/);
  assert.match(body1.result.resultMessage, /ZONGSHU/);

  const usd = { ...declareRequest(p.id), declarationAmount: { currency: 'USD', value: '19900' } };
  const body2 = assertSignedResult(await rawCall(f.sandbox.url, { path, body: usd }), path, 'F', 'PARAM_ILLEGAL');
  assert.match(body2.result.resultMessage, /declarationAmount\.currency/);

  // The client itself never sends either.
  await assert.rejects(
    f.client.declare(hangzhou as DeclareRequest),
    (e: unknown) => e instanceof MessageValidationError && /customs\.customsCode/.test(e.message),
  );
  assert.deepEqual(await declarationsOf(p.id), []);
});

test('declare for an unknown paymentRequestId is F ORDER_NOT_EXIST', async () => {
  await declareRefused(declareRequest(uniqueId('PAY-NONE')), 'ORDER_NOT_EXIST');
});

test('declare for an unpaid or cancelled payment is F INVALID_ORDER_STATUS', async () => {
  const p = await unpaidPayment(f);
  await declareRefused(declareRequest(p.id), 'INVALID_ORDER_STATUS');
  await f.client.cancelPayment({ paymentRequestId: p.id });
  await declareRefused(declareRequest(p.id), 'INVALID_ORDER_STATUS');
  assert.deepEqual(await declarationsOf(p.id), []);
});

test('the same declare twice is idempotent on customsDeclarationRequestId: same pspDeclarationRequestId, calls [FIRST, IDEMPOTENT_REPEAT]', async () => {
  const p = await paidPayment(f);
  const first = await f.client.declare(declareRequest(p.id));
  const again = await f.client.declare(declareRequest(p.id));
  assert.equal(again.pspDeclarationRequestId, first.pspDeclarationRequestId);
  assert.deepEqual(again, first);
  assert.equal(first.pspPaymentId, p.paymentId);
  assert.equal(first.pspCustomsCode, '31222699S7');
  assert.deepEqual(first.pspOrderAmount, cny('19900'));
  const ds = await declarationsOf(p.id);
  assert.equal(ds.length, 1);
  assert.deepEqual(
    ds[0].calls.map((c) => c.kind),
    ['FIRST', 'IDEMPOTENT_REPEAT'],
  );
  assert.equal(ds[0].reviews, 1, 'an idempotent repeat starts no new review');
});

test('a second request id for the same order at the same customs is F DUPLICATED_DECLARATION', async () => {
  const p = await paidPayment(f);
  await f.client.declare(declareRequest(p.id, { declarationAmount: cny('100') }));
  const e = await declareRefused(
    declareRequest(p.id, { customsDeclarationRequestId: `${p.id}-D2`, declarationAmount: cny('100') }),
    'DUPLICATED_DECLARATION',
  );
  assert.match(e.message, new RegExp(`${p.id}-D1`));
  assert.deepEqual(
    (await declarationsOf(p.id)).map((d) => d.customsDeclarationRequestId),
    [`${p.id}-D1`],
  );
});

test('split parts that together pass the payment: the one that passes it is F DECLARED_AMOUNT_EXCEED_LIMIT', async () => {
  const p = await paidPayment(f); // 19900
  await f.client.declare(splitPart(p.id, 1, 10_000));
  const e = await declareRefused(splitPart(p.id, 2, 10_000), 'DECLARED_AMOUNT_EXCEED_LIMIT');
  assert.match(e.message, /20000/);
  assert.deepEqual(
    (await declarationsOf(p.id)).map((d) => d.currentAmount),
    ['10000'],
  );
});

test('split: isSplit "true" requires referenceOrderId (client check and PARAM_ILLEGAL); two parts summing to the payment are both accepted', async () => {
  const p = await paidPayment(f);
  const noRef = declareRequest(p.id, { isSplit: 'true', declarationAmount: cny('10000') });
  await assert.rejects(f.client.declare(noRef), (e: unknown) => {
    assert.ok(e instanceof MessageValidationError);
    assert.deepEqual(
      e.problems.map((x) => x.field),
      ['referenceOrderId'],
    );
    return true;
  });
  const raw = assertSignedResult(
    await rawCall(f.sandbox.url, { path: APIS.declare.path, body: noRef }),
    APIS.declare.path,
    'F',
    'PARAM_ILLEGAL',
  );
  assert.match(raw.result.resultMessage, /referenceOrderId is required when isSplit is "true"/);

  const a = await f.client.declare(splitPart(p.id, 1, 10_000));
  const b = await f.client.declare(splitPart(p.id, 2, 9_900));
  assert.notEqual(a.pspDeclarationRequestId, b.pspDeclarationRequestId);
  const ds = await declarationsOf(p.id);
  assert.deepEqual(
    ds.map((d) => [d.customsDeclarationRequestId, d.customsOrderId, d.currentAmount]),
    [
      [`${p.id}-P1`, `${p.id}-O1`, '10000'],
      [`${p.id}-P2`, `${p.id}-O2`, '9900'],
    ],
  );
});

test('a retransmitted amount REPLACES the old one: 19900 then 15000 leaves room for a 4900 part', async () => {
  const p = await paidPayment(f);
  await f.client.declare(splitPart(p.id, 1, 19_900));
  await declareRefused(splitPart(p.id, 2, 4_900), 'DECLARED_AMOUNT_EXCEED_LIMIT'); // no room yet
  await f.helpers.advance(5 * MIN + 1_000);
  await f.client.declare(splitPart(p.id, 1, 15_000));
  const part1 = await declaration(`${p.id}-P1`);
  assert.equal(part1.currentAmount, '15000');
  assert.deepEqual(
    part1.calls.map((c) => [c.kind, c.amount]),
    [
      ['FIRST', '19900'],
      ['RETRANSMISSION', '15000'],
    ],
  );
  // 15000 + 4900 = 19900 fits; stacked amounts (19900 + 15000 + 4900) would not.
  await f.client.declare(splitPart(p.id, 2, 4_900));
  assert.deepEqual(
    (await declarationsOf(p.id)).map((d) => d.currentAmount),
    ['15000', '4900'],
  );
});

test('a retransmission whose new amount passes the payment is F DECLARED_AMOUNT_EXCEED_LIMIT; the old amount stays', async () => {
  const p = await paidPayment(f);
  await f.client.declare(declareRequest(p.id));
  await f.helpers.advance(5 * MIN + 1_000);
  await declareRefused(declareRequest(p.id, { declarationAmount: cny('19901') }), 'DECLARED_AMOUNT_EXCEED_LIMIT');
  const d = await declaration(`${p.id}-D1`);
  assert.equal(d.currentAmount, '19900');
  assert.deepEqual(
    d.calls.map((c) => c.kind),
    ['FIRST'],
  );
  assert.deepEqual(
    d.refusedCalls.map((c) => c.resultCode),
    ['DECLARED_AMOUNT_EXCEED_LIMIT'],
  );
});

test('the 5-minute rule counts from the LAST call: refused at 4:59, accepted at 5:01, refused again 1 minute later', async () => {
  const p = await paidPayment(f);
  const t0 = await f.helpers.now();
  const first = await f.client.declare(declareRequest(p.id));
  const ningbo = declareRequest(p.id, { customs: { customsCode: 'NINGBO', region: 'CN' } });

  await f.helpers.advance(299_000); // t0 + 4:59
  const early = await declareRefused(ningbo, 'REPEAT_REQ_INCONSISTENT');
  assert.match(early.message, /customs\.customsCode/);

  await f.helpers.advance(2_000); // t0 + 5:01
  const retransmitted = await f.client.declare(ningbo);
  assert.deepEqual(retransmitted, first, 'a retransmission gets the same response as the first success');

  let d = await declaration(`${p.id}-D1`);
  assert.equal(d.customsCode, 'NINGBO');
  assert.deepEqual(
    d.calls.map((c) => [c.kind, c.customsCode, c.at]),
    [
      ['FIRST', 'ZONGSHU', iso(t0)],
      ['RETRANSMISSION', 'NINGBO', iso(t0 + 301_000)],
    ],
  );
  assert.deepEqual(
    d.refusedCalls.map((c) => [c.resultCode, c.at]),
    [['REPEAT_REQ_INCONSISTENT', iso(t0 + 299_000)]],
  );
  assert.equal(d.reviews, 2, 'the retransmission is reviewed again');

  // 6:01 after the first call but only 1:00 after the last one.
  await f.helpers.advance(60_000);
  await declareRefused(
    declareRequest(p.id, {
      customs: { customsCode: 'NINGBO', region: 'CN' },
      merchantCustomsInfo: { merchantCustomsCode: 'MC-0002', merchantCustomsName: 'Example Merchant Ltd' },
    }),
    'REPEAT_REQ_INCONSISTENT',
  );
  d = await declaration(`${p.id}-D1`);
  assert.deepEqual(
    d.calls.map((c) => c.kind),
    ['FIRST', 'RETRANSMISSION'],
  );
  assert.deepEqual(
    d.refusedCalls.map((c) => c.at),
    [iso(t0 + 299_000), iso(t0 + 361_000)],
  );
});

test('"more than 5 minutes": a change exactly 5:00 after the last call is refused, 1 ms later it is accepted', async () => {
  const p = await paidPayment(f);
  await f.client.declare(declareRequest(p.id));
  const changed = declareRequest(p.id, {
    merchantCustomsInfo: { merchantCustomsCode: 'MC-0002', merchantCustomsName: 'Example Merchant Ltd' },
  });
  await f.helpers.advance(300_000);
  await declareRefused(changed, 'REPEAT_REQ_INCONSISTENT');
  await f.helpers.advance(1);
  await f.client.declare(changed);
  assert.deepEqual(
    (await declaration(`${p.id}-D1`)).calls.map((c) => c.kind),
    ['FIRST', 'RETRANSMISSION'],
  );
});

test('an unchanged repeat within 5 minutes is an idempotent success, and it is a call the 5 minutes count from', async () => {
  const p = await paidPayment(f);
  const t0 = await f.helpers.now();
  const first = await f.client.declare(declareRequest(p.id));
  await f.helpers.advance(4 * MIN);
  assert.deepEqual(await f.client.declare(declareRequest(p.id)), first);
  const zhengzhou = declareRequest(p.id, { customs: { customsCode: 'ZHENGZHOU', region: 'CN' } });
  await f.helpers.advance(MIN + 1_000); // 5:01 after the first call, 1:01 after the last
  await declareRefused(zhengzhou, 'REPEAT_REQ_INCONSISTENT');
  await f.helpers.advance(4 * MIN); // 5:01 after the last call
  await f.client.declare(zhengzhou);
  const d = await declaration(`${p.id}-D1`);
  assert.deepEqual(
    d.calls.map((c) => [c.kind, c.at]),
    [
      ['FIRST', iso(t0)],
      ['IDEMPOTENT_REPEAT', iso(t0 + 4 * MIN)],
      ['RETRANSMISSION', iso(t0 + 9 * MIN + 1_000)],
    ],
  );
});

test('only the four mutable fields may change: isSplit/referenceOrderId or buyerCertificate after 5:01 is REPEAT_REQ_INCONSISTENT naming the field', async () => {
  const p = await paidPayment(f);
  await f.client.declare(splitPart(p.id, 1, 10_000, { buyerCertificate: certificateOf(BUYER) }));
  await f.helpers.advance(5 * MIN + 1_000);

  const notSplit = splitPart(p.id, 1, 10_000, { buyerCertificate: certificateOf(BUYER), isSplit: 'false', referenceOrderId: undefined });
  const e1 = await declareRefused(notSplit, 'REPEAT_REQ_INCONSISTENT');
  assert.match(e1.message, /isSplit/);
  assert.match(e1.message, /referenceOrderId/);

  const otherRef = splitPart(p.id, 1, 10_000, { buyerCertificate: certificateOf(BUYER), referenceOrderId: `${p.id}-OX` });
  const e2 = await declareRefused(otherRef, 'REPEAT_REQ_INCONSISTENT');
  assert.match(e2.message, /referenceOrderId may not change/);

  const otherBuyer = splitPart(p.id, 1, 10_000, { buyerCertificate: certificateOf(OTHER_PERSON) });
  const e3 = await declareRefused(otherBuyer, 'REPEAT_REQ_INCONSISTENT');
  assert.match(e3.message, /buyerCertificate\.certificateNo/);

  // All four mutable fields at once are fine.
  await f.client.declare(
    splitPart(p.id, 1, 9_000, {
      buyerCertificate: certificateOf(BUYER),
      customs: { customsCode: 'SHANGHAI_CBT', region: 'CN' },
      merchantCustomsInfo: { merchantCustomsCode: 'MC-0009', merchantCustomsName: 'Renamed Merchant Ltd' },
    }),
  );
  const d = await declaration(`${p.id}-P1`);
  assert.deepEqual(
    d.calls.map((c) => [c.kind, c.amount, c.customsCode, c.merchantCustomsCode]),
    [
      ['FIRST', '10000', 'ZONGSHU', 'MC-0001'],
      ['RETRANSMISSION', '9000', 'SHANGHAI_CBT', 'MC-0009'],
    ],
  );
  assert.equal(d.refusedCalls.length, 3);
});

test('identityCheckResult: CHECK_PASSED when the certificate is the payer, CHECK_NOT_PASSED when not, and only on the first declaration', async () => {
  const a = await paidPayment(f, { payer: BUYER });
  const partA1 = await f.client.declare(splitPart(a.id, 1, 10_000, { buyerCertificate: certificateOf(BUYER) }));
  assert.equal(partA1.identityCheckResult, 'CHECK_PASSED');
  // An idempotent repeat returns the first response, result included.
  assert.equal(
    (await f.client.declare(splitPart(a.id, 1, 10_000, { buyerCertificate: certificateOf(BUYER) }))).identityCheckResult,
    'CHECK_PASSED',
  );
  // A later declaration of the same payment, certificate and all, gets none.
  const partA2 = await f.client.declare(splitPart(a.id, 2, 9_900, { buyerCertificate: certificateOf(BUYER) }));
  assert.equal(partA2.identityCheckResult, undefined);

  const b = await paidPayment(f, { payer: BUYER });
  const declB = await f.client.declare(declareRequest(b.id, { buyerCertificate: certificateOf(OTHER_PERSON) }));
  assert.equal(declB.identityCheckResult, 'CHECK_NOT_PASSED');

  // The same name with another certificate number is not the payer either.
  const sameName = { ...OTHER_PERSON, fullName: BUYER.fullName };
  const e = await paidPayment(f, { payer: BUYER });
  assert.equal(
    (await f.client.declare(declareRequest(e.id, { buyerCertificate: certificateOf(sameName) }))).identityCheckResult,
    'CHECK_NOT_PASSED',
  );

  const c = await paidPayment(f, { payer: BUYER });
  assert.equal((await f.client.declare(declareRequest(c.id))).identityCheckResult, undefined, 'no certificate, no check');
});

test('the identityChecks rule sets what the identity check answers for a payment, whoever paid', async () => {
  const a = await paidPayment(f, { payer: BUYER });
  await f.helpers.failIdentityCheck(a.id);
  const declA = await f.client.declare(declareRequest(a.id, { buyerCertificate: certificateOf(BUYER) }));
  assert.equal(declA.identityCheckResult, 'CHECK_NOT_PASSED', 'the buyer paid, yet the rule fails the check');

  const b = await paidPayment(f, { payer: OTHER_PERSON });
  await f.helpers.customsRules({ identityChecks: { [b.id]: 'CHECK_PASSED' } });
  const declB = () => f.client.declare(declareRequest(b.id, { buyerCertificate: certificateOf(BUYER) }));
  assert.equal((await declB()).identityCheckResult, 'CHECK_PASSED', 'another person paid, yet the rule passes the check');
  assert.equal((await declB()).identityCheckResult, 'CHECK_PASSED', 'an idempotent repeat returns the same answer');
});

test('a retransmission that drops buyerCertificate is F REPEAT_REQ_INCONSISTENT with a resultMessage of at most 256 characters', async () => {
  const p = await paidPayment(f);
  const first = { ...declareRequest(p.id), buyerCertificate: certificateOf(BUYER) };
  await f.client.declare(first);
  await f.helpers.advance(5 * MIN + 1_000);
  const { buyerCertificate: _dropped, ...withoutCertificate } = first;
  const path = APIS.declare.path;
  const body = assertSignedResult(await rawCall(f.sandbox.url, { path, body: withoutCertificate }), path, 'F', 'REPEAT_REQ_INCONSISTENT');
  assert.ok(body.result.resultMessage.length <= 256, `resultMessage has ${body.result.resultMessage.length} characters`);
  assert.match(body.result.resultMessage, /buyerCertificate/);
  // The client reads it as the final answer it is, not as a garbled response to retry.
  await declareRefused(withoutCertificate, 'REPEAT_REQ_INCONSISTENT');
});
