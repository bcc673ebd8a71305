import { z } from 'zod';
import { amount, currencyCode, isoDateTime, optionalText, result, text, url } from './fields';

// pay, inquiryPayment, cancelPayment, refund and the inbound notifyPayment.

const goods = z.object({
  referenceGoodsId: text(64),
  goodsName: text(256),
  goodsCategory: optionalText(64),
  goodsUnitAmount: amount,
  goodsQuantity: z.string().regex(/^[1-9]\d{0,5}$/, 'must be a whole number from 1, as a string'),
});

/** Where the buyer pays: Antom's `env.terminalType`. MINI_APP is in the reference; the orchestrator does not use it. */
export const TERMINAL_TYPES = ['WEB', 'WAP', 'APP', 'MINI_APP'] as const;
export type TerminalType = (typeof TERMINAL_TYPES)[number];
export const OS_TYPES = ['IOS', 'ANDROID'] as const;
export type OsType = (typeof OS_TYPES)[number];

/** pay's `env`: the buyer's terminal and, off the web, its operating system (Antom pay (Cashier Payment)). */
export const payEnv = z.object({
  terminalType: z.enum(TERMINAL_TYPES, { error: `must be one of ${TERMINAL_TYPES.join(', ')}` }),
  osType: z.enum(OS_TYPES, { error: `must be one of ${OS_TYPES.join(', ')}` }).optional(),
});
export type PayEnv = z.infer<typeof payEnv>;

export const payRequest = z.object({
  paymentRequestId: text(64),
  paymentAmount: amount,
  order: z.object({
    referenceOrderId: text(64),
    orderDescription: text(256),
    orderAmount: amount,
    buyer: z.object({ referenceBuyerId: text(64) }).optional(),
    goods: z.array(goods).max(100, 'must have at most 100 items').optional(),
  }),
  paymentNotifyUrl: url(2048),
  paymentRedirectUrl: url(2048),
  /** Optional: without it Alipay+ applies its default expiry (10 minutes for Cashier Payment, docs/alipay-plus-fields.md). */
  paymentExpiryTime: isoDateTime.optional(),
  settlementStrategy: z.object({ settlementCurrency: currencyCode }).optional(),
  env: payEnv.optional(),
});
export type PayRequest = z.input<typeof payRequest>;

/**
 * The links pay answers for the buyer's terminal (Antom "URLs for payment redirection"): normalUrl, the web
 * or H5 page; schemeUrl, the URL scheme that opens the wallet app; applinkUrl, an Android App Link or iOS
 * Universal Link that opens the app or else the H5 page; appIdentifier, the Android package name of the app.
 */
export const payResponse = z.object({
  result,
  paymentId: text(64),
  paymentCreateTime: isoDateTime.optional(),
  normalUrl: url(2048).optional(),
  schemeUrl: text(2048).optional(),
  applinkUrl: url(2048).optional(),
  appIdentifier: optionalText(128),
});
export type PayResponse = z.infer<typeof payResponse>;

/** The exchange rate of the payment, recorded at payment time and used again by every refund. */
export const settlementQuote = z.object({
  quoteId: optionalText(64),
  quoteCurrencyPair: z.string().regex(/^[A-Z]{3}\/[A-Z]{3}$/, 'must look like "USD/CNY"'),
  quotePrice: z.string().regex(/^\d{1,12}(\.\d{1,10})?$/, 'must be a decimal number, as a string'),
});
export type SettlementQuote = z.infer<typeof settlementQuote>;

