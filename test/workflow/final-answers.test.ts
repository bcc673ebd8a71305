import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderHandle, orderStatus, pollNow, resolveFailedRefund, startOrder } from '../../client/orders';
import { quotaAmountFen, type OrderInput } from '../../domain/order';
import type { OrderStatus, OrderTimeouts } from '../../domain/order-api';
import { quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import { customsYear } from '../../domain/limits';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { quotaActivities } from '../../activities/quota';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { finalAnswers, forOrder, freshBuyer } from '../support/workflow-helpers';

// A final (F) answer from any call after payment never fails the order: a configuration answer makes it
// stuck until fixed, an unexpected one until an operator acts, a refused refund until an operator decides.
// The answers are injected by stubbing one activity for one order; everything else is the real stack.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const MINUTE = 60_000;
const OPERATOR = { operator: 'ops@merchant', reason: 'ticket 42' };

async function checkOutAndPay(order: OrderInput, timeouts?: OrderTimeouts) {
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
}

async function assertRunning(orderId: string) {
  const { status } = await orderHandle(s.env.client, orderId).describe();
  assert.equal(status.name, 'RUNNING', 'the workflow neither failed nor ended');
}

const stuckWith = (orderId: string, code: string, skipMs = 10_000) =>
  waitForStatus(s.env.client, orderId, `stuck with ${code}`, (x) => x.stuck?.code === code, s.skipping(skipMs));

/** What the order's buyer has reserved of their annual quota, keyed as the worker keys it. */
async function quotaReservedFen(order: OrderInput) {
  const key = await quotaActivities({ temporal: s.env.client, quotaTaskQueue: '', buyerKeySecret: 'test-secret' }).buyerQuotaKey(
    order.buyer,
  );
  const year = customsYear(await s.env.currentTimeMs());
  return (await s.env.client.workflow.getHandle(quotaWorkflowId(key, year)).query(quotaUsageQuery)).reservedFen;
}

test('INVALID_SIGNATURE from inquireDeclarationRequests marks the order stuck with CONFIGURATION, and it heals once the keys work', async () => {
  const order = sampleOrder({ buyer: freshBuyer(601) });
  s.stubs.set('inquireDeclarations', forOrder(order.orderId, finalAnswers('INVALID_SIGNATURE', 3)));
  try {
    await checkOutAndPay(order);
    const stuck = await stuckWith(order.orderId, 'CONFIGURATION');
    assert.equal(stuck.stage, 'CUSTOMS_REVIEW');
    assert.match(stuck.stuck!.reason, /inquireDeclarationRequests answered INVALID_SIGNATURE .*check the keys/);
    await assertRunning(order.orderId);
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(MINUTE));
    assert.equal(released.stuck, undefined, 'no longer stuck');
    assert.deepEqual(released.stuckReasons, []);
  } finally {
    s.stubs.delete('inquireDeclarations');
  }
});

test('an unexpected refusal of the order document leaves the order stuck in clearance until an operator has it filed again', async () => {
  const order = sampleOrder({ buyer: freshBuyer(602) });
  // The first filing of this order, its order document (CEB311), is refused outright by the e-port.
  s.stubs.set('fileCustomsDocument', forOrder(order.orderId, finalAnswers('CEB_FIELD_RULES', 1)));
  try {
    await checkOutAndPay(order);
    const stuck = await stuckWith(order.orderId, 'UNEXPECTED_ANSWER');
    assert.equal(stuck.stage, 'CLEARANCE');
    assert.match(stuck.stuck!.reason, /the order document \(CEB311\) of .* answered CEB_FIELD_RULES .*an operator must look/);
    await assertRunning(order.orderId);
    // The operator fixed the cause; poll-now files it again at once instead of in an hour.
    await pollNow(s.env.client, order.orderId, OPERATOR);
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(MINUTE, 30));
    assert.equal(released.stuck, undefined);
  } finally {
    s.stubs.delete('fileCustomsDocument');
  }
});

