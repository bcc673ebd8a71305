import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cancelOrder, correctCustomsDocument, orderHandle, requestRefund, returnGoods, startOrder } from '../../client/orders';
import { customsYear } from '../../domain/limits';
import { quotaAmountFen, type OrderInput } from '../../domain/order';
import type { CustomsState, OrderStatus, OrderTimeouts } from '../../domain/order-api';
import { quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import type { CebRules } from '../../sandbox/helper-client';
import { startWorkflowStack, testBuyerKey, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// Steps 9 and 10 on the China E-port's messages (the ceb-customs patch): the order files CEB311, CEB511 and
// CEB621, follows the signed receipts the sandbox's customs sends late and out of order, and takes returns.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack({ cebStepAfterMs: 10 * 60_000 })));
after(() => s?.close());

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const TIMEOUTS: OrderTimeouts = { customsReviewDeadlineMs: 48 * HOUR, clearanceDeadlineMs: 72 * HOUR, detentionDeadlineMs: 2 * DAY };
type OrderRule = NonNullable<CebRules['orders']>[string];

async function paidOrder(seed: number, rule?: OrderRule, input: Partial<OrderInput> = {}) {
  const buyer = freshBuyer(seed);
  const order = sampleOrder({ buyer, ...input });
  if (rule) await s.f.helpers.cebRules({ orders: { [order.orderId]: rule } });
  yearOf.set(order.orderId, customsYear(await s.env.currentTimeMs()));
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts: TIMEOUTS });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  return order;
}

const customsOf = (st: OrderStatus) => st.customs![0];
/** Waits (skipping time) until the order's customs order is in this state. */
const untilCustoms = (orderId: string, state: CustomsState) =>
  waitForStatus(s.env.client, orderId, `customs ${state}`, (x) => x.customs?.[0]?.state === state, s.skipping());
/** The customs year each order checked out in: its quota stays in that year's entity. */
const yearOf = new Map<string, number>();
const usageOf = (order: OrderInput) =>
  s.env.client.workflow
    .getHandle(quotaWorkflowId(testBuyerKey(order.buyer.certificateNo), yearOf.get(order.orderId)!))
    .query(quotaUsageQuery);

test('inspection, then release: the order waits through 500 and is released for delivery only at 800', async () => {
  const order = await paidOrder(601, { paths: [{ kind: 'INSPECT_THEN_RELEASE' }] });
  const inspected = await untilCustoms(order.orderId, 'INSPECTION');
  assert.equal(inspected.stage, 'CLEARANCE');
  assert.equal(customsOf(inspected).inventory.returnStatus, '500');
  assert.ok(customsOf(inspected).inspectionSince);
  assert.match(customsOf(inspected).invtNo!, /^\d{18}$/);
  assert.equal(customsOf(inspected).order.returnStatus, '120');
  assert.equal(customsOf(inspected).waybill.returnStatus, '120');

  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(customsOf(released).state, 'RELEASED');
  assert.equal(customsOf(released).inventory.returnStatus, '800');
  assert.deepEqual(released.clearance, [{ customsOrderId: order.orderId, status: 'RELEASED' }]);
  // The quota counts the dutiable value (goods and freight), not the tax the buyer paid on top.
  const usage = await usageOf(order);
  assert.equal(usage.committedFen, quotaAmountFen(sampleOrder({ buyer: order.buyer }), true));
  assert.ok(usage.committedFen < Number(order.totalFen), 'the tax is not counted against the annual limit');
  const held = await s.f.helpers.cebOrder(order.orderId);
  assert.deepEqual(
    held.filed.map((f) => f.messageType),
    ['CEB311Message', 'CEB511Message', 'CEB621Message'],
  );
});

