import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderHandle, requestRefund, startOrder } from '../../client/orders';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { BUYER } from '../support/orders';
import { sampleOrder, untilNotified, waitForStatus } from '../support/workflow-helpers';

let s: WorkflowStack;
// No workflow cache: every workflow task replays the whole history, as a fresh worker after a crash would.
before(async () => (s = await startWorkflowStack({ maxCachedWorkflows: 0 })));
after(() => s?.close());

test('the happy path: checkout returns the cashier URL, the order clears customs and completes after 90 days', async () => {
  const order = sampleOrder();
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.match(checkout.paymentUrl, /\/cashier\//);
  assert.equal(checkout.paymentRequestId, order.orderId);

  await s.f.helper('POST', `/sandbox/payments/${order.orderId}/succeed`, { payer: { ...BUYER } });
  await untilNotified(s.f.ledger, order.orderId);
  const released = await waitForStatus(s.env, s.env.client, order.orderId, (st) => st.stage === 'RELEASED_FOR_DELIVERY');
  assert.equal(released.payment.status, 'SUCCESS');
  assert.equal(released.payment.learnedFrom, 'NOTIFICATION');
  assert.equal(released.declarations.length, 1);
  assert.equal(released.declarations[0]!.status, 'ACCEPTED');
  assert.equal(released.declarations[0]!.identityCheckResult, 'CHECK_PASSED');
  assert.deepEqual(released.clearance, [{ customsOrderId: order.orderId, status: 'RELEASED' }]);

  const ledger = await s.f.ledger();
  const payments = ledger.payments.filter((p: any) => p.paymentRequestId === order.orderId);
  assert.equal(payments.length, 1);
  const declarations = ledger.declarations.filter((d: any) => d.paymentRequestId === order.orderId);
  assert.equal(declarations.length, 1);
  assert.deepEqual(declarations[0].calls.map((c: any) => c.kind), ['FIRST']);
  assert.equal(declarations[0].customsCode, 'ZONGSHU'); // Hangzhou declares to ZONGSHU

  const result = await orderHandle(s.env.client, order.orderId).result();
  assert.equal(result.stage, 'COMPLETED');
});

test('a new worker mid-order replays the history and repeats no payment, declaration or refund', async () => {
  const order = sampleOrder();
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helper('POST', `/sandbox/payments/${order.orderId}/succeed`, { payer: { ...BUYER } });
  await waitForStatus(s.env, s.env.client, order.orderId, (st) => st.stage === 'CUSTOMS_REVIEW', { stepMs: 5_000 });
  await s.restartWorker();
  const released = await waitForStatus(s.env, s.env.client, order.orderId, (st) => st.stage === 'RELEASED_FOR_DELIVERY');
  await requestRefund(s.env.client, order.orderId, { amountFen: 1_000, reason: 'gift wrap missing', requestedBy: 'support' });
  await s.restartWorker();
  await requestRefund(s.env.client, order.orderId, { amountFen: 2_000, reason: 'late', requestedBy: 'support' });
  assert.equal(released.declarations[0]!.attempts, 1);

  const ledger = await s.f.ledger();
  assert.equal(ledger.payments.filter((p: any) => p.paymentRequestId === order.orderId).length, 1);
  const declarations = ledger.declarations.filter((d: any) => d.paymentRequestId === order.orderId);
  assert.deepEqual(declarations.map((d: any) => d.calls.length), [1]);
  assert.deepEqual(
    ledger.refunds.filter((r: any) => r.paymentRequestId === order.orderId).map((r: any) => [r.refundRequestId, r.amount.value]),
    [
      [`${order.orderId}-R1`, '1000'],
      [`${order.orderId}-R2`, '2000'],
    ],
  );
});

test('checking out the same order twice joins the one workflow: same cashier URL, one payment', async () => {
  const order = sampleOrder();
  const [a, b] = await Promise.all([
    startOrder(s.env.client, order, { taskQueue: s.taskQueue }),
    startOrder(s.env.client, order, { taskQueue: s.taskQueue }),
  ]);
  const c = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.equal(a.paymentUrl, b.paymentUrl);
  assert.equal(a.paymentUrl, c.paymentUrl);
  const ledger = await s.f.ledger();
  assert.equal(ledger.payments.filter((p: any) => p.paymentRequestId === order.orderId).length, 1);
});
