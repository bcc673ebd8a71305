import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { giveUpReturn, orderHandle, orderStatus, pollNow, requestRefund, returnGoods, startOrder } from '../../client/orders';
import { dutiableValueFen, type OrderInput } from '../../domain/order';
import { requestRefundUpdate, type OrderStatus, type OrderTimeouts } from '../../domain/order-api';
import { MILK_TIN, itemShares, payerOf, priced, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { forOrder, freshBuyer } from '../support/workflow-helpers';

// Issue 23 (exact-money orders): refunds carry the caller's key, what is refundable counts what is on its way
// back, a return's receipt has a deadline, a line's returns add up to what was paid for it, a split part's
// return refunds that part's share.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack({ cebStepAfterMs: 10 * 60_000 })));
after(() => s?.close());

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const TIMEOUTS: OrderTimeouts = {
  customsReviewDeadlineMs: 48 * HOUR,
  clearanceDeadlineMs: 72 * HOUR,
  returnReceiptDeadlineMs: 2 * DAY,
};
const TWO_TINS = () => priced([{ ...MILK_TIN, quantity: 2 }]);

async function releasedOrder(seed: number, input: Partial<OrderInput> = TWO_TINS()) {
  const buyer = freshBuyer(seed);
  const order = sampleOrder({ buyer, ...input });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts: TIMEOUTS });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  return order;
}

/** Hides customs' answers to this order's returns (CEB626) while `held.on`, as if they never came. */
function holdReturnReceipts(orderId: string) {
  const held = { on: true };
  s.stubs.set(
    'customsReceipts',
    forOrder(orderId, async (real, ...args) => {
      const receipts = (await real(...args)) as { document: string }[];
      return held.on ? receipts.filter((r) => r.document !== 'RETURN') : receipts;
    }),
  );
  return held;
}

const OPS = { operator: 'returns-desk@merchant', reason: 'the buyer sent it back' };
const until = (orderId: string, what: string, done: (x: OrderStatus) => boolean) =>
  waitForStatus(s.env.client, orderId, what, done, s.skipping(10 * 60_000, 400));
const settledRefunds = (x: OrderStatus) => x.refunds.filter((r) => r.status === 'SUCCEEDED');
const refundedFen = (x: OrderStatus) => settledRefunds(x).reduce((sum, r) => sum + r.amountFen, 0);
/** What returning every unit gives back: the goods and their tax, not the freight. */
const goodsAndTax = (order: OrderInput) => Number(order.totalFen) - (order.freightFen ?? 0);

test('finding 7: the same refund key twice makes one refund and the same answer; with another amount it is refused', async () => {
  const order = await releasedOrder(801);
  const request = { amountFen: 3_000, reason: 'one tin dented', requestedBy: 'support@merchant', idempotencyKey: 'ticket-4411' };
  const first = await requestRefund(s.env.client, order.orderId, request);
  const again = await requestRefund(s.env.client, order.orderId, request);
  assert.equal(again.refundRequestId, first.refundRequestId, 'a retry answers the same refund');
  const st = await orderStatus(s.env.client, order.orderId);
  assert.equal(st.refunds.length, 1, `one refund, not ${st.refunds.map((r) => r.amountFen).join(' + ')} fen`);
  assert.equal(st.refunds[0].idempotencyKey, 'ticket-4411');
  // Under another update id (a continued run, a client of its own), the key recorded on the refund answers it.
  const raw = await orderHandle(s.env.client, order.orderId).executeUpdate(requestRefundUpdate, {
    args: [request],
    updateId: 'another-id',
  });
  assert.equal(raw.refundRequestId, first.refundRequestId);
  await assert.rejects(requestRefund(s.env.client, order.orderId, { ...request, amountFen: 4_000 }), /REFUND_KEY_REUSED/);
  assert.equal((await orderStatus(s.env.client, order.orderId)).refunds.length, 1);
});

test('finding 4: a return under way is not refundable again; its own refund then fits and succeeds', async () => {
  const order = await releasedOrder(802);
  const held = holdReturnReceipts(order.orderId);
  try {
    const view = await returnGoods(s.env.client, order.orderId, { ...OPS, lines: [{ sku: MILK_TIN.sku, quantity: 1 }] });
    const st = await orderStatus(s.env.client, order.orderId);
    assert.equal(st.refundableFen, Number(order.totalFen) - view.refundFen, 'the return filed is on its way back');
    await assert.rejects(
      requestRefund(s.env.client, order.orderId, {
        amountFen: Number(order.totalFen),
        reason: 'goodwill',
        requestedBy: 'ops',
        idempotencyKey: 'k-802',
      }),
      /REFUND_NOT_ABOVE_PAYMENT/,
    );
    held.on = false;
    const done = await until(order.orderId, 'the return refunded', (x) => settledRefunds(x).length === 1);
    assert.equal(done.refunds[0].amountFen, view.refundFen);
    assert.deepEqual(done.stuckReasons ?? [], [], JSON.stringify(done.stuckReasons));
  } finally {
    s.stubs.delete('customsReceipts');
  }
});

