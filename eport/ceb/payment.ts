import { z } from 'zod';
import { companyCode, companyName, currency, idType, money, optional, text, timestamp14 } from './fields';
import { filingFields, head, noteField } from './heads';
import { declaration, declarationCodec } from './message';

// CEB411, the payment document. The payment company files it: here Alipay, when the merchant's
// declare call succeeds. The merchant never builds it; the sandbox's customs builds it from the
// declaration so that the three-document match has its payment side. Its receipt is CEB412.

export const paymentHeadSchema = head('PaymentHead', {
  ...filingFields,
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
  ...noteField,
});
export type PaymentHead = z.output<typeof paymentHeadSchema>;

export const CEB411 = declaration('CEB411Message', 'Payment', { name: 'PaymentHead', schema: paymentHeadSchema, money: ['amountPaid'] });
export const ceb411Schema = CEB411.schema;
export type Ceb411 = z.output<typeof ceb411Schema>;
export type Ceb411Input = z.input<typeof ceb411Schema>;

export const { build: buildCeb411, parse: parseCeb411 } = declarationCodec(CEB411);
