import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OrderRefusedError, correctDeclaration, orderHandle, requestRefund, startOrder } from '../../client/orders';
import { RETRANSMIT_GAP_MS } from '../../domain/limits';
import type { DeclarationCorrection } from '../../domain/order-api';
import type { CustomsRules } from '../../sandbox/helper-client';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

/** What customs decides about one order's declaration. */
type ReviewRule = NonNullable<CustomsRules['orders']>[string];

const declarationsOf = async (orderId: string) => (await s.f.helpers.ledgerOf(orderId)).declarations;
const refundsOf = async (orderId: string) => (await s.f.helpers.ledgerOf(orderId)).refunds;

async function paidOrder(seed: number, rules?: ReviewRule, timeouts?: { customsReviewDeadlineMs: number; clearanceDeadlineMs: number }) {
  const buyer = freshBuyer(seed);
  const order = sampleOrder({ buyer });
  if (rules) await s.f.helpers.customsRules({ orders: { [order.orderId]: rules } });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  return order;
}

test('a customs rejection, an operator correction, then a retransmission no earlier than 5 minutes after the last call', async () => {
  const order = await paidOrder(201, {
    outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code is not registered' }, { decision: 'ACCEPT' }],
    processingAfterMs: 10_000,
    decisionAfterMs: 60_000,
  });
  const waiting = await waitForStatus(
    s.env.client,
    order.orderId,
    'a declaration awaiting correction',
    (x) => x.declarations[0]?.status === 'AWAITING_CORRECTION',
    s.skipping(10_000),
  );
  assert.match(waiting.stuck!.reason, /customs rejected .*-D1 \(code 100: merchant customs code is not registered\)/);
  const [before] = await declarationsOf(order.orderId);
  const firstCallAt = Date.parse(before.calls[0].at);

  // The operator corrects the merchant customs code well inside the 5 minutes.
  const correctedAt = await s.env.currentTimeMs();
  assert.ok(correctedAt - firstCallAt < RETRANSMIT_GAP_MS, 'the correction came within 5 minutes of the first call');
  const view = await correctDeclaration(s.env.client, order.orderId, {
    declarationId: `${order.orderId}-D1`,
    merchantCustomsCode: 'MC-0002',
    operator: 'ops@merchant',
    reason: 'registered code is MC-0002',
  });
  assert.equal(view.status, 'RETRANSMIT_SCHEDULED');
  // Scheduled from when the workflow saw the declare call finish, which is never before Alipay+ recorded it.
  const retransmitAt = Date.parse(view.retransmitAt!);
  assert.ok(retransmitAt > firstCallAt + RETRANSMIT_GAP_MS && retransmitAt < firstCallAt + RETRANSMIT_GAP_MS + 5_000, view.retransmitAt);

  const done = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(20_000));
  assert.equal(done.declarations[0].attempts, 2);
  assert.equal(done.declarations[0].merchantCustomsCode, 'MC-0002');
  assert.equal(done.stuck, undefined);

  const [after] = await declarationsOf(order.orderId);
  assert.deepEqual(
    after.calls.map((c) => [c.kind, c.merchantCustomsCode]),
    [
      ['FIRST', 'MC-0001'],
      ['RETRANSMISSION', 'MC-0002'],
    ],
  );
  const gap = Date.parse(after.calls[1].at) - Date.parse(after.calls[0].at);
  assert.ok(gap > RETRANSMIT_GAP_MS, `retransmitted ${gap} ms after the last call`);
  assert.ok(gap < RETRANSMIT_GAP_MS + 60_000, `and promptly after the 5 minutes (${gap} ms)`);
  assert.deepEqual(after.refusedCalls, [], 'the workflow never relied on Alipay+ to refuse an early retransmission');
});

test('the correction validator allows only the four mutable fields and names the rule', async () => {
  const order = await paidOrder(202, {
    outcomes: [{ decision: 'REJECT', code: '100', description: 'wrong customs' }],
    processingAfterMs: 10_000,
    decisionAfterMs: 60_000,
  });
  await waitForStatus(
    s.env.client,
    order.orderId,
    'a declaration awaiting correction',
    (x) => x.declarations[0]?.status === 'AWAITING_CORRECTION',
    s.skipping(10_000),
  );
  const declarationId = `${order.orderId}-D1`;
  // Corrections an operator's tool might send, wrong on purpose: the workflow's validator must refuse each.
  const refused = async (correction: object, rule: string) =>
    assert.rejects(correctDeclaration(s.env.client, order.orderId, correction as DeclarationCorrection), (e: unknown) => {
      assert.ok(e instanceof OrderRefusedError, String(e));
      assert.equal(e.rule, rule);
      return true;
    });
  await refused({ declarationId, isSplit: true, operator: 'ops', reason: 'x' }, 'RETRANSMIT_MUTABLE_FIELDS');
  await refused({ declarationId, customsCode: 'HANGZHOU', operator: 'ops', reason: 'x' }, 'CUSTOMS_CODE_TABLE');
  await refused({ declarationId, amountFen: order.totalFen + 1, operator: 'ops', reason: 'x' }, 'DECLARED_AMOUNT_LIMIT');
  await refused({ declarationId, customsCode: 'NINGBO', operator: '', reason: 'x' }, 'OPERATOR_ACTION');
  await refused({ declarationId: 'nope', customsCode: 'NINGBO', operator: 'ops', reason: 'x' }, 'UNKNOWN_DECLARATION');
  const [d] = await declarationsOf(order.orderId);
  assert.equal(d.calls.length, 1, 'no refused correction reached Alipay+');
});

