import { z } from 'zod';
import { baseTransferSchema, messageAttributes } from './base';
import {
  appStatus,
  appType,
  companyCode,
  companyName,
  currency,
  guid,
  idType,
  money,
  optional,
  receiptTime,
  text,
  timestamp14,
  element,
} from './fields';
import { buildDeclaration, buildReceipt, parseDeclaration, parseReceipt, type DeclarationSpec, type ReceiptSpec } from './message';
import { DOCUMENT_RECEIPT_STATUSES, returnStatus, withReturnInfoRule } from './receipts';

// CEB411, the payment document. The payment company files it: here Alipay, when the merchant's
// declare call succeeds. The merchant never builds it; the sandbox's customs builds it from the
// declaration so that the three-document match has its payment side. Its receipt is CEB412.

export const paymentHeadSchema = z.object(
  {
    guid,
    appType,
    appTime: timestamp14,
    appStatus,
    payCode: companyCode,
    payName: companyName,
    /** The payment company's unique transaction number; the order's payTransactionId names it. */
    payTransactionId: text(60),
    orderNo: text(60),
    ebpCode: companyCode,
    ebpName: companyName,
    payerIdType: idType,
    payerIdNumber: text(60),
    payerName: text(60),
    telephone: optional(text(60)),
    /** The amount paid; it must equal the order's acturalPaid. */
    amountPaid: money(),
    currency,
    payTime: timestamp14,
    note: optional(text(1000)),
  },
  element('PaymentHead'),
);
export type PaymentHead = z.output<typeof paymentHeadSchema>;

export const ceb411Schema = z.object({
  ...messageAttributes,
  Payment: z.object({ PaymentHead: paymentHeadSchema }, element('Payment')),
  BaseTransfer: baseTransferSchema,
});
export type Ceb411 = z.output<typeof ceb411Schema>;
export type Ceb411Input = z.input<typeof ceb411Schema>;

export const CEB411: DeclarationSpec<typeof ceb411Schema> = {
  messageType: 'CEB411Message',
  document: 'Payment',
  head: { name: 'PaymentHead', fields: Object.keys(paymentHeadSchema.shape), money: new Set(['amountPaid']) },
  schema: ceb411Schema,
};

export const buildCeb411 = (model: z.input<typeof ceb411Schema>) => buildDeclaration(CEB411, model);
export const parseCeb411 = (xml: string): Ceb411 => parseDeclaration(CEB411, xml);

export const paymentReturnSchema = withReturnInfoRule(
  z.object({
    guid,
    payCode: companyCode,
    payTransactionId: text(60),
    returnStatus: returnStatus(DOCUMENT_RECEIPT_STATUSES),
    returnTime: receiptTime,
    returnInfo: optional(text(1000)),
  }),
  DOCUMENT_RECEIPT_STATUSES,
);

export const ceb412Schema = z.object({
  ...messageAttributes,
  PaymentReturn: z.array(paymentReturnSchema).min(1, 'at least one PaymentReturn'),
});
export type Ceb412 = z.output<typeof ceb412Schema>;

export const CEB412: ReceiptSpec<typeof ceb412Schema> = {
  messageType: 'CEB412Message',
  element: { name: 'PaymentReturn', fields: ['guid', 'payCode', 'payTransactionId', 'returnStatus', 'returnTime', 'returnInfo'] },
  schema: ceb412Schema,
};

export const buildCeb412 = (model: z.input<typeof ceb412Schema>) => buildReceipt(CEB412, model);
export const parseCeb412 = (xml: string): Ceb412 => parseReceipt(CEB412, xml);
