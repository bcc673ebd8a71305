import { condition } from '@temporalio/workflow';
import { refundRequestIdFor } from '../../domain/order';
import { QUOTA_EXCEEDED } from '../../domain/quota-api';
import type { RefundRequest, RefundView } from '../../domain/order-api';
import { alipayPlus } from './activities';
import { finalCode } from './failures';
import { cancelUnpaidPayment, closeOpenPayment, inquirePayment } from './payment';
import { clearStuck, end, publishPending, setStage, wait } from './progress';
import { releaseQuota } from './quota';
import { FinalAnswer, callRemote } from './remote-call';
import { iso, refundableFen, type OrderState } from './state';
import { followRefund, markFailed } from './refund-settlement';
import { CANCEL_THROUGH_CALL_REMOTE, FAILED_REFUND_WAITS_FOR_OPERATOR, since } from './versions';

// Refunds, and the two ways an order is wound up after checkout: a terminal failure after payment
// (refund what is left, give the quota back) and an operator's cancellation.

/** A terminal failure after payment: refund what is left of the payment and give the quota back. */
export async function compensate(o: OrderState, reason: string, buyerMessage: string) {
  setStage(o, 'COMPENSATING', 'the refund of the payment');
  const refunded = await refundWhatIsLeft(o, { reason, requestedBy: 'orchestrator' });
  if (!refunded) return end(o, 'FAILED', `${reason}; REFUND_FAILED: ${o.refunds.at(-1)!.failure}`, buyerMessage);
  await releaseQuota(o);
  end(o, 'REFUNDED', reason, buyerMessage);
}

/** The payment came after the unpaid reservation lapsed, and the buyer's quota has no room left for it. */
export async function refundQuotaLapsed(o: OrderState) {
  await compensate(
    o,
    `${QUOTA_EXCEEDED}: the reservation lapsed before the payment was confirmed, and the buyer's annual quota has no room left for it`,
    "The buyer's annual cross-border quota was used up before the payment was confirmed. Your payment has been refunded.",
  );
}

/** An operator cancelled the order: cancel an unpaid payment, or refund a paid one, and give the quota back. */
export async function cancelByOperator(o: OrderState) {
  const by = o.cancelRequest!;
  // A pay call interrupted by the cancel may have taken effect at Alipay+: that payment is closed too.
  const mayTakeMoney = o.payment.status === 'PROCESSING' || (o.payment.status === 'NOT_CREATED' && o.stage === 'CREATING_PAYMENT');
  setStage(o, 'COMPENSATING', 'the cancellation of the order');
  if (o.exactMoney && mayTakeMoney) {
    await closeOpenPayment(o);
  } else if (o.payment.status === 'PROCESSING') {
    // Orders cancelled before this patch called cancelPayment unwatched, and failed on any final answer.
    const cancel = since(o, CANCEL_THROUGH_CALL_REMOTE) ? cancelUnpaidPayment : cancelUnwatched;
    if (await cancel(o)) o.payment.status = 'CANCELLED';
    else await inquirePayment(o); // the buyer paid meanwhile: refund below
  }
  const paid = refundableFen(o) > 0;
  const refunded = await refundWhatIsLeft(o, { reason: `cancelled by ${by.operator}: ${by.reason}`, requestedBy: by.operator });
  if (!refunded) return end(o, 'FAILED', `CANCELLED_BY_OPERATOR; REFUND_FAILED: ${o.refunds.at(-1)!.failure}`, 'Your order was cancelled.');
  await releaseQuota(o);
  clearStuck(o);
  end(
    o,
    'CANCELLED',
    `CANCELLED_BY_OPERATOR: ${by.operator}: ${by.reason}`,
    paid ? 'Your order was cancelled and your payment refunded.' : 'Your order was cancelled.',
  );
}

async function cancelUnwatched(o: OrderState): Promise<boolean> {
  try {
    await alipayPlus('Step 5: cancel the unpaid payment').cancelPayment({ paymentRequestId: o.payment.paymentRequestId });
    return true;
  } catch (error) {
    if (finalCode(error)?.code !== 'INVALID_ORDER_STATUS') throw error;
    return false;
  }
}

/**
 * Refunds what is left of the payment. When Alipay+ refuses, the order stays stuck with REFUND_FAILED,
 * its quota still held, until an operator retries the refund or settles it outside Alipay+. False only
 * for orders started before that, which ended Failed instead.
 */
