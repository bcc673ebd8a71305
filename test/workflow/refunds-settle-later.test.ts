import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderHandle, orderStatus, requestRefund, resolveFailedRefund, startOrder } from '../../client/orders';
import { REFUND_STATUS } from '../../domain/search-attributes';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// Refunds that settle later (seed 001): Alipay+ accepts a refund, processes it at its next daily cut-off,
// or later when it has no CNY, and it ends SUCCESS or FAIL. The order follows each one to its end.

let s: WorkflowStack;
// The sandbox's real rule: processed at the next daily cut-off, 16:00 UTC.
before(async () => (s = await startWorkflowStack({ refundSettleDelayMs: null })));
after(() => s?.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Skips to one hour past the sandbox's daily cut-off (16:00 UTC). A refund accepted then settles at a cut-off,
 * hours away from each of the order's inquiries (26 hours after the refund, then every 6), so a test can tell
 * the notification's answer from the inquiry's.
 */
async function skipPastCutoff() {
  const now = await s.env.currentTimeMs();
  const target = Math.ceil((now - 17 * HOUR) / DAY) * DAY + 17 * HOUR;
  if (target > now) await s.env.sleep(target - now);
}

/**
 * Skips time ten minutes at a step until the sandbox has settled the refund. Time then stands still, so the
 * order's inquiry timer cannot fire while notifyRefund, sent on the sandbox's real-time loop, reaches it.
 */
async function settleInSandbox(orderId: string, refundRequestId: string) {
  for (let step = 0; step < 6 * 24 * 3; step++) {
    const r = (await s.f.helpers.ledgerOf(orderId)).refunds.find((x) => x.refundRequestId === refundRequestId);
    if (r && r.status !== 'PROCESSING') return;
    await s.env.sleep(10 * MINUTE);
  }
  throw new Error(`the sandbox did not settle ${refundRequestId} within 3 days`);
}

async function releasedOrder(seed: number) {
  const buyer = freshBuyer(seed);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  return order;
}

const refundStatusAttribute = async (orderId: string) =>
  (await orderHandle(s.env.client, orderId).describe()).typedSearchAttributes.get(REFUND_STATUS);

test('a refund that waits a day for CNY stays PROCESSING, then succeeds; the order shows it pending meanwhile', async () => {
  const order = await releasedOrder(501);
  const refundRequestId = `${order.orderId}-R1`;
  await skipPastCutoff();
  await s.f.helpers.holdRefund(refundRequestId, DAY);
  const accepted = await requestRefund(s.env.client, order.orderId, {
    amountFen: 5_000,
    reason: 'one tin dented',
    requestedBy: 'support@merchant',
  });
  assert.equal(accepted.status, 'PROCESSING', 'accepted is not returned');
  const pending = await orderStatus(s.env.client, order.orderId);
  assert.equal(pending.refunds[0].status, 'PROCESSING');
  assert.equal(pending.refundableFen, order.totalFen - 5_000, 'a refund under way cannot be refunded again');
  assert.equal(await refundStatusAttribute(order.orderId), 'PROCESSING');

  const acceptedAt = await s.env.currentTimeMs();
  await settleInSandbox(order.orderId, refundRequestId);
  const done = await waitForStatus(s.env.client, order.orderId, 'the refund succeeded', (x) => x.refunds[0]?.status === 'SUCCEEDED');
  const [r] = done.refunds;
  assert.ok(
    Date.parse(r.settledAt!) - acceptedAt >= DAY,
    `settled ${r.settledAt}, a day after ${new Date(acceptedAt).toISOString()} at least`,
  );
  assert.equal(r.learnedFrom, 'NOTIFICATION');
  assert.equal(done.stuck, undefined);
  const [ledger] = (await s.f.helpers.ledgerOf(order.orderId)).refunds;
  assert.equal(ledger.status, 'SUCCESS');
  assert.equal(ledger.finishedAt, r.settledAt);
  assert.equal(await refundStatusAttribute(order.orderId), 'SETTLED');
});

test('a refund that fails leaves the order stuck with its reason; the operator retries it and the retry succeeds', async () => {
  const order = await releasedOrder(502);
  await skipPastCutoff();
  await s.f.helpers.failRefund(`${order.orderId}-R1`, { resultCode: 'REFUND_FAILED', resultMessage: "the buyer's account is closed" });
  const accepted = await requestRefund(s.env.client, order.orderId, {
    amountFen: order.totalFen,
    reason: 'not delivered',
    requestedBy: 'support@merchant',
  });
  assert.equal(accepted.status, 'PROCESSING');

  await settleInSandbox(order.orderId, `${order.orderId}-R1`);
  const stuck = await waitForStatus(s.env.client, order.orderId, 'stuck on the failed refund', (x) => x.stuck?.code === 'REFUND_FAILED');
  assert.equal(stuck.refunds[0].status, 'FAILED');
  assert.match(stuck.stuck!.reason, new RegExp(`${order.orderId}-R1 failed: REFUND_FAILED: the buyer's account is closed`));
  // Issue 23: it returned nothing, but the operator's retry would refund it again, so it is kept back until decided.
  assert.equal(stuck.refunds[0].awaitingDecision, true);
  assert.equal(stuck.refundableFen, 0, 'a failed refund awaiting a decision is not refundable by another request');
  assert.equal(await refundStatusAttribute(order.orderId), 'FAILED');

  await resolveFailedRefund(s.env.client, order.orderId, { action: 'RETRY', operator: 'ops@merchant', reason: 'account reopened' });
  await settleInSandbox(order.orderId, `${order.orderId}-R2`);
  const done = await waitForStatus(
    s.env.client,
    order.orderId,
    'the retried refund succeeded',
    (x) => x.refunds[1]?.status === 'SUCCEEDED',
  );
  assert.equal(done.refunds[1].refundRequestId, `${order.orderId}-R2`);
  assert.equal(done.stuck, undefined);
  assert.equal(done.refundableFen, 0);
  const ledger = (await s.f.helpers.ledgerOf(order.orderId)).refunds;
  assert.deepEqual(
    ledger.map((r) => [r.refundRequestId, r.status]),
    [
      [`${order.orderId}-R1`, 'FAIL'],
      [`${order.orderId}-R2`, 'SUCCESS'],
    ],
  );
});

test('when no notifyRefund arrives, the order learns the final status from inquiryRefund on its timer', async () => {
  const order = await releasedOrder(503);
  await s.f.helpers.faults({ dropNotificationRate: 1 });
  try {
    const accepted = await requestRefund(s.env.client, order.orderId, {
      amountFen: 1_000,
      reason: 'late',
      requestedBy: 'support@merchant',
    });
    assert.equal(accepted.status, 'PROCESSING');
    const acceptedAt = await s.env.currentTimeMs();
    const done = await waitForStatus(
      s.env.client,
      order.orderId,
      'the refund succeeded',
      (x) => x.refunds[0]?.status === 'SUCCEEDED',
      s.skipping(HOUR, 24 * 3),
    );
    assert.equal(done.refunds[0].learnedFrom, 'INQUIRY');
    assert.ok((await s.env.currentTimeMs()) - acceptedAt >= 26 * HOUR, 'the first inquiry comes 26 hours after the refund');
  } finally {
    await s.f.helpers.faults({});
  }
});
