import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { AlipayActivities, OrderLookupActivities } from '../activities';
import {
  latePaymentRefundIdFor,
  latePaymentStatusQuery,
  type LatePayment,
  type LatePaymentOutcome,
  type LatePaymentStatus,
} from '../domain/late-payment';
import { STUCK_REASON } from '../domain/search-attributes';

// A payment that arrived for an order that had closed (domain/late-payment.ts): refunded in full, once.
// Alipay+ dedupes the refund by its refundRequestId, so a retried call never refunds twice.

const HOUR = 60 * 60 * 1000;

const lookup = proxyActivities<OrderLookupActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const alipayPlus = proxyActivities<AlipayActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

export async function latePaymentWorkflow(p: LatePayment): Promise<LatePaymentOutcome> {
  const status: LatePaymentStatus = { ...p, stage: 'CHECKING_ORDER' };
  setHandler(latePaymentStatusQuery, () => ({ ...status }));

  // An order that recorded this payment settles it itself: its own refunds, or its delivery.
  const order = await lookup.closedOrderPayment({ orderId: p.orderId });
  if (order.paymentStatus === 'SUCCESS') {
    status.outcome = { outcome: 'KEPT_BY_ORDER', amountFen: p.amountFen, detail: `order ${p.orderId} recorded the payment` };
    status.stage = 'DONE';
    return status.outcome;
  }

  status.stage = 'REFUNDING';
  const refundRequestId = latePaymentRefundIdFor(p.orderId);
  for (;;) {
    try {
      const r = await alipayPlus.refundPayment({
        refundRequestId,
        paymentRequestId: p.paymentRequestId,
        amountFen: p.amountFen,
        reason: `LATE_PAYMENT: the payment arrived after order ${p.orderId} had closed`,
      });
      if (status.stage === 'REFUND_REFUSED') upsertSearchAttributes([{ key: STUCK_REASON, value: null }]);
      status.outcome = {
        outcome: 'REFUNDED',
        refundRequestId,
        refundId: r.refundId,
        amountFen: p.amountFen,
        detail: `order ${p.orderId} was ${order.stage ?? 'not found'} when the payment arrived`,
      };
      status.stage = 'DONE';
      return status.outcome;
    } catch (error) {
      const failure = error instanceof ActivityFailure ? error.cause : error;
      if (!(failure instanceof ApplicationFailure && failure.nonRetryable)) throw error;
      // A refused refund is shown (StuckReason) and tried again hourly: the money must go back.
      status.stage = 'REFUND_REFUSED';
      status.lastFailure = `${failure.type}: ${failure.message}`;
      upsertSearchAttributes([{ key: STUCK_REASON, value: 'REFUND_FAILED' }]);
      await sleep(HOUR, { summary: 'Try the refund of the late payment again' });
    }
  }
}