export const PAYMENT_STATUSES = ['PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const inquiryPaymentRequest = z.object({ paymentRequestId: text(64) });
export type InquiryPaymentRequest = z.input<typeof inquiryPaymentRequest>;

export const inquiryPaymentResponse = z.object({
  result,
  /** Antom's inquiryPayment has it; Alipay+'s (ACQP) has paymentResult only: read the status with paymentStatusOf. */
  paymentStatus: z.enum(PAYMENT_STATUSES).optional(),
  paymentResult: result.optional(),
  paymentRequestId: text(64),
  paymentId: text(64),
  paymentAmount: amount,
  paymentTime: isoDateTime.optional(),
  customsDeclarationAmount: amount.optional(),
  settlementQuote: settlementQuote.optional(),
});
export type InquiryPaymentResponse = z.infer<typeof inquiryPaymentResponse>;

/**
 * The payment's status from an inquiryPayment answer. Alipay+ gives it as paymentResult (S paid, U
 * PAYMENT_IN_PROCESS, F failed, F ORDER_IS_CLOSED closed); Antom also as paymentStatus, which wins when present.
 * No paymentResult yet is taken as still in process.
 */
export function paymentStatusOf(r: Pick<InquiryPaymentResponse, 'paymentStatus' | 'paymentResult'>): PaymentStatus {
  if (r.paymentStatus) return r.paymentStatus;
  switch (r.paymentResult?.resultStatus) {
    case 'S':
      return 'SUCCESS';
    case 'F':
      return r.paymentResult.resultCode === 'ORDER_IS_CLOSED' ? 'CANCELLED' : 'FAIL';
    default:
      return 'PROCESSING';
  }
}

export const cancelPaymentRequest = z.object({ paymentRequestId: text(64) });
export type CancelPaymentRequest = z.input<typeof cancelPaymentRequest>;

export const cancelPaymentResponse = z.object({
  result,
  paymentId: optionalText(64),
  paymentRequestId: optionalText(64),
  cancelTime: isoDateTime.optional(),
});
export type CancelPaymentResponse = z.infer<typeof cancelPaymentResponse>;

export const refundRequest = z.object({
  refundRequestId: text(64),
  paymentRequestId: text(64),
  refundAmount: amount,
  refundReason: optionalText(256),
  /** Where notifyRefund goes; without it, the payment's paymentNotifyUrl (a sandbox assumption, docs/sandbox.md). */
  refundNotifyUrl: url(2048).optional(),
});
export type RefundRequest = z.input<typeof refundRequest>;

export const refundResponse = z.object({
  result,
  refundId: text(64),
  refundRequestId: text(64),
  paymentId: text(64),
  refundAmount: amount,
  /** The refund is accepted, not yet done: the time comes with its final status (inquiryRefund, notifyRefund). */
  refundTime: isoDateTime.optional(),
  settlementQuote: settlementQuote.optional(),
});
export type RefundResponse = z.infer<typeof refundResponse>;

export const notifyPaymentRequest = z
  .object({
    // Antom's notifyPayment names the kind and the payment's result `notifyType` and `result`; Alipay+'s has no
    // notifyType and names the result `paymentResult` (docs/alipay-plus-fields.md). Either shape is accepted.
    notifyType: z.enum(['PAYMENT_RESULT', 'PAYMENT_PENDING'], { error: 'must be PAYMENT_RESULT or PAYMENT_PENDING' }).optional(),
    result: result.optional(),
    paymentResult: result.optional(),
    paymentRequestId: text(64),
    paymentId: text(64),
    paymentAmount: amount,
    paymentCreateTime: isoDateTime.optional(),
    paymentTime: isoDateTime.optional(),
    customsDeclarationAmount: amount.optional(),
    settlementQuote: settlementQuote.optional(),
  })
  .refine((n) => n.paymentResult !== undefined || n.result !== undefined, {
    message: 'is required (paymentResult, or result as Antom names it)',
    path: ['paymentResult'],
  });

export type NotifyPaymentRequest = z.infer<typeof notifyPaymentRequest>;

/** The payment's result a notification carries, whichever name it has; the schema requires one. */
export const notifiedPaymentResult = (n: NotifyPaymentRequest) => (n.paymentResult ?? n.result)!;

export const notifyPaymentAck = z.object({ result });
export type NotifyPaymentAck = z.infer<typeof notifyPaymentAck>;
