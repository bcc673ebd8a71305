import { defineQuery } from '@temporalio/workflow';

// Money Alipay+ took for an order that had already closed (cancelled, expired, refused at checkout): a pay
// request that took effect after the order gave up on it. Nobody keeps it: the receiver hands the verified
// notification to a workflow of its own, which refunds the payment at once and shows while it cannot.

export interface LatePayment {
  orderId: string;
  paymentRequestId: string;
  paymentId: string;
  amountFen: number;
  paymentTime?: string;
}

export interface LatePaymentOutcome {
  /** REFUNDED: the payment was refunded; KEPT_BY_ORDER: the order had recorded it and settled it itself. */
  outcome: 'REFUNDED' | 'KEPT_BY_ORDER';
  refundRequestId?: string;
  refundId?: string;
  amountFen: number;
  detail: string;
}

/** Where a late payment's refund stands, for operators (the workflow's status query). */
export interface LatePaymentStatus extends LatePayment {
  stage: 'CHECKING_ORDER' | 'REFUNDING' | 'REFUND_REFUSED' | 'DONE';
  lastFailure?: string;
  outcome?: LatePaymentOutcome;
}

/** One workflow per payment: a notification delivered again finds it, running or done. */
export const latePaymentWorkflowId = (paymentRequestId: string) => `late-payment-${paymentRequestId}`;

/** Not refundRequestIdFor's `-R<n>`: those are the order's own refunds. */
export const latePaymentRefundIdFor = (orderId: string) => `${orderId}-RL`;

export const latePaymentStatusQuery = defineQuery<LatePaymentStatus>('status');