test('finding 4: a return after a partial refund refunds what is left, says so, and nothing ends stuck', async () => {
  const order = await releasedOrder(803);
  const partial = Number(order.totalFen) - 10_000;
  await requestRefund(s.env.client, order.orderId, { amountFen: partial, reason: 'goodwill', requestedBy: 'ops', idempotencyKey: 'k-803' });
  const view = await returnGoods(s.env.client, order.orderId, { ...OPS, lines: [{ sku: MILK_TIN.sku, quantity: 1 }] });
  assert.equal(view.refundFen, 10_000, 'capped at what is left to refund');
  assert.ok(view.refundCappedFromFen! > 10_000, 'and it says what the goods were worth');
  const done = await until(
    order.orderId,
    'the return refunded',
    (x) => x.returns?.[0]?.quotaGivenBack === true && settledRefunds(x).length === 2,
  );
  assert.equal(refundedFen(done), Number(order.totalFen));
  assert.deepEqual(done.stuckReasons ?? [], [], JSON.stringify(done.stuckReasons));
});

test('finding 6: a return whose receipt never comes is stuck past its deadline; an operator gives it up and the order ends', async () => {
  const order = await releasedOrder(804);
  holdReturnReceipts(order.orderId);
  try {
    const view = await returnGoods(s.env.client, order.orderId, { ...OPS, lines: [{ sku: MILK_TIN.sku, quantity: 1 }] });
    const stuck = await until(order.orderId, 'the return past its deadline', (x) =>
      (x.stuckReasons ?? []).some((r) => r.code === 'RETURN_RECEIPT_DEADLINE'),
    );
    assert.match(stuck.stuck!.reason, new RegExp(view.returnId));
    await pollNow(s.env.client, order.orderId, OPS); // polls again, still no receipt
    const given = await giveUpReturn(s.env.client, order.orderId, { ...OPS, returnId: view.returnId });
    assert.equal(given.status, 'GIVEN_UP');
    const after = await orderStatus(s.env.client, order.orderId);
    assert.deepEqual(after.stuckReasons ?? [], []);
    assert.equal(after.refundableFen, Number(order.totalFen), 'a return given up holds nothing back');
    const ended = await waitForStatus(s.env.client, order.orderId, 'the order ended', (x) => x.stage === 'COMPLETED', s.skipping(DAY, 120));
    assert.equal(ended.refunds.length, 0);
  } finally {
    s.stubs.delete('customsReceipts');
  }
});

test('finding 6: a return still unanswered when the refund window closes is given up by the order, which ends', async () => {
  const order = await releasedOrder(807);
  holdReturnReceipts(order.orderId);
  try {
    await returnGoods(s.env.client, order.orderId, { ...OPS, lines: [{ sku: MILK_TIN.sku, quantity: 1 }] });
    const ended = await waitForStatus(s.env.client, order.orderId, 'the order ended', (x) => x.stage === 'COMPLETED', s.skipping(DAY, 120));
    assert.equal(ended.returns![0].status, 'GIVEN_UP');
    assert.equal(ended.returns![0].givenUp!.by, 'orchestrator');
    assert.equal(ended.refunds.length, 0);
    // Polled until its deadline, not hourly for the 90 days: the history stays small.
    const { events } = await orderHandle(s.env.client, order.orderId).fetchHistory();
    assert.ok(events!.length < 1_500, `${events!.length} events`);
  } finally {
    s.stubs.delete('customsReceipts');
  }
});

test("finding 8: returning a line's units one by one refunds exactly what was paid for them", async () => {
  const order = await releasedOrder(805);
  for (let n = 1; n <= 2; n++) {
    await returnGoods(s.env.client, order.orderId, { ...OPS, lines: [{ sku: MILK_TIN.sku, quantity: 1 }] });
    await until(order.orderId, `return ${n} refunded`, (x) => settledRefunds(x).length === n);
  }
  const done = await orderStatus(s.env.client, order.orderId);
  assert.equal(refundedFen(done), goodsAndTax(order), done.refunds.map((r) => r.amountFen).join(' + '));
});

test("split part: a return on a part refunds and gives back that part's share; every part returned adds up to the whole", async () => {
  const items = [{ ...MILK_TIN }, { ...MILK_TIN, sku: 'MILK-900B', quantity: 3 }];
  const [a, b] = itemShares(items);
  const input = { ...priced(items) };
  const order = await releasedOrder(806, {
    ...input,
    splitParts: [
      { referenceOrderId: `S806-${a}-A`, amountFen: a },
      { referenceOrderId: `S806-${b}-B`, amountFen: b },
    ],
  });
  const [partA, partB] = order.splitParts!;
  const first = await returnGoods(s.env.client, order.orderId, {
    ...OPS,
    orderNo: partA.referenceOrderId,
    lines: [{ sku: MILK_TIN.sku, quantity: 1 }],
  });
  assert.ok(first.refundFen < MILK_TIN.unitPriceFen, `a part's share of one tin, not ${first.refundFen} fen`);
  await until(order.orderId, 'the first return refunded', (x) => settledRefunds(x).length === 1);
  // The rest of each part, by the quantities its inventory list (CEB621) declared.
  for (const part of [partA, partB]) {
    const declared = (await s.f.helpers.cebOrder(part.referenceOrderId)).lines;
    const lines = declared
      .map((l) => ({ sku: l.itemNo!, quantity: Number(l.qty) - (part === partA && l.itemNo === MILK_TIN.sku ? 1 : 0) }))
      .filter((l) => l.quantity > 0);
    await returnGoods(s.env.client, order.orderId, { ...OPS, orderNo: part.referenceOrderId, lines });
  }
  const done = await until(order.orderId, 'every return refunded', (x) => settledRefunds(x).length === 3);
  assert.equal(refundedFen(done), goodsAndTax(order), done.refunds.map((r) => r.amountFen).join(' + '));
  const quota = done.returns!.reduce((sum, r) => sum + r.quotaFen, 0);
  assert.equal(quota, dutiableValueFen(order), 'the full quota');
});
