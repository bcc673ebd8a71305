import { z } from 'zod';
import { amount, isoDateTime, optionalText, result, text } from './fields';
import { settlementQuote } from './payments';

// inquiryRefund and the inbound notifyRefund (Antom/Alipay+ references). A refund request is accepted by
// `refund`; its final status (SUCCESS or FAIL) comes later, by notifyRefund or inquiryRefund.

export const REFUND_STATUSES = ['PROCESSING', 'SUCCESS', 'FAIL'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** refundRequestId and refundId cannot both be absent; refundId takes precedence when both are given. */
export const inquiryRefundRequest = z
  .object({ refundRequestId: optionalText(64), refundId: optionalText(64) })
  .refine((r) => r.refundRequestId !== undefined || r.refundId !== undefined, 'refundRequestId and refundId cannot both be absent');
export type InquiryRefundRequest = z.input<typeof inquiryRefundRequest>;

export const inquiryRefundResponse = z.object({
  result,
  refundId: text(64),
  refundRequestId: text(64),
  refundAmount: amount,
  refundStatus: z.enum(REFUND_STATUSES),
  /** Present once the refund succeeded. */
  refundTime: isoDateTime.optional(),
  grossSettlementAmount: amount.optional(),
  settlementQuote: settlementQuote.optional(),
});
export type InquiryRefundResponse = z.infer<typeof inquiryRefundResponse>;

/** notifyRefund: sent once the refund reaches SUCCESS or FAIL; `result` carries the failure's code and message. */
export const notifyRefundRequest = z.object({
  notifyType: z.literal('REFUND_RESULT', { error: 'must be REFUND_RESULT' }),
  result,
  refundStatus: z.enum(['SUCCESS', 'FAIL'], { error: 'must be SUCCESS or FAIL' }),
  refundRequestId: text(64),
  refundId: text(64),
  refundAmount: amount,
  refundTime: isoDateTime.optional(),
  grossSettlementAmount: amount.optional(),
  settlementQuote: settlementQuote.optional(),
});
export type NotifyRefundRequest = z.infer<typeof notifyRefundRequest>;
