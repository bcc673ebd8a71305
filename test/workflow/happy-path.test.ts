import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderHandle, startOrder } from '../../client/orders';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { untilNotified } from '../support/workflow-helpers';

let s: WorkflowStack;
// Orders make their calls as local activities, which need the workflow cache: with none, the SDK drops one
// in flight at each eviction. A new worker that replays an order's history is tested on a real server
// (test/e2e/crash-recovery.test.ts): the test server never moves a cached workflow off a stopped worker.
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

test('the happy path: checkout returns the cashier URL, the order clears customs and completes after 90 days', async () => {
  const order = sampleOrder();
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.match(checkout.paymentUrl, /\/cashier\//);
  assert.equal(checkout.paymentRequestId, order.orderId);

  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  await untilNotified(s.f.helpers, order.orderId);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(released.payment.status, 'SUCCESS');
  assert.equal(released.payment.learnedFrom, 'NOTIFICATION');
  assert.equal(released.declarations.length, 1);
  assert.equal(released.declarations[0].status, 'ACCEPTED');
  assert.equal(released.declarations[0].identityCheckResult, 'CHECK_PASSED');
  assert.deepEqual(released.clearance, [{ customsOrderId: order.orderId, status: 'RELEASED' }]);

  const { payments, declarations } = await s.f.helpers.ledgerOf(order.orderId);
  assert.equal(payments.length, 1);
  assert.equal(declarations.length, 1);
  assert.deepEqual(
    declarations[0].calls.map((c) => c.kind),
    ['FIRST'],
  );
  assert.equal(declarations[0].customsCode, 'ZONGSHU'); // Hangzhou declares to ZONGSHU

  const result = await orderHandle(s.env.client, order.orderId).result();
  assert.equal(result.stage, 'COMPLETED');
  // An ended order is never checked out again: the refusal names its rule.
  await assert.rejects(startOrder(s.env.client, order, { taskQueue: s.taskQueue }), { name: 'OrderRefusedError', rule: 'ORDER_ENDED' });
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
  assert.equal((await s.f.helpers.ledgerOf(order.orderId)).payments.length, 1);
});
