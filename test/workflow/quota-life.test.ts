import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderHandle, pollNow, returnGoods, startOrder } from '../../client/orders';
import { customsYear } from '../../domain/limits';
import type { OrderInput } from '../../domain/order';
import type { OrderTimeouts } from '../../domain/order-api';
import { QUOTA_ENTITY_CLOSED, quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import type { buyerQuotaWorkflow } from '../../workflows/quota';
import { startWorkflowStack, testBuyerKey, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// Issue 23, finding 2: the buyer's quota entity answers for as long as any of its orders may still commit or
// give quota back, past the year and its 30-day grace; and an update to an entity that is not running shows
// on the order as a stuck reason naming the rule, instead of being retried unseen.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const TIMEOUTS: OrderTimeouts = { customsReviewDeadlineMs: 48 * HOUR, clearanceDeadlineMs: 72 * HOUR, detentionDeadlineMs: 2 * DAY };
const OPERATOR = { operator: 'ops@merchant', reason: 'ticket 23' };

const buyerKey = (order: OrderInput) => testBuyerKey(order.buyer.certificateNo);
const entityOf = (order: OrderInput, year: number) =>
  s.env.client.workflow.getHandle<typeof buyerQuotaWorkflow>(quotaWorkflowId(buyerKey(order), year));

async function skipTo(at: number) {
  const now = await s.env.currentTimeMs();
  if (at > now) await s.env.sleep(at - now);
}

/** Checks out and pays an order whose customs list moves one state every `stepAfterMs`. */
async function paidOrder(seed: number, stepAfterMs: number) {
  const order = sampleOrder({ buyer: freshBuyer(seed) });
  await s.f.helpers.cebRules({ orders: { [order.orderId]: { stepAfterMs } } });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts: TIMEOUTS });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  return order;
}

/** Returns one unit and waits until the order has given its quota back. */
async function returnOne(order: OrderInput) {
  const view = await returnGoods(s.env.client, order.orderId, {
    ...OPERATOR,
    reason: 'the buyer sent one tin back',
    lines: [{ sku: order.items[0].sku, quantity: 1 }],
  });
  const done = await waitForStatus(
    s.env.client,
    order.orderId,
    'the quota given back',
    (x) => x.returns?.[0]?.quotaGivenBack === true,
    s.skipping(HOUR, 24 * 10),
  );
  return { view, done };
}

test('past the year and its grace, a return in the window and a slow order still reach the quota entity, and both orders complete', async () => {
  const year = customsYear(await s.env.currentTimeMs());
  const yearEnd = Date.UTC(year + 1, 0, 1) - 8 * HOUR; // midnight, China Standard Time
  const graceEnd = yearEnd + 30 * DAY;
  await skipTo(yearEnd - 2 * HOUR);
  // Both check out in the year's last hours: their quota is that year's. Customs releases one after a few
  // days, the other only after the year's grace.
  const inWindow = await paidOrder(701, DAY);
  const slow = await paidOrder(702, 20 * DAY);

  const released = await waitForStage(s.env.client, inWindow.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(HOUR, 24 * 10));
  const releasedAt = Date.parse(released.customs![0].releasedAt!);
  const committed = (await entityOf(inWindow, year).query(quotaUsageQuery)).committedFen;
  assert.ok(committed > 0);
  // Day 29 of its return window, when the year's grace is over.
  await skipTo(releasedAt + 29 * DAY);
  const back = await returnOne(inWindow);
  assert.ok(Date.parse(back.view.at) >= graceEnd, 'the return comes after the grace');
  const kept = new Map([[inWindow, committed - back.view.quotaFen]]);
  assert.equal((await entityOf(inWindow, year).query(quotaUsageQuery)).committedFen, kept.get(inWindow));

  // Its customs list moves every 20 days: looks 6 hours apart (an hour apart, this wait took a minute of real time).
  const slowReleased = await waitForStage(s.env.client, slow.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(6 * HOUR, 4 * 60));
  assert.ok(Date.parse(slowReleased.customs![0].releasedAt!) >= graceEnd, 'released after the grace');
  const slowCommitted = await entityOf(slow, year).query(quotaUsageQuery);
  assert.deepEqual([slowCommitted.reservedFen > 0, slowCommitted.committedFen > 0], [false, true], 'committed after the grace');
  const slowBack = await returnOne(slow);
  kept.set(slow, slowCommitted.committedFen - slowBack.view.quotaFen);
  assert.equal((await entityOf(slow, year).query(quotaUsageQuery)).committedFen, kept.get(slow));

  // The refund windows close; each order closes its hold, and its entity, holding nothing open, ends.
  await skipTo(Math.max(...[released, slowReleased].map((x) => Date.parse(x.payment.paidAt!))) + 91 * DAY);
  for (const order of [inWindow, slow]) {
    assert.equal((await orderHandle(s.env.client, order.orderId).result()).stage, 'COMPLETED');
    assert.equal((await entityOf(order, year).result()).committedFen, kept.get(order));
  }
});

test('a quota update to an entity that is not running leaves the order stuck with the rule; poll-now retries it', async () => {
  const year = customsYear(await s.env.currentTimeMs());
  const order = await paidOrder(703, DAY);
  await waitForStage(s.env.client, order.orderId, 'CLEARANCE', s.skipping(10 * 60_000, 100));
  // The entity ended (an old run that closed after the year, or an operator's terminate) before the commit.
  await entityOf(order, year).terminate('test: the entity ended before the order committed');
  let commits = 0;
  s.stubs.set('commitQuota', (real, ...args) => {
    commits += 1;
    return real(...args);
  });
  try {
    const stuck = await waitForStatus(
      s.env.client,
      order.orderId,
      `stuck with ${QUOTA_ENTITY_CLOSED}`,
      (x) => x.stuck?.reason.includes(QUOTA_ENTITY_CLOSED) === true,
      s.skipping(HOUR, 24 * 5),
    );
    assert.equal(stuck.stuck!.code, 'UNEXPECTED_ANSWER');
    assert.match(stuck.stuck!.reason, new RegExp(`quota commit answered ${QUOTA_ENTITY_CLOSED} .*for ${year}.*poll`));
    const before = commits;
    await pollNow(s.env.client, order.orderId, OPERATOR);
    await waitForStatus(s.env.client, order.orderId, 'the commit tried again', () => commits > before, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const { status } = await orderHandle(s.env.client, order.orderId).describe();
    assert.equal(status.name, 'RUNNING');
  } finally {
    s.stubs.delete('commitQuota');
  }
});