test('a refused quota commit at release is retried hourly; the order is released once the quota entity takes it', async () => {
  const order = sampleOrder({ buyer: freshBuyer(603) });
  s.stubs.set('commitQuota', forOrder(order.orderId, finalAnswers('UNKNOWN_RESERVATION', 2)));
  try {
    await checkOutAndPay(order);
    const stuck = await stuckWith(order.orderId, 'UNEXPECTED_ANSWER');
    assert.match(stuck.stuck!.reason, /quota commit answered UNKNOWN_RESERVATION/);
    await assertRunning(order.orderId);
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(10 * MINUTE));
    assert.equal(released.stuck, undefined);
    assert.equal(await quotaReservedFen(order), 0, 'committed, no longer reserved');
  } finally {
    s.stubs.delete('commitQuota');
  }
});

test('a refused cancelPayment at expiry is retried, and the order still ends CANCELLED with its quota released', async () => {
  const order = sampleOrder({ buyer: freshBuyer(604), paymentExpiryMinutes: 5 });
  s.stubs.set('cancelPayment', forOrder(order.orderId, finalAnswers('PROCESS_FAIL', 1)));
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    const stuck = await stuckWith(order.orderId, 'UNEXPECTED_ANSWER', MINUTE);
    assert.match(stuck.stuck!.reason, /cancelPayment answered PROCESS_FAIL/);
    const cancelled = await waitForStage(s.env.client, order.orderId, 'CANCELLED', s.skipping(10 * MINUTE));
    assert.equal(cancelled.payment.status, 'CANCELLED');
    assert.equal(await quotaReservedFen(order), 0);
  } finally {
    s.stubs.delete('cancelPayment');
  }
});

/** An order whose goods customs sends back abroad (700), so it is refunded by compensation. */
async function rejectedInClearance(seed: number) {
  const order = sampleOrder({ buyer: freshBuyer(seed) });
  await s.f.helpers.cebRules({ orders: { [order.orderId]: { paths: [{ kind: 'RETURN_ABROAD', reason: 'goods differ' }] } } });
  await checkOutAndPay(order);
  return order;
}

test('a compensating refund that Alipay+ refuses keeps the order stuck with its quota held; an operator retries it', async () => {
  const order = await rejectedInClearance(605);
  s.stubs.set('refundPayment', forOrder(order.orderId, finalAnswers('PROCESS_FAIL', 1)));
  try {
    const stuck = await stuckWith(order.orderId, 'REFUND_FAILED');
    assert.equal(stuck.stage, 'COMPENSATING');
    assert.deepEqual(
      stuck.refunds.map((r) => r.status),
      ['FAILED'],
    );
    await assertRunning(order.orderId);
    assert.equal(await quotaReservedFen(order), quotaAmountFen(order, true), 'the quota stays held while the money is not back');
    await resolveFailedRefund(s.env.client, order.orderId, { ...OPERATOR, action: 'RETRY' });
    const refunded = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
    assert.deepEqual(
      refunded.refunds.map((r) => r.status),
      ['FAILED', 'SUCCEEDED'],
    );
    assert.equal(refunded.refundableFen, 0);
    assert.equal(await quotaReservedFen(order), 0);
    const { refunds } = await s.f.helpers.ledgerOf(order.orderId);
    assert.deepEqual(
      refunds.map((r) => r.amount.value),
      [String(order.totalFen)],
      'refunded once',
    );
    assert.ok(refunded.audit.some((a) => a.action === 'resolveFailedRefund' && a.detail === 'RETRY'));
  } finally {
    s.stubs.delete('refundPayment');
  }
});

