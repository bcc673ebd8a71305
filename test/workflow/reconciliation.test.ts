import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cancelOrder, orderHandle, requestRefund, startOrder } from '../../client/orders';
import { statusQuery, type OrderStatus } from '../../domain/order-api';
import { RECONCILIATION_ISSUE } from '../../domain/search-attributes';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { QUICK_CUSTOMS } from '../../dev/scenarios/run';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { SettlementFileHelpers } from '../../sandbox/settlement-helpers';
import type { ReconciliationReport } from '../../workflows/reconciliation/report';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// The daily reconciliation finds each kind of mismatch, each planted in the sandbox's transaction file.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let s: WorkflowStack;
let plants: SettlementFileHelpers;
/** The orders this test made: the time-skipping server has no visibility list, so they stand in for its answer. */
const ordersMade: string[] = [];
before(async () => {
  s = await startWorkflowStack();
  plants = new SettlementFileHelpers(s.f.sandbox.url);
  s.stubs.set('listOrdersWithMoneyOn', () => Promise.resolve([...ordersMade]));
});
after(() => s?.close());

async function paidOrder(seed: number) {
  const buyer = freshBuyer(seed);
  const order = sampleOrder({ buyer, prefix: 'REC-' });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  ordersMade.push(order.orderId);
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStatus(s.env.client, order.orderId, 'paid', (x) => x.payment.status === 'SUCCESS', s.skipping(5_000));
  return order.orderId;
}

const runReconciliation = (date: string) =>
  s.env.client.workflow.execute('reconciliationWorkflow', {
    taskQueue: s.taskQueue,
    workflowId: `reconciliation-test-${date}-${Math.random().toString(36).slice(2, 8)}`,
    args: [{ date }],
  }) as Promise<ReconciliationReport>;

test('a reconciliation reports each kind of mismatch planted in the file, and nothing about the orders that agree', async () => {
  // Start one hour into a UTC day, so every payment and refund below falls on it.
  const now = await s.env.currentTimeMs();
  await s.env.sleep(Math.ceil(now / DAY) * DAY + HOUR - now);
  const date = new Date(await s.env.currentTimeMs()).toISOString().slice(0, 10);
  await s.f.helpers.customsRules(QUICK_CUSTOMS);

  const [fine, omitted, amount, currency, refunded] = [
    await paidOrder(601),
    await paidOrder(602),
    await paidOrder(603),
    await paidOrder(604),
    await paidOrder(605),
  ];
  // An order cancelled after payment is refunded in full and ends once the refund settles: it can no longer
  // take the signal.
  const ended = await paidOrder(606);
  const cancelled = await cancelOrder(s.env.client, ended, { operator: 'ops@merchant', reason: 'buyer cancelled' });
  assert.deepEqual([cancelled.stage, cancelled.refunds[0]?.status], ['COMPENSATING', 'PROCESSING']);
  const endedRefund = cancelled.refunds[0].refundRequestId;
  const endedStatus = await waitForStage(s.env.client, ended, 'CANCELLED', s.skipping(60_000));
  assert.equal(endedStatus.refunds[0]?.status, 'SUCCEEDED');
  await waitForStage(s.env.client, refunded, 'RELEASED_FOR_DELIVERY', s.skipping(10_000));
  const r1 = await requestRefund(s.env.client, refunded, { amountFen: 1_000, reason: 'a tin dented', requestedBy: 'ops@merchant' });
  const r2 = await requestRefund(s.env.client, refunded, { amountFen: 2_000, reason: 'late delivery', requestedBy: 'ops@merchant' });
  // Both refunds settle (the test stack's sandbox processes them minutes later), so the order and the file
  // agree on their status unless a plant below says otherwise.
  const settled = (x: OrderStatus) => x.refunds.filter((r) => r.status === 'SUCCEEDED').length === 2;
  await waitForStatus(s.env.client, refunded, 'both refunds settled', settled, s.skipping(60_000));

  const stranger = await plants.unknownPayment(date, 5_000);
  await plants.omit(omitted);
  await plants.alter(amount, { transactionAmountValue: '19000' });
  await plants.alter(currency, { transactionCurrency: 'USD' });
  await plants.alter(r1.refundRequestId, { transactionStatus: 'FAIL' });
  await plants.alter(r2.refundRequestId, { quotePrice: '7.5000' });
  await plants.alter(endedRefund, { transactionStatus: 'PROCESSING' });
  // The file of the day is published once the day is over (the sandbox clock moves, Temporal's need not).
  await s.f.helpers.advance(DAY);

  const report = await runReconciliation(date);
  const found = report.issues.map((i) => [i.code, i.transactionRequestId, i.orderId ?? '-']).sort();
  assert.deepEqual(
    found,
    [
      ['AMOUNT_MISMATCH', amount, amount],
      ['CURRENCY_MISMATCH', currency, currency],
      ['PAYMENT_MISSING_FROM_FILE', omitted, omitted],
      ['PAYMENT_WITHOUT_ORDER', stranger, '-'],
      ['REFUND_RATE_MISMATCH', r2.refundRequestId, refunded],
      ['REFUND_STATUS_MISMATCH', r1.refundRequestId, refunded],
      ['REFUND_STATUS_MISMATCH', endedRefund, ended],
    ].sort(),
  );
  assert.equal(report.date, date);
  assert.deepEqual([report.payments, report.refunds], [6, 3], 'six payments (one left out, one planted) and three refunds');
  assert.equal(report.ordersChecked, 6, 'the six orders were read, the ended one too');
  assert.ok(!report.issues.some((i) => i.orderId === fine), 'the order that agrees with the file is not reported');

  // Each order involved was told, and shows its issues in the ReconciliationIssue search attribute.
  assert.deepEqual(report.ordersFlagged, [amount, currency, omitted, refunded].sort());
  assert.deepEqual(
    report.ordersNotFlagged.map((o) => o.orderId),
    [ended],
    'the ended order cannot take the signal',
  );
  const expected: Record<string, string[]> = {
    [amount]: ['AMOUNT_MISMATCH'],
    [currency]: ['CURRENCY_MISMATCH'],
    [omitted]: ['PAYMENT_MISSING_FROM_FILE'],
    [refunded]: ['REFUND_RATE_MISMATCH', 'REFUND_STATUS_MISMATCH'],
    [fine]: [],
  };
  for (const [orderId, codes] of Object.entries(expected)) {
    const st = await orderHandle(s.env.client, orderId).query(statusQuery);
    assert.deepEqual(st.reconciliation?.flatMap((f) => f.codes) ?? [], codes, `${orderId}: status`);
    const shown = await waitForSearchAttribute(orderId, codes);
    assert.deepEqual(shown, codes, `${orderId}: ReconciliationIssue`);
  }
});

/** The order's ReconciliationIssue search attribute once it shows `codes` (the signal is handled asynchronously). */
async function waitForSearchAttribute(orderId: string, codes: string[]): Promise<string[]> {
  let shown: string[] = [];
  for (let i = 0; i < 50; i++) {
    const d = await orderHandle(s.env.client, orderId).describe();
    shown = [...(d.typedSearchAttributes.get(RECONCILIATION_ISSUE) ?? [])];
    if (JSON.stringify(shown) === JSON.stringify(codes)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return shown;
}

test('the file of a day without payments reconciles with no issues', async () => {
  const now = await s.f.helpers.now();
  const quietDay = new Date(now - 30 * DAY).toISOString().slice(0, 10);
  const report = await runReconciliation(quietDay);
  assert.deepEqual([report.payments, report.refunds, report.issues], [0, 0, []]);
});