test('a rejection because customs lacks the payment data is retransmitted automatically after the 5 minutes', async () => {
  const order = await paidOrder(203, {
    outcomes: [{ decision: 'REJECT', code: '100', description: 'payment data missing at the e-port' }, { decision: 'ACCEPT' }],
    processingAfterMs: 10_000,
    decisionAfterMs: 60_000,
  });
  const done = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(20_000));
  assert.equal(done.declarations[0].attempts, 2);
  assert.deepEqual(done.declarations[0].corrections, []);
  const [d] = await declarationsOf(order.orderId);
  assert.deepEqual(
    d.calls.map((c) => c.kind),
    ['FIRST', 'RETRANSMISSION'],
  );
  assert.ok(Date.parse(d.calls[1].at) - Date.parse(d.calls[0].at) > RETRANSMIT_GAP_MS);
});

test('past the review deadline the order is stuck with a reason an operator can read, and it keeps polling', async () => {
  const order = await paidOrder(
    204,
    { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 60_000, decisionAfterMs: 5 * 60 * 60_000 },
    { customsReviewDeadlineMs: 60 * 60_000, clearanceDeadlineMs: 60 * 60_000 },
  );
  const stuck = await waitForStatus(s.env.client, order.orderId, 'stuck', (x) => x.stuck !== undefined, s.skipping(5 * 60_000));
  assert.equal(stuck.stage, 'CUSTOMS_REVIEW');
  assert.match(stuck.stuck!.reason, /customs has not accepted .*-D1 \(IN_PROCESS, code 3\) within 1 hours/);
  // Customs answers after 5 hours; the hourly poll sees it and the order unsticks itself.
  const done = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(20 * 60_000));
  assert.equal(done.stuck, undefined);
});

test('two partial refunds succeed, and a third that would pass the amount paid is refused', async () => {
  const order = await paidOrder(205);
  await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  const r1 = await requestRefund(s.env.client, order.orderId, {
    amountFen: 5_000,
    reason: 'one tin dented',
    requestedBy: 'support@merchant',
  });
  const r2 = await requestRefund(s.env.client, order.orderId, {
    amountFen: order.totalFen - 10_000, // 50.00 CNY of the tax-inclusive total left
    reason: 'late delivery',
    requestedBy: 'support@merchant',
  });
  // Accepted, not yet returned: Alipay+ processes them later (10 minutes on this stack).
  assert.deepEqual([r1.status, r2.status], ['PROCESSING', 'PROCESSING']);
  assert.deepEqual([r1.refundRequestId, r2.refundRequestId], [`${order.orderId}-R1`, `${order.orderId}-R2`]);
  await assert.rejects(
    requestRefund(s.env.client, order.orderId, { amountFen: 5_001, reason: 'goodwill', requestedBy: 'support@merchant' }),
    (e: unknown) => {
      assert.ok(e instanceof OrderRefusedError, String(e));
      assert.equal(e.rule, 'REFUND_NOT_ABOVE_PAYMENT');
      assert.match(e.message, /50\.01 CNY is more than the 50\.00 CNY that can still be refunded of the 228\.02 CNY paid/);
      return true;
    },
  );
  const settled = await waitForStatus(
    s.env.client,
    order.orderId,
    'both refunds succeeded',
    (x) => x.refunds.every((r) => r.status === 'SUCCEEDED'),
    s.skipping(),
  );
  assert.equal(settled.refundableFen, 5_000);
  assert.deepEqual(
    (await refundsOf(order.orderId)).map((r) => [r.amount.value, r.status]),
    [
      ['5000', 'SUCCESS'],
      [String(order.totalFen - 10_000), 'SUCCESS'],
    ],
  );
});

test('a refund on day 91 is refused: the order completed when the 90-day window closed', async () => {
  const order = await paidOrder(206);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  const paidAt = Date.parse(released.payment.paidAt!);
  await s.env.sleep(paidAt + 91 * 24 * 60 * 60_000 - (await s.env.currentTimeMs()));
  assert.ok((await s.env.currentTimeMs()) - paidAt >= 91 * 24 * 60 * 60_000);
  const result = await orderHandle(s.env.client, order.orderId).result();
  assert.equal(result.stage, 'COMPLETED');
  await assert.rejects(
    requestRefund(s.env.client, order.orderId, { amountFen: 100, reason: 'late claim', requestedBy: 'support@merchant' }),
    (e: unknown) => e instanceof OrderRefusedError && e.rule === 'REFUND_WINDOW',
  );
  assert.deepEqual(await refundsOf(order.orderId), []);
});
