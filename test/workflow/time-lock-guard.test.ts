import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startOrder } from '../../client/orders';
import { orderWorkflowId } from '../../domain/order';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// The test server leaks a lock on its time when a workflow is terminated while a task of it is in flight
// (temporalio/sdk-java#1138), and every skip after that waits in real time. The stack's guard gives the lock
// back (test/support/time-lock-guard.ts). Here it watches closely, so a leak is caught within seconds.

const HOUR = 60 * 60_000;
const warnings: string[] = [];
let s: WorkflowStack;
before(
  async () => (s = await startWorkflowStack({ timeLockGuard: { stalledAfterMs: 3_000, lookEveryMs: 500, warn: (l) => warnings.push(l) } })),
);
after(() => s?.close());

/** Terminates an order while its declaration call holds its workflow task open: the lock that task held leaks. */
async function leakALock() {
  let release!: () => void;
  let called!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const declaring = new Promise<void>((r) => (called = r));
  s.stubs.set('declare', async (real, ...args) => {
    called();
    await held;
    return real(...args);
  });
  const buyer = freshBuyer(991);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await declaring;
  await s.env.client.workflow.getHandle(orderWorkflowId(order.orderId)).terminate('leaks a lock on time');
  release();
  s.stubs.delete('declare');
}

test('a skip on a sound test server gives nothing back', async () => {
  const from = await s.env.currentTimeMs();
  await s.env.sleep(HOUR);
  assert.ok((await s.env.currentTimeMs()) - from >= HOUR);
  assert.equal(s.timeLocks.released(), 0);
  assert.deepEqual(warnings, []);
});

test('after a lock leaked, an hour still skips: the guard gives the lock back once and says why', async () => {
  await leakALock();
  const from = await s.env.currentTimeMs();
  await s.env.sleep(HOUR); // with the lock leaked and no guard, this takes an hour of real time
  assert.ok((await s.env.currentTimeMs()) - from >= HOUR);
  assert.equal(s.timeLocks.released(), 1);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /kept real pace for \d+ s of skipping, so a lock on its time leaked \(temporalio\/sdk-java#1138\); gave one back/,
  );

  await s.env.sleep(HOUR);
  await s.env.sleep(1_000);
  assert.equal(s.timeLocks.released(), 1, 'nothing more is given back once time skips again');
});
