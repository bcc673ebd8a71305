import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AlipayPlusFinalError } from '../../alipay-plus';
import { startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { BUYER, declareRequest, payRequest } from '../support/orders';

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture()));
after(() => f.close());

test('pay, the buyer pays, then inquiryPayment shows the amount to declare and the rate', async () => {
  const req = payRequest();
  const paid = await f.client.pay(req);
  assert.match(paid.paymentUrl, /\/cashier\//);
  const before = await f.client.inquiryPayment({ paymentRequestId: req.paymentRequestId });
  assert.equal(before.paymentStatus, 'PROCESSING');
  assert.equal(before.customsDeclarationAmount, undefined);

  await f.helper('POST', `/sandbox/payments/${req.paymentRequestId}/succeed`, { payer: BUYER });
  const after = await f.client.inquiryPayment({ paymentRequestId: req.paymentRequestId });
  assert.equal(after.paymentStatus, 'SUCCESS');
  assert.equal(after.paymentId, paid.paymentId);
  assert.deepEqual(after.customsDeclarationAmount, { currency: 'CNY', value: '19900' });
  assert.deepEqual(after.settlementQuote?.quoteCurrencyPair, 'USD/CNY');
  assert.equal(after.payerRealNameVerified, 'true');

  const declared = await f.client.declare(declareRequest(req.paymentRequestId));
  assert.equal(declared.pspCustomsCode, '31222699S7');
});

test('declare before payment is INVALID_ORDER_STATUS', async () => {
  const req = payRequest();
  await f.client.pay(req);
  await assert.rejects(f.client.declare(declareRequest(req.paymentRequestId)), (e: unknown) => {
    assert.ok(e instanceof AlipayPlusFinalError);
    assert.equal(e.resultCode, 'INVALID_ORDER_STATUS');
    return true;
  });
});
