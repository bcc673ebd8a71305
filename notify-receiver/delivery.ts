import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  notifiedPaymentResult,
  notifyPaymentRequest,
  notifyRefundRequest,
  headerValue,
  verifySignedHeaders,
  type HeaderBag,
  type KeyInput,
  type Result,
} from '../alipay-plus';
import { latePaymentWorkflowId, type LatePayment } from '../domain/late-payment';
import { orderIdOfRefund, orderWorkflowId } from '../domain/order';
import {
  NOTIFICATION_ALREADY_RECORDED,
  paymentNotificationUpdate,
  refundNotificationUpdate,
  type NotificationAck,
  type PaymentNotification,
  type RefundNotification,
} from '../domain/order-api';
import { staleRequestTime } from './freshness';

// From a verified notification to the order's update. The HTTP side (limits, refusals, signing the answer)
// is server.ts.

/** The answer to one request, and what the log says about it. */
export interface Outcome {
  status: number;
  result: Result;
  kind: 'delivered' | 'duplicate' | 'pending' | 'late' | 'refused' | 'retry';
  /** The rule a refusal broke, or why Alipay+ must try again. */
  rule?: string;
  orderId?: string;
  /** Why Temporal did not take it, for the log. */
  error?: unknown;
}

/** `RULE: detail`, cut to the 256 characters `resultMessage` may have. */
const messageOf = (rule: string, detail: string) => `${rule}: ${detail}`.slice(0, 256);

/** An F answer: the notification is refused for good and changed nothing. */
export const refusal = (status: number, resultCode: string, rule: string, detail: string): Outcome => ({
  status,
  result: { resultStatus: 'F', resultCode, resultMessage: messageOf(rule, detail) },
  kind: 'refused',
  rule,
});

/** A U answer with HTTP 503: nothing was recorded, and Alipay+ sends the notification again later. */
export const tryAgain = (rule: string, detail: string, resultCode = 'UNKNOWN_EXCEPTION'): Outcome => ({
  status: 503,
  result: { resultStatus: 'U', resultCode, resultMessage: messageOf(rule, detail) },
  kind: 'retry',
  rule,
});

const accepted = (kind: 'delivered' | 'duplicate' | 'pending' | 'late', message: string, orderId?: string): Outcome => ({
  status: 200,
  result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: message },
  kind,
  orderId,
});

export interface DeliveryOptions {
  temporal: Client;
  clientId: string;
  alipayPlusPublicKey: KeyInput;
  /** The path Alipay+ posts to, part of what is signed. */
  path: string;
  requestTimeWindowMs: number;
  updateDeadlineMs: number;
  now: () => number | Promise<number>;
  /** Aborted when the receiver closes: Temporal calls under way are cancelled. */
  closing: AbortSignal;
  /** The orders' task queue, where a payment that arrived for a closed order is refunded (late-payment.ts). */
  ordersTaskQueue: string;
}

