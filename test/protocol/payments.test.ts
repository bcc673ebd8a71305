import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import axios from 'axios';
import { AlipayPlusFinalError } from '../../alipay-plus';
import { BUYER, paidPayment, payRequest, unpaidPayment, uniqueId } from '../support/orders';
import { startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { rejectsWith } from '../support/wire';

// pay, inquiryPayment, cancelPayment and refund against the sandbox.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture()));
after(() => f.close());

const DAY = 86_400_000;
const cny = (value: string) => ({ currency: 'CNY', value });

test('pay returns the cashier as normalUrl on the web; once the buyer pays, inquiryPayment shows the amount to declare and the rate', async () => {
  const req = payRequest({ now: await f.helpers.now() });
  const paid = await f.client.pay(req);
  assert.equal(paid.normalUrl, `${f.sandbox.url}/cashier/${encodeURIComponent(paid.paymentId)}`);
  const page = await axios.get<string>(paid.normalUrl, { responseType: 'text' });
  assert.equal(page.status, 200);
  assert.match(page.data, new RegExp(req.paymentRequestId));

  const before = await f.client.inquiryPayment({ paymentRequestId: req.paymentRequestId });
  assert.equal(before.paymentStatus, 'PROCESSING');
  assert.equal(before.paymentResult?.resultStatus, 'U');
  assert.equal(before.customsDeclarationAmount, undefined);

  await f.helpers.pay(req.paymentRequestId, BUYER);
  const after = await f.client.inquiryPayment({ paymentRequestId: req.paymentRequestId });
  assert.equal(after.paymentStatus, 'SUCCESS');
  assert.deepEqual(after.paymentResult, { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' });
  assert.equal(after.paymentId, paid.paymentId);
  assert.deepEqual(after.paymentAmount, cny('19900'));
  assert.deepEqual(after.customsDeclarationAmount, cny('19900'));
  assert.equal(after.settlementQuote?.quoteCurrencyPair, 'USD/CNY');
  assert.equal(after.settlementQuote?.quotePrice, '7.1000');
  assert.ok(
    !('payerRealNameVerified' in after),
    "Alipay+ has no payer real-name field: the identity check is declare's identityCheckResult",
  );
});

test('pay again with the same paymentRequestId and the same content is idempotent: same paymentId, one payment', async () => {
  const req = payRequest({ now: await f.helpers.now() });
  const first = await f.client.pay(req);
  const second = await f.client.pay(req);
  assert.equal(second.paymentId, first.paymentId);
  assert.equal(second.normalUrl, first.normalUrl);
  const payments = (await f.helpers.ledger()).payments.filter((p) => p.paymentRequestId === req.paymentRequestId);
  assert.equal(payments.length, 1);
});

test('pay again with the same paymentRequestId and other content is F REPEAT_REQ_INCONSISTENT; the first payment stands', async () => {
  const req = payRequest({ now: await f.helpers.now() });
  const first = await f.client.pay(req);
  const changed = { ...req, paymentAmount: cny('29900'), order: { ...req.order, orderAmount: cny('29900') } };
  await rejectsWith(f.client.pay(changed), AlipayPlusFinalError, 'REPEAT_REQ_INCONSISTENT');
  const inquiry = await f.client.inquiryPayment({ paymentRequestId: req.paymentRequestId });
  assert.equal(inquiry.paymentId, first.paymentId);
  assert.deepEqual(inquiry.paymentAmount, cny('19900'));
});

test("pay without paymentExpiryTime is accepted (the field is optional) and expires after Alipay+'s default 10 minutes", async () => {
  const { paymentExpiryTime: _omitted, ...req } = payRequest({ now: await f.helpers.now() });
  const paid = await f.client.pay(req);
  const [payment] = (await f.helpers.ledgerOf(req.paymentRequestId)).payments;
  assert.equal(payment.paymentId, paid.paymentId);
  assert.equal(Date.parse(payment.expiresAt) - Date.parse(payment.createdAt), 10 * 60_000);
  await f.helpers.advance(10 * 60_000 + 1_000);
  await assert.rejects(f.helpers.pay(req.paymentRequestId, BUYER), /409.*expired/);
});

test('inquiryPayment of an unknown paymentRequestId is F ORDER_NOT_EXIST', async () => {
  await rejectsWith(f.client.inquiryPayment({ paymentRequestId: uniqueId('PAY-NONE') }), AlipayPlusFinalError, 'ORDER_NOT_EXIST');
});

test('cancelPayment cancels an unpaid payment; the buyer can no longer pay it (helper answers 409)', async () => {
  const p = await unpaidPayment(f);
  const cancelled = await f.client.cancelPayment({ paymentRequestId: p.id });
  assert.equal(cancelled.paymentId, p.paymentId);
  const inquiry = await f.client.inquiryPayment({ paymentRequestId: p.id });
  assert.equal(inquiry.paymentStatus, 'CANCELLED');
  assert.equal(inquiry.paymentResult?.resultStatus, 'F');
  assert.equal(inquiry.paymentResult?.resultCode, 'ORDER_IS_CLOSED');
  // The helper client's error names the helper, the method and path, the status and the sandbox's answer.
  await assert.rejects(f.helpers.pay(p.id, BUYER), {
    message: `sandbox pay: POST /sandbox/payments/${p.id}/succeed: HTTP 409 {"error":"payment is CANCELLED"}`,
  });
  assert.equal((await f.client.inquiryPayment({ paymentRequestId: p.id })).paymentStatus, 'CANCELLED');
});

test('cancelPayment of a paid payment is F INVALID_ORDER_STATUS; it stays paid', async () => {
  const p = await paidPayment(f);
  await rejectsWith(f.client.cancelPayment({ paymentRequestId: p.id }), AlipayPlusFinalError, 'INVALID_ORDER_STATUS');
  assert.equal((await f.client.inquiryPayment({ paymentRequestId: p.id })).paymentStatus, 'SUCCESS');
});

test('refund is idempotent on refundRequestId: the same refundId, one ledger entry', async () => {
  const p = await paidPayment(f);
  const req = { refundRequestId: `${p.id}-R1`, paymentRequestId: p.id, refundAmount: cny('5000'), refundReason: 'damaged tin' };
  const first = await f.client.refund(req);
  const again = await f.client.refund(req);
  assert.equal(again.refundId, first.refundId);
  assert.equal(again.refundTime, first.refundTime);
  assert.equal(first.paymentId, p.paymentId);
  const refunds = (await f.helpers.ledger()).refunds.filter((r) => r.paymentRequestId === p.id);
  assert.deepEqual(
    refunds.map((r) => [r.refundRequestId, r.refundId, r.amount.value]),
    [[req.refundRequestId, first.refundId, '5000']],
  );
});

test('partial refunds are allowed up to the payment; the refund that would pass it is F REFUND_AMOUNT_EXCEED', async () => {
  const p = await paidPayment(f); // 19900 fen
  const refund = (n: number, fen: string) =>
    f.client.refund({ refundRequestId: `${p.id}-R${n}`, paymentRequestId: p.id, refundAmount: cny(fen) });
  await refund(1, '10000');
  await refund(2, '9000');
  const e = await rejectsWith(refund(3, '1000'), AlipayPlusFinalError, 'REFUND_AMOUNT_EXCEED'); // 20000 > 19900
  assert.match(e.message, /20000/);
  await refund(4, '900'); // exactly 19900 in all
  await rejectsWith(refund(5, '1'), AlipayPlusFinalError, 'REFUND_AMOUNT_EXCEED');
  const ledger = await f.helpers.ledger();
  const refunds = ledger.refunds.filter((r) => r.paymentRequestId === p.id);
  assert.deepEqual(
    refunds.map((r) => r.refundRequestId),
    [`${p.id}-R1`, `${p.id}-R2`, `${p.id}-R4`],
  );
  assert.equal(
    refunds.reduce((sum, r) => sum + Number(r.amount.value), 0),
    19900,
  );
});

test('a refundRequestId reused with other content is F REPEAT_REQ_INCONSISTENT; the first refund stands alone', async () => {
  const p = await paidPayment(f);
  const req = { refundRequestId: `${p.id}-R1`, paymentRequestId: p.id, refundAmount: cny('5000') };
  const first = await f.client.refund(req);
  await rejectsWith(f.client.refund({ ...req, refundAmount: cny('6000') }), AlipayPlusFinalError, 'REPEAT_REQ_INCONSISTENT');
  const refunds = (await f.helpers.ledger()).refunds.filter((r) => r.paymentRequestId === p.id);
  assert.deepEqual(
    refunds.map((r) => [r.refundId, r.amount.value]),
    [[first.refundId, '5000']],
  );
});

test('the refund carries the settlementQuote recorded at payment time, even after the exchange rate changed', async () => {
  const early = await paidPayment(f);
  const recorded = (await f.client.inquiryPayment({ paymentRequestId: early.id })).settlementQuote;
  assert.equal(recorded?.quotePrice, '7.1000');
  await f.helpers.exchangeRate('6.8000');
  try {
    const late = await paidPayment(f);
    assert.equal((await f.client.inquiryPayment({ paymentRequestId: late.id })).settlementQuote?.quotePrice, '6.8000');
    const refund = await f.client.refund({ refundRequestId: `${early.id}-R1`, paymentRequestId: early.id, refundAmount: cny('19900') });
    assert.deepEqual(refund.settlementQuote, recorded);
  } finally {
    await f.helpers.exchangeRate('7.1000');
  }
});

// Moves the sandbox clock 91 days: keep it last in this file.
test('a refund within 90 days is accepted; one applied 91 days after the payment is F REFUND_WINDOW_EXCEED', async () => {
  const a = await paidPayment(f);
  const b = await paidPayment(f);
  await f.helpers.advance(89 * DAY);
  await f.client.refund({ refundRequestId: `${a.id}-R1`, paymentRequestId: a.id, refundAmount: cny('100') });
  await f.helpers.advance(2 * DAY);
  const e = await rejectsWith(
    f.client.refund({ refundRequestId: `${b.id}-R1`, paymentRequestId: b.id, refundAmount: cny('100') }),
    AlipayPlusFinalError,
    'REFUND_WINDOW_EXCEED',
  );
  assert.match(e.message, /90 days/);
  const refunds = (await f.helpers.ledger()).refunds.filter((r) => r.paymentRequestId === a.id || r.paymentRequestId === b.id);
  assert.deepEqual(
    refunds.map((r) => r.refundRequestId),
    [`${a.id}-R1`],
  );
});
