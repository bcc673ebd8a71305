import { z } from 'zod';
import { companyCode, customsCode, fixed, guid, optional, receiptTime, text } from './fields';
import { receipt, receiptCodec } from './message';
import {
  DOCUMENT_RECEIPT_STATUSES,
  INVENTORY_RECEIPT_STATUSES,
  REFUND_RECEIPT_STATUSES,
  returnStatus,
  withReturnInfoRule,
  type ReceiptTable,
} from './receipts';

// The receipts customs sends for each declaration: CEB312 (order), CEB412 (payment), CEB512
// (waybill), CEB622 (inventory list) and CEB626 (return). They differ only in the fields that name
// the declared document and in their returnStatus code table (receipts.ts), so one function writes
// every return element.

/** A return element: its guid, the fields that name the document, then returnStatus (of `table`), returnTime and returnInfo. */
function returnSchema<F extends z.core.$ZodLooseShape>(table: ReceiptTable, fields: F) {
  const schema = z.object({
    guid,
    ...fields,
    returnStatus: returnStatus(table),
    returnTime: receiptTime,
    returnInfo: optional(text(1000)),
  });
  // TypeScript cannot see returnStatus and returnInfo through the generic F; the shape above has them.
  type WithReturn = z.ZodType<{ returnStatus: string; returnInfo?: string | undefined }>;
  return withReturnInfoRule(schema as unknown as WithReturn, table) as unknown as typeof schema;
}

export const orderReturnSchema = returnSchema(DOCUMENT_RECEIPT_STATUSES, { ebpCode: companyCode, ebcCode: companyCode, orderNo: text(60) });
export const paymentReturnSchema = returnSchema(DOCUMENT_RECEIPT_STATUSES, { payCode: companyCode, payTransactionId: text(60) });
export const logisticsReturnSchema = returnSchema(DOCUMENT_RECEIPT_STATUSES, { logisticsCode: companyCode, logisticsNo: text(60) });
/** The list's receipt carries the numbers customs assigns: preNo when it receives the list, invtNo when it finishes its review. */
export const inventoryReturnSchema = returnSchema(INVENTORY_RECEIPT_STATUSES, {
  customsCode,
  ebpCode: companyCode,
  ebcCode: companyCode,
  agentCode: companyCode,
  copNo: text(20),
  preNo: optional(fixed(18)),
  invtNo: optional(fixed(18)),
});
export type InventoryReturn = z.output<typeof inventoryReturnSchema>;
/** A return names the released list (invtNo); the company's own number is optional. */
export const invtRefundReturnSchema = returnSchema(REFUND_RECEIPT_STATUSES, {
  customsCode,
  ebpCode: companyCode,
  ebcCode: companyCode,
  agentCode: companyCode,
  copNo: optional(text(20)),
  preNo: optional(fixed(18)),
  invtNo: fixed(18),
});

export const CEB312 = receipt('CEB312Message', 'OrderReturn', orderReturnSchema);
export const CEB412 = receipt('CEB412Message', 'PaymentReturn', paymentReturnSchema);
export const CEB512 = receipt('CEB512Message', 'LogisticsReturn', logisticsReturnSchema);
export const CEB622 = receipt('CEB622Message', 'InventoryReturn', inventoryReturnSchema);
export const CEB626 = receipt('CEB626Message', 'InvtRefundReturn', invtRefundReturnSchema);

export const ceb312Schema = CEB312.schema;
export const ceb412Schema = CEB412.schema;
export const ceb512Schema = CEB512.schema;
export const ceb622Schema = CEB622.schema;
export const ceb626Schema = CEB626.schema;

export type Ceb312 = z.output<typeof ceb312Schema>;
export type Ceb412 = z.output<typeof ceb412Schema>;
export type Ceb512 = z.output<typeof ceb512Schema>;
export type Ceb622 = z.output<typeof ceb622Schema>;
export type Ceb626 = z.output<typeof ceb626Schema>;

export const { build: buildCeb312, parse: parseCeb312 } = receiptCodec(CEB312);
export const { build: buildCeb412, parse: parseCeb412 } = receiptCodec(CEB412);
export const { build: buildCeb512, parse: parseCeb512 } = receiptCodec(CEB512);
export const { build: buildCeb622, parse: parseCeb622 } = receiptCodec(CEB622);
export const { build: buildCeb626, parse: parseCeb626 } = receiptCodec(CEB626);