const issuesOf = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.map(String).join('.')} ${i.message}`).join('; ');

/** Checks a notification's signature, age and shape, and hands it to its order. */
export function notificationDelivery(o: DeliveryOptions) {
  return async function deliver(headers: HeaderBag, rawBody: string): Promise<Outcome> {
    const check = verifySignedHeaders({ path: o.path, headers, rawBody, publicKey: o.alipayPlusPublicKey, timeHeader: 'Request-Time' });
    if (!check.ok) return refusal(200, 'INVALID_SIGNATURE', 'SIGNATURE', `signature check failed: ${check.reason}`);
    if (check.clientId !== o.clientId) return refusal(200, 'INVALID_CLIENT', 'CLIENT_ID', 'notification for another client id');
    // Only a signed time means anything, so the age is checked after the signature.
    const stale = staleRequestTime(headerValue(headers, 'Request-Time') ?? '', await o.now(), o.requestTimeWindowMs);
    if (stale) return refusal(200, 'PARAM_ILLEGAL', 'REQUEST_TIME_WINDOW', stale);
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return refusal(200, 'PARAM_ILLEGAL', 'JSON', 'the body is not JSON');
    }
    if ((body as { notifyType?: unknown } | null)?.notifyType === 'REFUND_RESULT') return deliverRefund(body);
    const parsed = notifyPaymentRequest.safeParse(body);
    if (!parsed.success) return refusal(200, 'PARAM_ILLEGAL', 'SCHEMA', issuesOf(parsed.error));
    const n = parsed.data;
    // Antom announces a payment still in process as PAYMENT_PENDING; Alipay+ sends no notifyType.
    if (n.notifyType === 'PAYMENT_PENDING') return accepted('pending', 'pending noted');
    if (n.paymentAmount.currency !== 'CNY') return refusal(200, 'PARAM_ILLEGAL', 'CURRENCY', 'paymentAmount.currency must be CNY');
    const notification: PaymentNotification = {
      paymentRequestId: n.paymentRequestId,
      paymentId: n.paymentId,
      resultStatus: notifiedPaymentResult(n).resultStatus,
      resultCode: notifiedPaymentResult(n).resultCode,
      paymentAmountFen: Number(n.paymentAmount.value),
      paymentTime: n.paymentTime,
      customsDeclarationFen: n.customsDeclarationAmount ? Number(n.customsDeclarationAmount.value) : undefined,
      settlementQuote: n.settlementQuote,
    };
    // The order's paymentRequestId is its order id. The update's validator checks the id and the amount.
    // Money taken for an order that has closed is refunded by a workflow of its own, never kept.
    const late = notification.resultStatus === 'S' ? () => refundLatePayment(notification) : undefined;
    return intoOrder(
      n.paymentRequestId,
      `paymentRequestId ${n.paymentRequestId}`,
      (handle, signal) =>
        o.temporal.withAbortSignal(signal, () => handle.executeUpdate(paymentNotificationUpdate, { args: [notification] })),
      late,
    );
  };

  /**
   * Starts (once per payment) the refund of a payment its order, now closed, no longer takes; S once Temporal
   * recorded it. A payment for an order this merchant never had is refused ORDER_NOT_EXIST, as before.
   */
  async function refundLatePayment(n: PaymentNotification): Promise<Outcome> {
    try {
      await o.temporal.workflow.getHandle(orderWorkflowId(n.paymentRequestId)).describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return {
        ...refusal(200, 'ORDER_NOT_EXIST', 'ORDER', `no order for paymentRequestId ${n.paymentRequestId}`),
        orderId: n.paymentRequestId,
      };
    }
    const late: LatePayment = {
      orderId: n.paymentRequestId,
      paymentRequestId: n.paymentRequestId,
      paymentId: n.paymentId,
      amountFen: n.paymentAmountFen,
      ...(n.paymentTime && { paymentTime: n.paymentTime }),
    };
    try {
      await o.temporal.workflow.start('latePaymentWorkflow', {
        workflowId: latePaymentWorkflowId(n.paymentRequestId),
        taskQueue: o.ordersTaskQueue,
        args: [late],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Refund of a payment that arrived after order ${n.paymentRequestId} had closed`,
      });
    } catch (error) {
      // Done before: the notification came again after its refund.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return accepted('late', 'success', n.paymentRequestId);
  }

  /** notifyRefund: the final status of a refund, into the order whose refund it is. */
  function deliverRefund(body: unknown): Promise<Outcome> | Outcome {
    const parsed = notifyRefundRequest.safeParse(body);
    if (!parsed.success) return refusal(200, 'PARAM_ILLEGAL', 'SCHEMA', issuesOf(parsed.error));
    const n = parsed.data;
    if (n.refundAmount.currency !== 'CNY') return refusal(200, 'PARAM_ILLEGAL', 'CURRENCY', 'refundAmount.currency must be CNY');
    const orderId = orderIdOfRefund(n.refundRequestId);
    if (!orderId) {
      return refusal(200, 'ORDER_NOT_EXIST', 'ORDER', `refundRequestId ${n.refundRequestId} is not one of this merchant's orders`);
    }
    const notification: RefundNotification = {
      refundRequestId: n.refundRequestId,
      refundId: n.refundId,
      refundStatus: n.refundStatus,
      resultCode: n.result.resultCode,
      resultMessage: n.result.resultMessage,
      refundAmountFen: Number(n.refundAmount.value),
      refundTime: n.refundTime,
    };
    // The update's validator checks that the order has this refund, for this amount.
    return intoOrder(orderId, `refundRequestId ${n.refundRequestId}`, (handle, signal) =>
      o.temporal.withAbortSignal(signal, () => handle.executeUpdate(refundNotificationUpdate, { args: [notification] })),
    );
  }

  /** Hands a notification to the order's update, within the deadline; S only once Temporal accepted it. */
  async function intoOrder(
    orderId: string,
    what: string,
    update: (handle: ReturnType<Client['workflow']['getHandle']>, signal: AbortSignal) => Promise<NotificationAck>,
    /** What to do when no running order takes it; refused ORDER_NOT_EXIST otherwise. */
    closed?: () => Promise<Outcome>,
  ): Promise<Outcome> {
    // A call started after the abort would not see it: while closing, take nothing new to Temporal.
    if (o.closing.aborted) return { ...tryAgain('CLOSING', 'the receiver is stopping; try again'), orderId };
    const deadline = AbortSignal.timeout(o.updateDeadlineMs);
    try {
      const handle = o.temporal.workflow.getHandle(orderWorkflowId(orderId));
      const ack = await update(handle, AbortSignal.any([o.closing, deadline]));
      return ack.duplicate ? accepted('duplicate', 'duplicate', orderId) : accepted('delivered', 'success', orderId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        if (closed && !o.closing.aborted) {
          // Temporal did not take the refund's start: no S, so Alipay+ sends the notification again later.
          return await closed().catch((e: unknown) => ({
            ...tryAgain('TEMPORAL', 'the late payment could not be recorded; try again'),
            orderId,
            error: e,
          }));
        }
        return { ...refusal(200, 'ORDER_NOT_EXIST', 'ORDER', `no order for ${what}`), orderId };
      }
      if (error instanceof WorkflowUpdateFailedError) {
        // Refused by the update's validator, which adds nothing to the order's history.
        const cause = error.cause;
        if (cause instanceof ApplicationFailure && cause.type === NOTIFICATION_ALREADY_RECORDED) {
          return accepted('duplicate', 'duplicate', orderId);
        }
        // The validator's message starts with the rule it names (ruleFailure in workflows/order/failures.ts).
        const rule = cause instanceof ApplicationFailure && cause.type ? cause.type : 'ORDER_RULES';
        const detail = (cause?.message ?? error.message).replace(`${rule}: `, '');
        return { ...refusal(200, 'PARAM_ILLEGAL', rule, detail), orderId };
      }
      // Temporal did not take it: no S, so Alipay+ sends it again later.
      if (deadline.aborted && !o.closing.aborted) {
        return {
          ...tryAgain('UPDATE_DEADLINE', `the order did not take the notification within ${o.updateDeadlineMs} ms; try again`),
          orderId,
        };
      }
      if (o.closing.aborted) return { ...tryAgain('CLOSING', 'the receiver is stopping; try again'), orderId };
      return { ...tryAgain('TEMPORAL', 'the order could not be reached; try again'), orderId, error };
    }
  }
}