test('a refused compensating refund settled outside Alipay+ ends the order REFUNDED, with no Alipay+ refund and the quota released', async () => {
  const order = await rejectedInClearance(606);
  s.stubs.set('refundPayment', forOrder(order.orderId, finalAnswers('PROCESS_FAIL', 1)));
  try {
    await stuckWith(order.orderId, 'REFUND_FAILED');
    await assert.rejects(
      resolveFailedRefund(s.env.client, order.orderId, { ...OPERATOR, action: 'MAYBE' as never }),
      /REFUND_RESOLUTION: action is RETRY or SETTLED_OUTSIDE_ALIPAY/,
    );
    await resolveFailedRefund(s.env.client, order.orderId, { ...OPERATOR, action: 'SETTLED_OUTSIDE_ALIPAY' });
    const refunded = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
    assert.deepEqual(
      refunded.refunds.map((r) => [r.status, r.amountFen]),
      [
        ['FAILED', order.totalFen],
        ['SETTLED_OUTSIDE_ALIPAY', order.totalFen],
      ],
    );
    assert.equal(refunded.refundableFen, 0);
    assert.equal(await quotaReservedFen(order), 0);
    assert.deepEqual((await s.f.helpers.ledgerOf(order.orderId)).refunds, []);
  } finally {
    s.stubs.delete('refundPayment');
  }
});

test('a refund refused with a configuration answer is retried on its own and refunds once', async () => {
  const order = await rejectedInClearance(607);
  s.stubs.set('refundPayment', forOrder(order.orderId, finalAnswers('KEY_NOT_FOUND', 2)));
  try {
    await stuckWith(order.orderId, 'CONFIGURATION');
    const refunded: OrderStatus = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping(MINUTE));
    assert.deepEqual(
      refunded.refunds.map((r) => r.status),
      ['SUCCEEDED'],
    );
    assert.equal((await s.f.helpers.ledgerOf(order.orderId)).refunds.length, 1);
  } finally {
    s.stubs.delete('refundPayment');
  }
});

test('resolve-refund is refused for an order with no refused refund', async () => {
  const order = sampleOrder({ buyer: freshBuyer(608) });
  await checkOutAndPay(order);
  await waitForStage(s.env.client, order.orderId, 'CUSTOMS_REVIEW', s.skipping());
  await assert.rejects(resolveFailedRefund(s.env.client, order.orderId, { ...OPERATOR, action: 'RETRY' }), /NO_FAILED_REFUND/);
});

test("an unpaid order that stalls does not hold the buyer's quota: the reservation lapses an hour after the payment expires", async () => {
  const order = sampleOrder({ buyer: freshBuyer(609), paymentExpiryMinutes: 10 });
  // cancelPayment keeps being refused, so the order stays stuck, unpaid, for hours.
  s.stubs.set('cancelPayment', forOrder(order.orderId, finalAnswers('PROCESS_FAIL', 100)));
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    assert.equal(await quotaReservedFen(order), quotaAmountFen(order, true));
    await stuckWith(order.orderId, 'UNEXPECTED_ANSWER', MINUTE);
    await s.env.sleep(2 * 60 * MINUTE);
    const st = await orderStatus(s.env.client, order.orderId);
    assert.equal(st.stage, 'AWAITING_PAYMENT', 'the order is still stuck on the cancel');
    assert.equal(await quotaReservedFen(order), 0, 'its unpaid reservation no longer counts');
  } finally {
    s.stubs.delete('cancelPayment');
  }
});

test('a payment confirmed after its reservation lapsed and the quota filled up is refunded with the quota rule', async () => {
  const order = sampleOrder({ buyer: freshBuyer(610) });
  // The quota has no room: every hold is refused. (A count of one would not do: a local activity's answer
  // can be dropped with its workflow task, when an update lands meanwhile, and the call made again.)
  s.stubs.set('markQuotaPaid', forOrder(order.orderId, finalAnswers('ANNUAL_QUOTA_EXCEEDED', 100)));
  try {
    await checkOutAndPay(order);
    const st = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
    assert.match(st.outcome!.reason, /^ANNUAL_QUOTA_EXCEEDED: the reservation lapsed before the payment was confirmed/);
    assert.deepEqual(st.declarations, [], 'nothing was declared');
    assert.equal((await s.f.helpers.ledgerOf(order.orderId)).refunds.length, 1);
  } finally {
    s.stubs.delete('markQuotaPaid');
  }
});
