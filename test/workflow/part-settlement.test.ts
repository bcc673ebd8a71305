import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cancelOrder, startOrder } from '../../client/orders';
import { customsYear } from '../../domain/limits';
import { parseOrder, type OrderInput } from '../../domain/order';
import type { OrderTimeouts } from '../../domain/order-api';
import { partValues } from '../../domain/order-parts';
import { quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import { MILK_TIN, VITAMIN_C, itemShares, payerOf, priced, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import type { CebRules } from '../../sandbox/helper-client';
import { startWorkflowStack, testBuyerKey, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// A split order settles per part (issue 23, finding 1): a part customs sends back abroad, or an operator
// gives up, refunds its own share and leaves the quota; the parts customs released are delivered and counted.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack({ cebStepAfterMs: 10 * 60_000 })));
after(() => s?.close());

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const TIMEOUTS: OrderTimeouts = { customsReviewDeadlineMs: 48 * HOUR, clearanceDeadlineMs: 72 * HOUR, detentionDeadlineMs: 2 * DAY };
type PartRule = NonNullable<CebRules['orders']>[string];

/** A paid order of a tin and a bottle of vitamin C, declared as two parts whose customs paths the test sets. */
async function paidSplitOrder(seed: number, rules: [PartRule, PartRule]) {
  const buyer = freshBuyer(seed);
  const items = [{ ...MILK_TIN }, { ...VITAMIN_C }];
  const order = sampleOrder({ buyer, ...priced(items) });
  const shares = itemShares(items);
  order.splitParts = shares.map((amountFen, i) => ({ referenceOrderId: `${order.orderId}-P${i + 1}`, amountFen }));
  await s.f.helpers.cebRules({ orders: Object.fromEntries(order.splitParts.map((p, i) => [p.referenceOrderId, rules[i]])) });
  const year = customsYear(await s.env.currentTimeMs());
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts: TIMEOUTS });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await untilPaid(order.orderId);
  const parts = partValues(parseOrder(order, { customsMessages: true }));
  return { order, parts, usage: () => usageOf(order, year) };
}

/** Waits for the order to take its payment; a wait that gives up reports the sandbox's ledger (stall-report.ts). */
const untilPaid = (orderId: string) => waitForStatus(s.env.client, orderId, 'paid', (x) => x.stage !== 'AWAITING_PAYMENT', s.skipping());

const usageOf = (order: OrderInput, year: number) =>
  s.env.client.workflow.getHandle(quotaWorkflowId(testBuyerKey(order.buyer.certificateNo), year)).query(quotaUsageQuery);

/** What Alipay+ refunded of the payment, by its own ledger. */
async function refundedAtAlipay(orderId: string) {
  const { refunds } = await s.f.helpers.ledgerOf(orderId);
  return refunds.filter((r) => r.status !== 'FAIL').reduce((sum, r) => sum + Number(r.amount.value), 0);
}

test('one part released, one sent back abroad: only that part is refunded, and the quota counts the part delivered', async () => {
  const { order, parts, usage } = await paidSplitOrder(701, [
    { paths: [{ kind: 'RELEASE' }] },
    { paths: [{ kind: 'RETURN_ABROAD', reason: 'no licence' }] },
  ]);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.deepEqual(
    released.customs!.map((c) => c.state),
    ['RELEASED', 'RETURNED_ABROAD'],
  );
  const settled = released.customs![1].settlement!;
  assert.equal(settled.refundFen, parts[1].paidFen);
  assert.equal(settled.quotaFen, parts[1].dutiableFen);
  assert.match(settled.reason, /CUSTOMS_RETURNED_ABROAD: .*-P2 back abroad: no licence/);

  const final = await waitForStatus(
    s.env.client,
    order.orderId,
    "the part's refund settled",
    (x) => x.refunds.length === 1 && x.refunds[0].status === 'SUCCEEDED',
    s.skipping(),
  );
  assert.equal(final.refunds[0].amountFen, parts[1].paidFen);
  assert.equal(await refundedAtAlipay(order.orderId), parts[1].paidFen, 'Alipay+ refunded the part, not the whole payment');
  assert.equal(final.refundableFen, parts[0].paidFen, 'what is left to refund is the delivered part');
  assert.equal((await usage()).committedFen, parts[0].dutiableFen, 'the quota counts the goods the buyer keeps');
});

test('both parts sent back abroad: the whole payment is refunded once and the quota given back', async () => {
  const back: PartRule = { paths: [{ kind: 'RETURN_ABROAD' }] };
  const { order, usage } = await paidSplitOrder(702, [back, back]);
  const ended = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
  assert.equal(
    ended.refunds.reduce((sum, r) => sum + r.amountFen, 0),
    Number(order.totalFen),
  );
  await waitForStatus(
    s.env.client,
    order.orderId,
    'the refunds settled',
    (x) => x.refunds.every((r) => r.status === 'SUCCEEDED'),
    s.skipping(),
  );
  assert.equal(await refundedAtAlipay(order.orderId), Number(order.totalFen));
  const u = await usage();
  assert.equal(u.committedFen + u.reservedFen, 0, 'nothing delivered, nothing counted');
});

test('one part released, one held past its deadline: cancel refunds the held part and the released one is delivered', async () => {
  const { order, parts, usage } = await paidSplitOrder(703, [
    { paths: [{ kind: 'RELEASE' }] },
    { paths: [{ kind: 'DETAIN', code: '599', reason: 'licence check' }] },
  ]);
  await waitForStatus(
    s.env.client,
    order.orderId,
    'P1 released, P2 detained',
    (x) => x.customs?.[0].state === 'RELEASED' && x.customs[1].state === 'DETAINED',
    s.skipping(),
  );
  await assert.rejects(cancelOrder(s.env.client, order.orderId, { operator: 'ops', reason: 'too early' }), /CANCEL_IN_CLEARANCE/);
  await waitForStatus(
    s.env.client,
    order.orderId,
    'the detention deadline',
    (x) => x.stuck?.code === 'DETENTION_DEADLINE',
    s.skipping(HOUR),
  );

  await cancelOrder(s.env.client, order.orderId, { operator: 'ops', reason: 'customs will not release P2' });
  const delivered = await waitForStatus(
    s.env.client,
    order.orderId,
    'the released part delivered, the held one refunded',
    (x) => x.stage === 'RELEASED_FOR_DELIVERY' && x.refunds.every((r) => r.status === 'SUCCEEDED'),
    s.skipping(),
  );
  assert.deepEqual(
    delivered.refunds.map((r) => r.amountFen),
    [parts[1].paidFen],
  );
  assert.match(delivered.customs![1].settlement!.reason, /CANCELLED_BY_OPERATOR: ops: customs will not release P2/);
  assert.equal(delivered.stuck, undefined);
  assert.equal(await refundedAtAlipay(order.orderId), parts[1].paidFen);
  assert.equal((await usage()).committedFen, parts[0].dutiableFen);
});
