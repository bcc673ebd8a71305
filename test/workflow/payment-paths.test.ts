import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { orderHandle, orderStatus, startOrder } from '../../client/orders';
import { paymentNotificationUpdate } from '../../domain/order-api';
import { FACE_CREAM, VITAMIN_C, itemShares, payerOf, priced, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer, untilNotified } from '../support/workflow-helpers';

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
afterEach(() => s.f.helpers.faults({}));
after(() => s?.close());

test('a split order declares each part with isSplit and its referenceOrderId, and clears each', async () => {
  const buyer = freshBuyer(101);
  const items = [
    { ...VITAMIN_C, quantity: 2, unitPriceFen: 10_000 },
    { ...FACE_CREAM, unitPriceFen: 10_000 },
  ];
  const order = sampleOrder({
    buyer,
    ...priced(items, 0),
    customs: { district: 'NINGBO', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
  });
  // What each line costs the buyer, its tax included: 200.00 + 18.20 and 100.00 + 23.06.
  const [p1, p2] = itemShares(items, 0);
  assert.deepEqual([p1, p2], [21_820, 12_306]);
  order.splitParts = [
    { referenceOrderId: `${order.orderId}-P1`, amountFen: p1 },
    { referenceOrderId: `${order.orderId}-P2`, amountFen: p2 },
  ];
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const st = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.deepEqual(
    st.declarations.map((d) => [d.declarationId, d.customsOrderId, d.isSplit, d.amountFen, d.customsCode, d.status]),
    [
      [`${order.orderId}-D1`, `${order.orderId}-P1`, true, p1, 'NINGBO', 'ACCEPTED'],
      [`${order.orderId}-D2`, `${order.orderId}-P2`, true, p2, 'NINGBO', 'ACCEPTED'],
    ],
  );
  assert.deepEqual(
    st.clearance.map((c) => c.status),
    ['RELEASED', 'RELEASED'],
  );
  const { declarations } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    declarations.map((d) => [d.customsOrderId, d.currentAmount, d.calls.length]),
    [
      [`${order.orderId}-P1`, String(p1), 1],
      [`${order.orderId}-P2`, String(p2), 1],
    ],
  );
});

test('a lost notification: polling inquiryPayment finds the payment', async () => {
  await s.f.helpers.faults({ dropNotificationRate: 1 });
  const buyer = freshBuyer(102);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const st = await waitForStatus(s.env.client, order.orderId, 'the payment', (x) => x.payment.status === 'SUCCESS', s.skipping());
  assert.equal(st.payment.learnedFrom, 'INQUIRY');
  assert.equal(st.payment.notificationsReceived, 0);
  const { notifications } = await s.f.helpers.ledgerOf(order.orderId);
  assert.ok(notifications[0].attempts.every((a) => a.outcome === 'DROPPED'));
  const done = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(done.declarations[0].status, 'ACCEPTED');
});

test('duplicate notifications produce one declaration', async () => {
  await s.f.helpers.faults({ duplicateNotificationRate: 1 });
  const buyer = freshBuyer(103);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  await untilNotified(s.f.helpers, order.orderId, 2);
  const st = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(st.payment.learnedFrom, 'NOTIFICATION');
  // The second copy came after the first was recorded: the validator refused it, so it is not counted.
  assert.equal(st.payment.notificationsReceived, 1);
  const { declarations, notifications } = await s.f.helpers.ledgerOf(order.orderId);
  assert.equal(notifications[0].attempts.filter((a) => a.outcome === 'ACKNOWLEDGED').length, 2);
  assert.equal(declarations.length, 1);
  assert.deepEqual(
    declarations[0].calls.map((c) => c.kind),
    ['FIRST'],
  );
});

test('CHECK_NOT_PASSED: the payer is not the buyer, so the payment is refunded and the quota released', async () => {
  const buyer = freshBuyer(104);
  const someoneElse = freshBuyer(105);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(someoneElse));
  const st = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
  assert.equal(st.declarations[0].identityCheckResult, 'CHECK_NOT_PASSED');
  assert.match(st.outcome!.reason, /^IDENTITY_CHECK_NOT_PASSED/);
  assert.match(st.outcome!.buyerMessage, /person who orders to be the person who pays/);
  const { refunds } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    refunds.map((r) => [r.refundRequestId, r.amount.value]),
    [[`${order.orderId}-R1`, String(order.totalFen)]],
  );
  assert.equal(st.refundableFen, 0);
});

test('the real-name gate decides on identityCheckResult alone: CHECK_NOT_PASSED for the buyer who paid refunds, nothing goes on to customs', async () => {
  const buyer = freshBuyer(106);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  // The buyer pays, but Alipay+'s identity check of the payment answers CHECK_NOT_PASSED (sandbox rule).
  await s.f.helpers.failIdentityCheck(order.orderId);
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const st = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
  assert.equal(st.declarations[0].identityCheckResult, 'CHECK_NOT_PASSED');
  assert.match(st.outcome!.reason, /^IDENTITY_CHECK_NOT_PASSED: /);
  assert.equal(st.payment.status, 'SUCCESS');
  assert.ok(!('payerRealNameVerified' in st.payment), 'the order keeps no payer real-name flag');
  assert.deepEqual(st.clearance, [], 'no order document or waybill is filed');
  const { refunds, declarations } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    refunds.map((r) => r.amount.value),
    [String(order.totalFen)],
  );
  assert.equal(declarations.length, 1, 'only the declaration that carried the certificate');
  assert.equal(declarations[0].calls.filter((c) => c.kind !== 'IDEMPOTENT_REPEAT').length, 1, 'never retransmitted');
});

