import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OrderRefusedError, cancelOrder, orderStatus, pollNow, reviewRealName, startOrder } from '../../client/orders';
import { customsYear } from '../../domain/limits';
import type { OrderStatus } from '../../domain/order-api';
import { quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { quotaAmountFen } from '../../domain/order';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, testBuyerKey, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const ops = { operator: 'ops@merchant', reason: 'customer asked by phone' };
const quotaReservedFen = async (certificateNo: string) => {
  const key = testBuyerKey(certificateNo);
  const year = customsYear(await s.env.currentTimeMs());
  return (await s.env.client.workflow.getHandle(quotaWorkflowId(key, year)).query(quotaUsageQuery)).reservedFen;
};
const refusedWith = (rule: string) => (e: unknown) => {
  assert.ok(e instanceof OrderRefusedError, String(e));
  assert.equal(e.rule, rule);
  return true;
};

test('cancel before payment cancels the Alipay+ payment, releases the quota and records who and why', async () => {
  const buyer = freshBuyer(301);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.equal(await quotaReservedFen(buyer.certificateNo), quotaAmountFen(order, true), 'the dutiable value, not the tax');
  const st = await cancelOrder(s.env.client, order.orderId, ops);
  assert.equal(st.stage, 'CANCELLED');
  assert.equal(await quotaReservedFen(buyer.certificateNo), 0);
  assert.match(st.outcome!.reason, /^CANCELLED_BY_OPERATOR: ops@merchant: customer asked by phone/);
  assert.deepEqual(
    st.audit.map((a) => [a.action, a.operator, a.reason]),
    [['cancelOrder', 'ops@merchant', 'customer asked by phone']],
  );
  const { payments, refunds } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    payments.map((p) => p.status),
    ['CANCELLED'],
  );
  assert.deepEqual(refunds, []);
  await assert.rejects(cancelOrder(s.env.client, order.orderId, ops), refusedWith('ORDER_ENDED'));
});

test('cancel during the customs review refunds the payment in full', async () => {
  const buyer = freshBuyer(302);
  const order = sampleOrder({ buyer });
  await s.f.helpers.customsRules({ orders: { [order.orderId]: { decisionAfterMs: 6 * 60 * 60_000 } } });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  // Cancel while the order waits between two polls: customs has answered once, and the test server's clock
  // stands still until the next skip, so no poll is in flight. (The time-skipping test server cannot take
  // an activity's cancellation in the same workflow task as its completion, which a real server can.)
  const polled = (x: OrderStatus) =>
    x.stage === 'CUSTOMS_REVIEW' && ['WAITING_FOR_PROCESSING', 'IN_PROCESS'].includes(x.declarations[0]?.status ?? '');
  await waitForStatus(s.env.client, order.orderId, 'a first customs answer', polled, s.skipping());
  const accepted = await cancelOrder(s.env.client, order.orderId, ops);
  // The cancellation answers once the refund is accepted; the order ends when it succeeded.
  assert.equal(accepted.stage, 'COMPENSATING');
  assert.equal(accepted.refunds[0].status, 'PROCESSING');
  const st = await waitForStage(s.env.client, order.orderId, 'CANCELLED', s.skipping());
  assert.equal(st.refundableFen, 0);
  assert.equal(st.refunds[0].status, 'SUCCEEDED');
  const { refunds } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    refunds.map((r) => r.amount.value),
    [String(order.totalFen)],
  );
});

test('cancel after release for delivery is refused: refund instead', async () => {
  const buyer = freshBuyer(303);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  await assert.rejects(cancelOrder(s.env.client, order.orderId, ops), refusedWith('CANCEL_BEFORE_RELEASE'));
  await assert.rejects(cancelOrder(s.env.client, order.orderId, { operator: '', reason: 'x' }), refusedWith('OPERATOR_ACTION'));
  assert.equal((await orderStatus(s.env.client, order.orderId)).stage, 'RELEASED_FOR_DELIVERY');
});

test('a passport holder waits for a manual real-name review; approval lets the order go on to customs', async () => {
  const buyer = { fullName: 'JOHN SMITH', certificateType: 'PASSPORT' as const, certificateNo: 'E12345678' };
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await assert.rejects(
    reviewRealName(s.env.client, order.orderId, { ...ops, approved: true }),
    refusedWith('REAL_NAME_REVIEW_NOT_PENDING'),
  );
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const waiting = await waitForStage(s.env.client, order.orderId, 'REAL_NAME_REVIEW', s.skipping());
  assert.deepEqual((await s.f.helpers.ledgerOf(order.orderId)).declarations, [], 'nothing reaches customs before the review');
  assert.match(waiting.waitingFor!.what, /manual real-name review/);
  await assert.rejects(pollNow(s.env.client, order.orderId, ops), refusedWith('NOTHING_TO_POLL'));
  await reviewRealName(s.env.client, order.orderId, {
    operator: 'kyc@merchant',
    reason: 'passport checked against the photo',
    approved: true,
  });
  const done = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(done.declarations[0].identityCheckResult, 'CHECK_PASSED');
  assert.deepEqual(
    done.audit.map((a) => [a.action, a.detail]),
    [['reviewRealName', 'approved']],
  );
});

test('a rejected manual review refunds the payment', async () => {
  const buyer = { fullName: 'JANE ROE', certificateType: 'PASSPORT' as const, certificateNo: 'E87654321' };
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStage(s.env.client, order.orderId, 'REAL_NAME_REVIEW', s.skipping());
  await reviewRealName(s.env.client, order.orderId, { operator: 'kyc@merchant', reason: 'photo does not match', approved: false });
  const done = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
  assert.match(done.outcome!.reason, /^REAL_NAME_REJECTED: kyc@merchant: photo does not match/);
  assert.equal((await s.f.helpers.ledgerOf(order.orderId)).refunds.length, 1);
});

test('poll now: a stuck order is polled at once instead of at the next hourly poll', async () => {
  const buyer = freshBuyer(304);
  const order = sampleOrder({ buyer });
  await s.f.helpers.customsRules({ orders: { [order.orderId]: { decisionAfterMs: 3 * 60 * 60_000 } } });
  await startOrder(s.env.client, order, {
    taskQueue: s.taskQueue,
    timeouts: { customsReviewDeadlineMs: 60 * 60_000, clearanceDeadlineMs: 60 * 60_000 },
  });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const stuck = await waitForStatus(
    s.env.client,
    order.orderId,
    'stuck REVIEW_DEADLINE',
    (x) => x.stuck?.code === 'REVIEW_DEADLINE',
    s.skipping(5 * 60_000),
  );
  // Customs decides 3 hours after the declaration; move to just past that, short of the next hourly poll.
  const declaredAt = Date.parse(stuck.declarations[0].lastCallAt!);
  const now = await s.env.currentTimeMs();
  await s.env.sleep(declaredAt + 3 * 60 * 60_000 + 60_000 - now);
  assert.equal((await orderStatus(s.env.client, order.orderId)).declarations[0].status, 'IN_PROCESS');
  await pollNow(s.env.client, order.orderId, { operator: 'ops@merchant', reason: 'customs says it is accepted' });
  const polled = await waitForStatus(
    s.env.client,
    order.orderId,
    'an accepted declaration',
    (x) => x.declarations[0].status === 'ACCEPTED',
    s.skipping(1_000, 20),
  );
  assert.equal(polled.stuck, undefined);
  assert.ok(polled.audit.some((a) => a.action === 'pollNow' && a.detail === 'CUSTOMS_REVIEW'));
});