test('the three-document match: an order document whose buyer is not the payer is refused, corrected and filed again', async () => {
  const order = await paidOrder(602);
  // The first order document names someone else as the buyer: customs' match against the payment fails.
  let first = true;
  s.stubs.set('fileCustomsDocument', (real, document, filing) => {
    if (document !== 'ORDER' || !first) return real(document, filing);
    first = false;
    const f = filing as { order: { buyer: object } };
    return real(document, { ...f, order: { ...f.order, buyer: { ...f.order.buyer, fullName: '李四' } } });
  });
  try {
    const refused = await untilCustoms(order.orderId, 'DOCUMENT_REJECTED');
    assert.equal(refused.stuck?.code, 'CUSTOMS_DOCUMENT_REJECTED');
    assert.equal(customsOf(refused).inventory.returnStatus, '100');
    assert.match(
      customsOf(refused).inventory.returnInfo!,
      /three-document match failed: .*buyer differs from the payment's verified payer/,
    );
    assert.match(refused.stuck.reason, /inventory \(CEB621\) 100 three-document match failed/);

    const corrected = await correctCustomsDocument(s.env.client, order.orderId, {
      orderNo: order.orderId,
      operator: 'customs-desk@merchant',
      reason: 'the order document named the wrong buyer',
    });
    assert.equal(corrected.corrections.length, 1);
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
    assert.equal(released.stuck, undefined);
    assert.equal(customsOf(released).order.attempt, 1);
    assert.equal(customsOf(released).inventory.attempt, 1);
    const held = await s.f.helpers.cebOrder(order.orderId);
    assert.deepEqual(
      held.filed.filter((f) => f.messageType === 'CEB311Message').map((f) => f.appType),
      ['1', '2'],
      'the corrected order document is filed as a change',
    );
  } finally {
    s.stubs.delete('fileCustomsDocument');
  }
});

test('an inventory list rejected for its HS code is corrected by an operator and filed again, then released', async () => {
  const order = await paidOrder(603, {
    paths: [{ kind: 'REJECT', reason: 'gcode of line 1 does not match the goods' }, { kind: 'RELEASE' }],
  });
  const refused = await untilCustoms(order.orderId, 'DOCUMENT_REJECTED');
  assert.equal(customsOf(refused).inventory.returnInfo, 'gcode of line 1 does not match the goods');
  const sku = order.items[0].sku;
  await assert.rejects(
    correctCustomsDocument(s.env.client, order.orderId, {
      orderNo: order.orderId,
      operator: 'ops',
      reason: 'x',
      items: [{ sku, hsCode: '12' }],
    }),
    /ITEM_CORRECTION: hsCode of .* must match/,
  );
  await correctCustomsDocument(s.env.client, order.orderId, {
    orderNo: order.orderId,
    operator: 'customs-desk@merchant',
    reason: 'registered HS code is 0402291000',
    items: [{ sku, hsCode: '0402291000' }],
  });
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(customsOf(released).inventory.attempt, 1);
  assert.deepEqual(customsOf(released).corrections[0].items, [{ sku, hsCode: '0402291000' }]);
  const held = await s.f.helpers.cebOrder(order.orderId);
  assert.equal(held.lines[0].gcode, '0402291000', 'the list filed again carries the corrected code');
  assert.equal(held.filed.filter((f) => f.messageType === 'CEB621Message').length, 2);
});

test('detention past its deadline: the order is stuck for an operator, who cancels it and the buyer is refunded', async () => {
  const order = await paidOrder(604, { paths: [{ kind: 'DETAIN', code: '599', reason: 'goods detained for a licence check' }] });
  const detained = await untilCustoms(order.orderId, 'DETAINED');
  assert.equal(detained.stuck, undefined, 'a detention within its deadline is a wait, not a problem');
  await assert.rejects(cancelOrder(s.env.client, order.orderId, { operator: 'ops', reason: 'too early' }), /CANCEL_IN_CLEARANCE/);

  const stuck = await waitForStatus(
    s.env.client,
    order.orderId,
    'the detention deadline',
    (x) => x.stuck?.code === 'DETENTION_DEADLINE',
    s.skipping(HOUR),
  );
  assert.match(stuck.stuck!.reason, /held the goods of .* for over 2 days \(goods detained for a licence check\)/);
  const since = Date.parse(customsOf(stuck).detainedSince!);
  assert.ok(Date.parse(stuck.stuck!.since) - since >= 2 * DAY, 'stuck only once the deadline passed');

  await cancelOrder(s.env.client, order.orderId, { operator: 'ops', reason: 'customs will not release the goods' });
  const ended = await orderHandle(s.env.client, order.orderId).result();
  assert.ok(['REFUNDED', 'CANCELLED'].includes(ended.stage), ended.stage);
  assert.equal(
    ended.refunds.reduce((sum, r) => sum + r.amountFen, 0),
    Number(order.totalFen),
  );
  assert.equal((await usageOf(order)).committedFen, 0, 'goods never released count nothing');
});