test('the real-name gate decides on identityCheckResult alone: CHECK_PASSED lets the order go on to customs and release', async () => {
  const buyer = freshBuyer(109);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.customsRules({ identityChecks: { [order.orderId]: 'CHECK_PASSED' } });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const st = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(st.declarations[0].identityCheckResult, 'CHECK_PASSED');
  assert.equal(st.refunds.length, 0);
});

test('U results and traffic limits on every Alipay+ call are retried until they succeed, with one effect each', async () => {
  const buyer = freshBuyer(107);
  const order = sampleOrder({ buyer });
  await s.f.helpers.faults({
    next: [
      { kind: 'TRAFFIC_LIMIT', count: 2, path: '/aps/api/v1/payments/pay' },
      { kind: 'U', count: 1, path: '/aps/api/v1/payments/pay', afterEffect: true },
      { kind: 'U', count: 2, path: '/aps/api/v1/customs/declare', afterEffect: true },
      { kind: 'HTTP_500', count: 1, path: '/aps/api/v1/customs/declare' },
      { kind: 'TRAFFIC_LIMIT', count: 2, path: '/aps/api/v1/customs/inquireDeclarationRequests' },
    ],
  });
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.match(checkout.paymentUrl, /cashier/);
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  const st = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(st.declarations[0].status, 'ACCEPTED');
  const ledger = await s.f.helpers.ledger();
  const injected = ledger.faultsInjected.map((f) => `${f.path.split('/').pop()}:${f.kind}`);
  assert.deepEqual(injected.sort(), [
    'declare:HTTP_500',
    'declare:U',
    'declare:U',
    'inquireDeclarationRequests:TRAFFIC_LIMIT',
    'inquireDeclarationRequests:TRAFFIC_LIMIT',
    'pay:TRAFFIC_LIMIT',
    'pay:TRAFFIC_LIMIT',
    'pay:U',
  ]);
  const { payments, declarations } = await s.f.helpers.ledgerOf(order.orderId);
  assert.equal(payments.length, 1);
  assert.equal(declarations.length, 1);
  // The first attempt took effect before its U; the retries were idempotent repeats of it.
  assert.equal(declarations[0].calls[0].kind, 'FIRST');
  assert.ok(declarations[0].calls.slice(1).every((c) => c.kind === 'IDEMPOTENT_REPEAT'));
});

test('a notification that slipped past the receiver is confirmed with inquiryPayment: unpaid, so the order ends and nothing is declared', async () => {
  const buyer = freshBuyer(108);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  const { payment } = await orderStatus(s.env.client, order.orderId);
  // Straight to the update, as if a forged notification had got through: the buyer never paid.
  await orderHandle(s.env.client, order.orderId).executeUpdate(paymentNotificationUpdate, {
    args: [
      {
        paymentRequestId: order.orderId,
        paymentId: payment.paymentId!,
        resultStatus: 'S',
        resultCode: 'SUCCESS',
        paymentAmountFen: order.totalFen,
      },
    ],
  });
  const st = await waitForStatus(s.env.client, order.orderId, 'an outcome', (x) => x.outcome !== undefined, s.skipping());
  assert.equal(st.stage, 'FAILED');
  assert.match(st.outcome!.reason, /^NOTIFICATION_NOT_CONFIRMED: .*Alipay\+ reports the payment as PROCESSING/);
  const { payments, declarations, refunds } = await s.f.helpers.ledgerOf(order.orderId);
  assert.equal(payments[0].status, 'CANCELLED', 'the open payment is closed so it cannot be paid for an ended order');
  assert.deepEqual([declarations.length, refunds.length], [0, 0]);
});

test('a notification whose fields its handler could not read is refused by rule, and the order keeps answering (found by npm run fuzz)', async () => {
  const order = sampleOrder({ buyer: freshBuyer(109) });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  const { payment } = await orderStatus(s.env.client, order.orderId);
  const valid = {
    paymentRequestId: order.orderId,
    paymentId: payment.paymentId!,
    resultStatus: 'S' as const,
    resultCode: 'SUCCESS',
    paymentAmountFen: order.totalFen,
  };
  // Before the fix, the first was accepted and its handler failed the workflow task on `new Date(NaN).toISOString()`.
  for (const [field, value] of [
    ['paymentTime', 'not a time'],
    ['paymentTime', 12],
    ['resultStatus', 'X'],
    ['customsDeclarationFen', 1.5],
    ['settlementQuote', 'USD/CNY'],
  ] as const) {
    await assert.rejects(
      orderHandle(s.env.client, order.orderId).executeUpdate(paymentNotificationUpdate, { args: [{ ...valid, [field]: value }] }),
      (e: Error & { cause?: Error }) =>
        /^NOTIFICATION_MISMATCH: a payment notification's /.test(e.cause?.message ?? '') || assert.fail(e.cause?.message),
      `${field}=${JSON.stringify(value)}`,
    );
  }
  const st = await orderStatus(s.env.client, order.orderId);
  assert.equal(st.stage, 'AWAITING_PAYMENT', 'the order still answers its status query and waits for its payment');
});
