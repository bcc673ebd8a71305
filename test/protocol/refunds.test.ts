import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AlipayPlusFinalError } from '../../alipay-plus';
import { nextCutoff } from '../../sandbox/refunds';
import { paidPayment } from '../support/orders';
import { frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { rejectsWith } from '../support/wire';

// refund, inquiryRefund and notifyRefund: a refund is accepted, stays PROCESSING until the next daily
// cut-off (16:00 UTC, 00:00 in Beijing), then is SUCCESS, or FAIL when a helper said so.

const HOUR = 3_600_000;
// 10:00 UTC: the next cut-off is 6 hours later.
const START = Date.parse('2026-03-02T10:00:00Z');
let f: SandboxFixture;
before(async () => (f = await startSandboxFixture({ timeSource: frozenTime(START) })));
after(() => f.close());

const cny = (value: string) => ({ currency: 'CNY', value });

async function refunded(n: number, value = '5000') {
  const p = await paidPayment(f);
  const refundRequestId = `${p.id}-R${n}`;
  const accepted = await f.client.refund({ refundRequestId, paymentRequestId: p.id, refundAmount: cny(value) });
  return { p, refundRequestId, accepted };
}

test('nextCutoff is the first 16:00 UTC strictly after the time', () => {
  assert.equal(nextCutoff(START), Date.parse('2026-03-02T16:00:00Z'));
  assert.equal(nextCutoff(Date.parse('2026-03-02T16:00:00Z')), Date.parse('2026-03-03T16:00:00Z'));
  assert.equal(nextCutoff(Date.parse('2026-03-02T23:00:00Z'), 0), Date.parse('2026-03-03T00:00:00Z'));
});

test('a refund is PROCESSING until the cut-off, then SUCCESS at the rate of the payment; inquiry by either id', async () => {
  const { refundRequestId, accepted } = await refunded(1);
  assert.equal(accepted.refundTime, undefined, 'the refund answer only says the request was accepted');
  const before = await f.client.inquiryRefund({ refundRequestId });
  assert.equal(before.refundStatus, 'PROCESSING');
  assert.equal(before.refundId, accepted.refundId);
  const now = await f.helpers.now();
  const cutoff = nextCutoff(now);
  await f.helpers.advance(cutoff - now - 1);
  assert.equal((await f.client.inquiryRefund({ refundId: accepted.refundId })).refundStatus, 'PROCESSING');
  await f.helpers.advance(1);
  const after = await f.client.inquiryRefund({ refundId: accepted.refundId });
  assert.equal(after.refundStatus, 'SUCCESS');
  assert.equal(after.refundRequestId, refundRequestId);
  assert.equal(after.refundTime, new Date(cutoff).toISOString());
  assert.equal(after.settlementQuote?.quotePrice, '7.1000');
  assert.deepEqual(after.grossSettlementAmount, { currency: 'USD', value: String(Math.round(5000 / 7.1)) });
  const [d] = (await f.helpers.ledger()).notifications.filter((x) => x.refundRequestId === refundRequestId);
  assert.equal(d.notifyType, 'REFUND_RESULT');
  assert.equal(d.attempts[0].at, new Date(cutoff).toISOString(), 'notifyRefund goes out at the cut-off');
});

test('a held refund waits for its funds, then for the cut-off after them', async () => {
  const { refundRequestId } = await refunded(1);
  await f.helpers.holdRefund(refundRequestId, 30 * HOUR);
  const now = await f.helpers.now();
  await f.helpers.advance(nextCutoff(now) - now);
  assert.equal((await f.client.inquiryRefund({ refundRequestId })).refundStatus, 'PROCESSING', 'still no funds at the first cut-off');
  const released = nextCutoff(now + 30 * HOUR);
  await f.helpers.advance(released - (await f.helpers.now()));
  const r = await f.client.inquiryRefund({ refundRequestId });
  assert.equal(r.refundStatus, 'SUCCESS');
  assert.equal(r.refundTime, new Date(released).toISOString());
});

test('a refund made to fail is FAIL at its cut-off, notified with the reason; its amount may be refunded again', async () => {
  const { p, refundRequestId } = await refunded(1, '19900');
  await f.helpers.failRefund(refundRequestId, { resultCode: 'REFUND_FAILED', resultMessage: 'the buyer account is closed' });
  // While it is under way, nothing more can be refunded: a refund cannot be cancelled once it starts.
  await rejectsWith(
    f.client.refund({ refundRequestId: `${p.id}-R2`, paymentRequestId: p.id, refundAmount: cny('1') }),
    AlipayPlusFinalError,
    'REFUND_AMOUNT_EXCEED',
  );
  const now = await f.helpers.now();
  await f.helpers.advance(nextCutoff(now) - now);
  const r = await f.client.inquiryRefund({ refundRequestId });
  assert.equal(r.refundStatus, 'FAIL');
  assert.equal(r.refundTime, undefined);
  const [ledgerRefund] = (await f.helpers.ledgerOf(p.id)).refunds;
  assert.equal(ledgerRefund.failure, 'REFUND_FAILED: the buyer account is closed');
  const [d] = (await f.helpers.ledger()).notifications.filter((x) => x.refundRequestId === refundRequestId);
  assert.equal(d.attempts.length, 1);
  const again = await f.client.refund({ refundRequestId: `${p.id}-R2`, paymentRequestId: p.id, refundAmount: cny('19900') });
  assert.equal((await f.client.inquiryRefund({ refundId: again.refundId })).refundStatus, 'PROCESSING');
});

test('inquiryRefund of an unknown refund is F REFUND_NOT_EXIST', async () => {
  await rejectsWith(f.client.inquiryRefund({ refundRequestId: 'nope' }), AlipayPlusFinalError, 'REFUND_NOT_EXIST');
});
