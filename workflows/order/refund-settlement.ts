import { condition } from '@temporalio/workflow';
import { refundRequestIdFor } from '../../domain/order';
import type { RefundNotification, RefundView } from '../../domain/order-api';
import { markStuck, clearStuck, publish, publishPending, wait } from './progress';
import { callRemote } from './remote-call';
import { iso, type OrderState } from './state';

// A refund Alipay+ accepted is not money returned yet: it is processed at the next daily cut-off, or later
// when Alipay+ has no CNY for it (seed 001), and cannot be cancelled. The order follows each one to SUCCESS
// or FAIL: by notifyRefund (the refundNotification update), with inquiryRefund on a durable timer when no
// notification came. A refund that FAILs leaves the order stuck with its reason until an operator acts.

const HOUR = 60 * 60 * 1000;
/** The cut-off is at most a day after the request; a notification is due by then. Inquire a little later. */
export const FIRST_REFUND_INQUIRY_AFTER = 26 * HOUR;
/** Then every 6 hours while Alipay+ still says PROCESSING (a refund waiting for funds). */
export const REFUND_INQUIRY_GAP = 6 * HOUR;

/** The refunds accepted and not final yet. */
export const processingRefunds = (o: OrderState) => o.refunds.filter((r) => r.status === 'PROCESSING');

/** Waits until the refund is SUCCEEDED or FAILED; the notification usually decides it, the inquiry otherwise. */
export async function followRefund(o: OrderState, view: RefundView): Promise<void> {
  o.refundsFollowed += 1;
  publish(o);
  try {
    let gap = FIRST_REFUND_INQUIRY_AFTER;
    while (view.status === 'PROCESSING') {
      publishPending(o);
      const settled = await condition(() => view.status !== 'PROCESSING', gap, {
        summary: `Wait for the final status of refund ${view.refundRequestId}`,
      });
      if (settled) break;
      const r = await callRemote(o, 'inquiryRefund', `Alipay+ inquiryRefund ${view.refundRequestId}`, (via) =>
        via.alipayPlus(`Inquire refund ${view.refundRequestId}`).inquireRefund({ refundRequestId: view.refundRequestId }),
      );
      // A notification may have settled it while the inquiry was under way.
      if (view.status === 'PROCESSING' && r.status !== 'PROCESSING') {
        settleRefund(o, view, {
          succeeded: r.status === 'SUCCESS',
          refundId: r.refundId,
          at: r.refundTime,
          failure: 'FAIL: inquiryRefund answers FAIL without a reason; notifyRefund carries it',
          learnedFrom: 'INQUIRY',
        });
      }
      gap = REFUND_INQUIRY_GAP;
    }
  } finally {
    o.refundsFollowed -= 1;
    publish(o);
    publishPending(o); // the main flow may be asleep in the refund window
  }
}

/** The refund's final status, from the notification or the inquiry; whichever comes first decides. */
export function settleRefund(
  o: OrderState,
  view: RefundView,
  f: { succeeded: boolean; refundId: string; at?: string; failure: string; learnedFrom: 'NOTIFICATION' | 'INQUIRY' },
) {
  Object.assign(view, {
    status: f.succeeded ? 'SUCCEEDED' : 'FAILED',
    refundId: view.refundId ?? f.refundId,
    settledAt: f.at ?? iso(Date.now()),
    learnedFrom: f.learnedFrom,
    ...(!f.succeeded && { failure: f.failure }),
  });
  publish(o);
}

/** A failed refund's reason, as the order shows it, from the notification's result. */
export const refundFailureOf = (n: RefundNotification) => `${n.resultCode}: ${n.resultMessage ?? ''}`;

/**
 * Alipay+'s notifyRefund, verified by the receiver; duplicates and late ones change nothing. The validator
 * refuses those already recorded, so only two copies that arrive together get here as duplicates.
 */
export function onRefundNotification(o: OrderState, n: RefundNotification) {
  const view = o.refunds.find((r) => r.refundRequestId === n.refundRequestId)!;
  if (view.status !== 'PROCESSING') {
    // The inquiry settled it first and knew no reason: the notification's reason is the one to show.
    if (view.status === 'FAILED' && n.refundStatus === 'FAIL' && view.learnedFrom === 'INQUIRY') {
      view.failure = refundFailureOf(n);
      // Once an operator decided on it (retried, settled outside Alipay+), a late reason re-opens nothing.
      if (!o.exactMoney || awaitsDecisionOn(o, view)) markFailed(o, view);
    }
    return { accepted: true as const, duplicate: true };
  }
  settleRefund(o, view, {
    succeeded: n.refundStatus === 'SUCCESS',
    refundId: n.refundId,
    at: n.refundTime,
    failure: refundFailureOf(n),
    learnedFrom: 'NOTIFICATION',
  });
  return { accepted: true as const, duplicate: false };
}

/** The order is stuck on a failed refund: its reason, for an operator. */
export function markFailed(o: OrderState, refund: RefundView) {
  markStuck(o, 'REFUND_FAILED', `${failedPrefix(refund)} ${refund.failure}; retry it or settle it by hand`, 'refund');
}

const failedPrefix = (refund: RefundView) => `the refund ${refund.refundRequestId} failed:`;

/** Whether the order is stuck waiting for an operator's decision on this very refund, none given yet. */
function awaitsDecisionOn(o: OrderState, refund: RefundView) {
  const stuck = o.stuckReasons.refund;
  return stuck?.code === 'REFUND_FAILED' && stuck.reason.startsWith(failedPrefix(refund)) && o.refundResolution === undefined;
}

/**
 * An operator's refund during the refund window, followed after the update answered. When it FAILs, the
 * order is stuck until the operator retries it (a new refund request of the same amount) or settles it
 * outside Alipay+; one such decision at a time.
 */
export async function followOperatorRefund(o: OrderState, first: RefundView, refund: (amountFen: number) => Promise<RefundView>) {
  let view = first;
  for (;;) {
    if (view.status === 'PROCESSING') await followRefund(o, view);
    if (view.status !== 'FAILED') return;
    // Until the operator decides, a retry may refund it again: it is not refundable meanwhile.
    if (o.exactMoney) view.awaitingDecision = true;
    o.refundsFollowed += 1;
    const before = o.waiting;
    try {
      await condition(() => o.refundResolution === undefined && o.stuckReasons.refund === undefined);
      markFailed(o, view);
      wait(o, "an operator's decision on the failed refund (resolve-refund)");
      publishPending(o);
      await condition(() => o.refundResolution !== undefined, { summary: 'Wait for an operator to resolve the failed refund' });
      const by = o.refundResolution!;
      clearStuck(o, 'refund');
      o.waiting = before;
      delete view.awaitingDecision;
      if (by.action === 'SETTLED_OUTSIDE_ALIPAY') {
        o.refunds.push({
          refundRequestId: refundRequestIdFor(o.order.orderId, o.refunds.length + 1),
          amountFen: view.amountFen,
          reason: by.reason.slice(0, 256),
          requestedBy: by.operator,
          status: 'SETTLED_OUTSIDE_ALIPAY',
          at: iso(Date.now()),
        });
        o.refundResolution = undefined;
        return;
      }
      o.refundResolution = undefined;
      view = await refund(view.amountFen);
    } finally {
      o.refundsFollowed -= 1;
      publish(o);
      publishPending(o);
    }
  }
}
