import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cancelOrder, startOrder } from '../../client/orders';
import { latePaymentRefundIdFor, latePaymentWorkflowId, type LatePaymentOutcome } from '../../domain/late-payment';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { postNotification, successNotification } from '../support/notify-wire';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { finalAnswers, forOrder, freshBuyer, holdNextCall, untilNotified } from '../support/workflow-helpers';

// A payment that succeeds as its order closes never keeps the money (issue 23, finding 3): the order does not
// end while its payment may still take money, and money that reaches a closed order is refunded at once.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const MINUTE = 60_000;
const OPERATOR = { operator: 'ops@merchant', reason: 'buyer asked to cancel' };

/** What Alipay+ holds of the order's payment and refunds. */
async function atAlipay(orderId: string) {
  const { payments, refunds } = await s.f.helpers.ledgerOf(orderId);
  return {
    payment: payments[0],
    refundedFen: refunds.filter((r) => r.status !== 'FAIL').reduce((sum, r) => sum + Number(r.amount.value), 0),
    refunds,
  };
}

test('expiry meets a cancel refused while Alipay+ processes the payment: the order cancels again, and the payment cannot be paid after the order ended', async () => {
  const order = sampleOrder({ buyer: freshBuyer(801), paymentExpiryMinutes: 5 });
  s.stubs.set('cancelPayment', forOrder(order.orderId, finalAnswers('INVALID_ORDER_STATUS', 1)));
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    const ended = await waitForStage(s.env.client, order.orderId, 'CANCELLED', s.skipping(MINUTE));
    assert.equal(ended.payment.status, 'CANCELLED');
    assert.equal((await atAlipay(order.orderId)).payment.status, 'CANCELLED', 'Alipay+ closed the payment before the order ended');
    await assert.rejects(s.f.helpers.pay(order.orderId, payerOf(order.buyer)), /409/);
  } finally {
    s.stubs.delete('cancelPayment');
  }
});

test('a cancel refused while the payment is processing, then paid: the order refunds the payment in full', async () => {
  const order = sampleOrder({ buyer: freshBuyer(802) });
  s.stubs.set('cancelPayment', forOrder(order.orderId, finalAnswers('INVALID_ORDER_STATUS', 1)));
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    await waitForStage(s.env.client, order.orderId, 'AWAITING_PAYMENT');
    const cancelled = cancelOrder(s.env.client, order.orderId, OPERATOR);
    // The cancel was refused and the inquiry still says PROCESSING: the order ended, or waits to cancel again.
    await waitForStatus(
      s.env.client,
      order.orderId,
      'the cancel refused',
      (x) => x.stage === 'CANCELLED' || /close payment/.test(x.waitingFor?.what ?? ''),
    );
    await s.f.helpers.pay(order.orderId, payerOf(order.buyer)); // the buyer pays before the order tries again
    const ended = await waitForStatus(
      s.env.client,
      order.orderId,
      'cancelled, its refund settled',
      (x) => x.stage === 'CANCELLED' && x.refunds.length > 0 && x.refunds.every((r) => r.status === 'SUCCEEDED'),
      s.skipping(MINUTE),
    );
    await cancelled;
    assert.equal(ended.payment.status, 'SUCCESS');
    assert.equal(
      ended.refunds.reduce((sum, r) => sum + r.amountFen, 0),
      Number(order.totalFen),
    );
    assert.match(ended.outcome!.buyerMessage, /refunded/);
    assert.equal((await atAlipay(order.orderId)).refundedFen, Number(order.totalFen));
  } finally {
    s.stubs.delete('cancelPayment');
  }
});

test('a cancel during checkout whose pay took effect but lost its answer: the order closes that payment at Alipay+', async () => {
  const order = sampleOrder({ buyer: freshBuyer(803) });
  // pay reaches Alipay+, then its answer is lost (as an HTTP 500 after the effect) while the cancel comes in.
  const lost = holdNextCall();
  s.stubs.set(
    'createPayment',
    forOrder(order.orderId, async (real, ...args) => {
      await real(...args);
      await lost.stub(() => Promise.resolve());
      throw new Error('HTTP 500 after the effect (injected)');
    }),
  );
  try {
    const checkout = startOrder(s.env.client, order, { taskQueue: s.taskQueue }).catch((e: unknown) => e);
    await lost.arrived;
    const cancelled = await cancelOrder(s.env.client, order.orderId, OPERATOR);
    assert.equal(cancelled.stage, 'CANCELLED');
    assert.ok((await checkout) instanceof Error, 'checkout hands back no payment link for a cancelled order');
    assert.equal((await atAlipay(order.orderId)).payment?.status, 'CANCELLED', 'the payment pay created is closed');
    await assert.rejects(s.f.helpers.pay(order.orderId, payerOf(order.buyer)), /409/);
  } finally {
    lost.release();
    s.stubs.delete('createPayment');
  }
});

test('money that reaches an order after it closed is refunded once, by a workflow operators can see', async () => {
  const order = sampleOrder({ buyer: freshBuyer(804) });
  // Alipay+ answers the cancel, yet the payment stays payable: a pay that lands after the order gave up.
  s.stubs.set(
    'cancelPayment',
    forOrder(order.orderId, () => Promise.resolve()),
  );
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    await waitForStage(s.env.client, order.orderId, 'AWAITING_PAYMENT');
    assert.equal((await cancelOrder(s.env.client, order.orderId, OPERATOR)).stage, 'CANCELLED');
  } finally {
    s.stubs.delete('cancelPayment');
  }
  const paid = await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  await untilNotified(s.f.helpers, order.orderId);
  const late = s.env.client.workflow.getHandle(latePaymentWorkflowId(order.orderId));
  const outcome = (await late.result()) as LatePaymentOutcome;
  assert.equal(outcome.outcome, 'REFUNDED');
  assert.equal(outcome.amountFen, Number(order.totalFen));
  assert.match(outcome.detail, /was CANCELLED when the payment arrived/);

  // Alipay+ sends the notification again: acknowledged, and nothing is refunded a second time.
  const again = await postNotification(
    successNotification({ paymentRequestId: order.orderId, paymentId: paid.paymentId, fen: Number(order.totalFen) }),
    {
      url: s.receiver.url,
      merchantPublicKey: s.f.keys.merchantPublicKey,
      alipayPlusPrivateKey: s.f.keys.alipayPlusPrivateKey,
      time: new Date(await s.env.currentTimeMs()).toISOString(),
    },
  );
  assert.equal(again.result.resultStatus, 'S');
  const { refunds, refundedFen } = await atAlipay(order.orderId);
  assert.deepEqual(
    refunds.map((r) => r.refundRequestId),
    [latePaymentRefundIdFor(order.orderId)],
  );
  assert.equal(refundedFen, Number(order.totalFen));
});
