import { NOTIFICATION_ALREADY_RECORDED, type PaymentNotification, type RefundNotification } from '../../domain/order-api';
import { ruleFailure } from './failures';
import { isIdText, isRecord, isText, isTimeOrAbsent } from './input-shapes';
import { refundFailureOf } from './refund-settlement';
import type { OrderState } from './state';

// The rules of Alipay+'s notifications, which the receiver verified and hands over as updates: each refusal
// names its rule, and a notification the order already recorded is refused as such (nothing in the history).

/** The fields a notification's handler reads, in the types it reads them: anything else would fail its workflow task. */
function refuseMalformedPaymentNotification(n: Record<string, unknown>) {
  const problem = !isIdText(n.paymentId, 64)
    ? 'paymentId is an id of at most 64 characters'
    : !['S', 'F', 'U'].includes(n.resultStatus as string)
      ? 'resultStatus is S, F or U'
      : !isText(n.resultCode) || n.resultCode.length > 64
        ? 'resultCode is a code of at most 64 characters'
        : !isTimeOrAbsent(n.paymentTime)
          ? `paymentTime ${JSON.stringify(n.paymentTime)?.slice(0, 40)} is not a time`
          : n.customsDeclarationFen !== undefined &&
              !(Number.isSafeInteger(n.customsDeclarationFen) && (n.customsDeclarationFen as number) >= 0)
            ? 'customsDeclarationFen is a whole number of fen'
            : n.settlementQuote !== undefined &&
                !(isRecord(n.settlementQuote) && isText(n.settlementQuote.quoteCurrencyPair) && isText(n.settlementQuote.quotePrice))
              ? 'settlementQuote has a quoteCurrencyPair and a quotePrice'
              : undefined;
  if (problem) throw ruleFailure('NOTIFICATION_MISMATCH', `a payment notification's ${problem}`);
}

export function refuseNotification(o: OrderState, n: PaymentNotification) {
  if (!isRecord(n)) throw ruleFailure('NOTIFICATION_MISMATCH', 'a payment notification is an object');
  refuseMalformedPaymentNotification(n);
  if (n.paymentRequestId !== o.payment.paymentRequestId) {
    throw ruleFailure('NOTIFICATION_MISMATCH', `paymentRequestId ${n.paymentRequestId} is not this order's`);
  }
  if (n.paymentAmountFen !== o.payment.amountFen) {
    throw ruleFailure('NOTIFICATION_MISMATCH', `amount ${n.paymentAmountFen} fen differs from the order's ${o.payment.amountFen} fen`);
  }
  if (o.payment.paymentId && n.paymentId !== o.payment.paymentId) {
    throw ruleFailure('NOTIFICATION_MISMATCH', `paymentId ${n.paymentId} is not this order's payment`);
  }
  if (o.payment.status === 'NOT_CREATED') throw ruleFailure('NOTIFICATION_MISMATCH', 'no payment was created for this order yet');
  // The handler would change nothing (onPaymentNotification); refused here, it leaves no update in the history.
  if (o.payment.status !== 'PROCESSING') {
    throw ruleFailure(NOTIFICATION_ALREADY_RECORDED, `the payment is already recorded as ${o.payment.status}`);
  }
}

/** notifyRefund: a refund this order asked for, Alipay+ accepted, for its amount. */
export function refuseRefundNotification(o: OrderState, n: RefundNotification) {
  if (!isRecord(n)) throw ruleFailure('NOTIFICATION_MISMATCH', 'a refund notification is an object');
  const problem = !isIdText(n.refundId, 64)
    ? 'refundId is an id of at most 64 characters'
    : !['SUCCESS', 'FAIL'].includes(n.refundStatus)
      ? 'refundStatus is SUCCESS or FAIL'
      : !isText(n.resultCode) ||
          n.resultCode.length > 64 ||
          (n.resultMessage !== undefined && (!isText(n.resultMessage) || n.resultMessage.length > 256))
        ? 'result is a code of at most 64 characters and a message of at most 256'
        : !isTimeOrAbsent(n.refundTime)
          ? `refundTime ${JSON.stringify(n.refundTime)?.slice(0, 40)} is not a time`
          : undefined;
  if (problem) throw ruleFailure('NOTIFICATION_MISMATCH', `a refund notification's ${problem}`);
  const r = o.refunds.find((x) => x.refundRequestId === n.refundRequestId);
  if (!r) throw ruleFailure('NOTIFICATION_MISMATCH', `refundRequestId ${n.refundRequestId} is not one of this order's refunds`);
  if (n.refundAmountFen !== r.amountFen) {
    throw ruleFailure('NOTIFICATION_MISMATCH', `amount ${n.refundAmountFen} fen differs from the refund's ${r.amountFen} fen`);
  }
  if (r.refundId && n.refundId !== r.refundId) throw ruleFailure('NOTIFICATION_MISMATCH', `refundId ${n.refundId} is not this refund's`);
  // The refund call's answer is not recorded yet: Alipay+ sends the notification again later.
  if (r.status === 'PENDING') throw ruleFailure('NOTIFICATION_MISMATCH', `refund ${n.refundRequestId} is not accepted yet`);
  // What onRefundNotification would change nothing for: a final refund, unless the notification brings the
  // reason of a failure that only the inquiry has reported so far.
  const bringsReason =
    r.status === 'FAILED' && n.refundStatus === 'FAIL' && r.learnedFrom === 'INQUIRY' && r.failure !== refundFailureOf(n);
  if (r.status !== 'PROCESSING' && !bringsReason) {
    throw ruleFailure(NOTIFICATION_ALREADY_RECORDED, `refund ${n.refundRequestId} is already recorded as ${r.status}`);
  }
}
