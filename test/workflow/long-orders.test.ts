import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderHandle, pollNow, startOrder } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import type { OrderTimeouts } from '../../domain/order-api';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage } from '../../dev/scenarios/wait-for-status';
import { calledActivity } from '../support/history';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// An order stuck for days keeps being polled; its history stays bounded because the long waits (the
// customs review and the clearance) continue the order as new, carrying everything it knows.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const EVENTS_PER_RUN = 150;
const TIMEOUTS: OrderTimeouts = { customsReviewDeadlineMs: HOUR, clearanceDeadlineMs: HOUR, continueAsNewAfterEvents: EVENTS_PER_RUN };

/** The runs of the order's workflow, newest first, each with its history's length, by following continuedExecutionRunId. */
async function runsOf(orderId: string) {
  const runs: { runId: string; events: number }[] = [];
  let runId: string | undefined = (await orderHandle(s.env.client, orderId).describe()).runId;
  while (runId) {
    const history = await s.env.client.workflow.getHandle(`order-${orderId}`, runId).fetchHistory();
    runs.push({ runId, events: history.events!.length });
    runId = history.events![0].workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

async function checkOutAndPay(order: OrderInput) {
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts: TIMEOUTS });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
}

test('a customs review that takes four days continues as new and ends released, with one payment and one declaration', async () => {
  const order = sampleOrder({ buyer: freshBuyer(801) });
  await s.f.helpers.customsRules({ orders: { [order.orderId]: { processingAfterMs: 0, decisionAfterMs: 4 * DAY } } });
  await checkOutAndPay(order);
  await waitForStage(s.env.client, order.orderId, 'CUSTOMS_REVIEW', s.skipping());
  await pollNow(s.env.client, order.orderId, { operator: 'ops@merchant', reason: 'before the long wait' });
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(HOUR, 200));

  const runs = await runsOf(order.orderId);
  assert.ok(runs.length >= 3, `continued as new: ${runs.length} runs`);
  for (const run of runs) assert.ok(run.events <= EVENTS_PER_RUN + 40, `run ${run.runId} has ${run.events} events`);
  assert.equal(released.payment.status, 'SUCCESS');
  assert.equal(released.declarations[0].status, 'ACCEPTED');
  assert.equal(released.audit[0]?.action, 'pollNow', 'the audit trail came along');
  const { payments, declarations, refunds } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual([payments.length, declarations[0].calls.length, refunds.length], [1, 1, 0]);
});

test('a clearance that takes four days continues as new without filing the documents again', async () => {
  const order = sampleOrder({ buyer: freshBuyer(802) });
  // The list is stored, reviewed after 2 days and released after 4.
  await s.f.helpers.cebRules({ orders: { [order.orderId]: { paths: [{ kind: 'RELEASE' }], stepAfterMs: 2 * DAY } } });
  await checkOutAndPay(order);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(HOUR, 200));
  const runs = await runsOf(order.orderId);
  assert.ok(runs.length >= 2, `continued as new: ${runs.length} runs`);
  assert.deepEqual(
    released.clearance.map((c) => c.status),
    ['RELEASED'],
  );
  // The documents were filed in the first run only.
  const newest = await orderHandle(s.env.client, order.orderId).fetchHistory();
  const filed = newest.events!.filter((e) => calledActivity(e) === 'fileCustomsDocument');
  assert.equal(filed.length, 0);
  assert.equal((await s.f.helpers.cebOrder(order.orderId)).filed.length, 3, 'CEB311, CEB511 and CEB621, once each');
});