test('a return within 30 days of release: customs accepts it, the buyer is refunded and the quota given back', async () => {
  const order = await paidOrder(605, undefined, {});
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  const before = await usageOf(order);
  assert.ok(before.committedFen > 0);
  const [item] = order.items;
  const view = await returnGoods(s.env.client, order.orderId, {
    operator: 'returns-desk@merchant',
    reason: 'the buyer sent one tin back',
    lines: [{ sku: item.sku, quantity: 1 }],
  });
  assert.equal(view.status, 'FILED');
  assert.ok(view.refundFen > item.unitPriceFen, 'the refund includes the tax paid on the returned goods');
  const done = await waitForStatus(
    s.env.client,
    order.orderId,
    'the return refunded and the quota given back',
    (x) => x.returns?.[0]?.quotaGivenBack === true && x.refunds.some((r) => r.status === 'SUCCEEDED'),
    s.skipping(),
  );
  assert.equal(done.returns![0].status, 'ACCEPTED');
  assert.equal(done.refunds[0].amountFen, view.refundFen);
  const afterReturn = await usageOf(order);
  assert.equal(afterReturn.committedFen, before.committedFen - view.quotaFen);
  assert.equal((await s.f.helpers.cebOrder(order.orderId)).returnedValueFen, item.unitPriceFen);
  assert.ok(Date.parse(released.customs![0].releasedAt!) <= Date.parse(done.returns![0].at));
});

test('after 30 days a return is refused; a refund then keeps the quota used', async () => {
  const order = await paidOrder(606);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  const releasedAt = Date.parse(customsOf(released).releasedAt!);
  await s.env.sleep(releasedAt + 31 * DAY - (await s.env.currentTimeMs()));
  const [item] = order.items;
  await assert.rejects(
    returnGoods(s.env.client, order.orderId, { operator: 'ops', reason: 'late return', lines: [{ sku: item.sku, quantity: 1 }] }),
    /RETURN_WINDOW: goods are returned through customs within 30 days of release/,
  );
  const before = await usageOf(order);
  await requestRefund(s.env.client, order.orderId, { amountFen: item.unitPriceFen, reason: 'goodwill refund', requestedBy: 'ops' });
  await waitForStatus(
    s.env.client,
    order.orderId,
    'the refund settled',
    (x) => x.refunds.some((r) => r.status === 'SUCCEEDED'),
    s.skipping(),
  );
  const afterRefund = await usageOf(order);
  assert.equal(afterRefund.committedFen, before.committedFen, 'a refund without a return keeps the quota used');
});

test('receipts that come late, twice and out of order: the order still follows the list to 800 and is released once', async () => {
  const order = await paidOrder(607, {
    paths: [{ kind: 'MANUAL_REVIEW' }],
    stepAfterMs: 60_000,
    delivery: { delayMs: 3 * 60_000, duplicate: [0], duplicateAfterMs: 30_000, reverse: true },
  });
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(customsOf(released).inventory.returnStatus, '800');
  assert.equal(customsOf(released).state, 'RELEASED');
  const held = await s.f.helpers.cebOrder(order.orderId);
  assert.ok(
    held.receipts.filter((r) => r.messageType === 'CEB622Message').length > 4,
    'customs sent the list receipts late and some twice',
  );
  assert.equal(held.filed.length, 3, 'nothing was filed again');
  const usage = await usageOf(order);
  assert.equal(usage.committedFen, quotaAmountFen(sampleOrder({ buyer: order.buyer }), true), 'committed once');
});