function refundWhatIsLeft(o: OrderState, why: { reason: string; requestedBy: string }): Promise<boolean> {
  return refundUntilReturned(o, () => refundableFen(o), why);
}

/**
 * Refunds `amountFen` of the payment (a split part's share, say), never more than is left of it, through
 * refusals and an operator's decision as `refundWhatIsLeft` does.
 */
export async function refundInFull(o: OrderState, amountFen: number, why: { reason: string; requestedBy: string }): Promise<boolean> {
  let owed = amountFen;
  return refundUntilReturned(
    o,
    () => Math.min(owed, refundableFen(o)),
    why,
    (fen) => (owed -= fen),
  );
}

/** Refunds until `left()` is 0; `returned` hears of each amount that went back to the buyer (or is on its way). */
async function refundUntilReturned(
  o: OrderState,
  left: () => number,
  why: { reason: string; requestedBy: string },
  returned: (fen: number) => void = () => undefined,
): Promise<boolean> {
  for (;;) {
    const fen = left();
    if (fen <= 0) return true;
    const refund = await refundPayment(o, { amountFen: fen, reason: why.reason.slice(0, 256), requestedBy: why.requestedBy });
    if (refund.status === 'PROCESSING') {
      wait(o, `the final status of refund ${refund.refundRequestId}, processed at Alipay+'s next daily cut-off`);
      await followRefund(o, refund);
    }
    if (refund.status !== 'FAILED') {
      returned(refund.amountFen);
      continue;
    }
    markFailed(o, refund);
    if (!since(o, FAILED_REFUND_WAITS_FOR_OPERATOR)) return false;
    wait(o, "an operator's decision on the refused refund (resolve-refund)");
    o.refundResolution = undefined;
    publishPending(o);
    await condition(() => o.refundResolution !== undefined, { summary: 'Wait for an operator to resolve the refused refund' });
    clearStuck(o, 'refund');
    if (o.refundResolution!.action === 'SETTLED_OUTSIDE_ALIPAY') {
      const settled = left();
      settledOutsideAlipay(o, settled);
      returned(settled);
    }
  }
}

/** The operator paid the buyer back outside Alipay+: recorded as a refund of its own, with no Alipay+ call. */
function settledOutsideAlipay(o: OrderState, amountFen: number) {
  const by = o.refundResolution!;
  o.refunds.push({
    refundRequestId: refundRequestIdFor(o.order.orderId, o.refunds.length + 1),
    amountFen,
    reason: by.reason.slice(0, 256),
    requestedBy: by.operator,
    status: 'SETTLED_OUTSIDE_ALIPAY',
    at: iso(Date.now()),
  });
}

/** One refund call, with an id derived from the order and the refund's number, so a retry never refunds twice. */
export async function refundPayment(o: OrderState, request: RefundRequest): Promise<RefundView> {
  const view: RefundView = {
    refundRequestId: refundRequestIdFor(o.order.orderId, o.refunds.length + 1),
    amountFen: request.amountFen,
    reason: request.reason,
    requestedBy: request.requestedBy,
    status: 'PENDING',
    at: iso(Date.now()),
    // Recorded with the refund, so a repeat of the caller's key finds it (in this run or a continued one).
    ...(o.exactMoney && request.idempotencyKey !== undefined && { idempotencyKey: request.idempotencyKey }),
  };
  o.refunds.push(view);
  o.pendingRefundFen += view.amountFen;
  try {
    const r = await callRemote(o, 'refund', `Alipay+ refund ${view.refundRequestId}`, (via) =>
      via.alipayPlus(`Refund ${view.refundRequestId}`).refundPayment({
        refundRequestId: view.refundRequestId,
        paymentRequestId: o.payment.paymentRequestId,
        amountFen: view.amountFen,
        reason: view.reason,
      }),
    );
    // Accepted is not returned: an order that follows refunds waits for the final status (refund-settlement.ts).
    Object.assign(view, { status: o.settleLater ? 'PROCESSING' : 'SUCCEEDED', refundId: r.refundId });
  } catch (error) {
    if (!(error instanceof FinalAnswer)) throw error;
    Object.assign(view, { status: 'FAILED', failure: `${error.code}: ${error.message}` });
  } finally {
    o.pendingRefundFen -= view.amountFen;
  }
  return view;
}
