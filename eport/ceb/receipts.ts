import { z } from 'zod';

// The returnStatus code tables of the receipts. The order (CEB312), payment (CEB412) and waybill
// (CEB512) receipts share one table; the inventory list (CEB622) has the customs' whole clearance
// table; the return (CEB626) a short one. A negative code is an e-port processing error, whose
// returnInfo says what went wrong (for example -621003, the list could not be declared).

export type ReceiptKind =
  | 'progress' // still moving through the e-port
  | 'stored' // 120: customs accepted and stored the document
  | 'rejected' // 100: customs sent it back; returnInfo says why
  | 'failed' // 4: the e-port could not send it to customs
  | 'review' // 300: manual review
  | 'finalised' // 399: customs finished its review (审结)
  | 'inspection' // 500: goods to be inspected
  | 'detained' // 501-503, 599
  | 'returned' // 700: goods returned abroad (退运)
  | 'released' // 800: released
  | 'closed' // 899: closed (结关)
  | 'error'; // negative: processing error

export interface ReceiptStatus {
  code: string;
  meaning: string;
  kind: ReceiptKind;
  /** No later receipt changes the outcome (a rejection may still be corrected and filed again as a new declaration). */
  final: boolean;
}

const s = (code: string, meaning: string, kind: ReceiptKind, final = false): ReceiptStatus => ({ code, meaning, kind, final });

/** The states every receipt table starts with: the e-port sends the document to customs, which may send it back. */
const SENDING: readonly ReceiptStatus[] = [
  s('2', 'declaring at the e-port (电子口岸申报中)', 'progress'),
  s('3', 'sent to customs (发送海关成功)', 'progress'),
  s('4', 'sending to customs failed (发送海关失败)', 'failed', true),
  s('100', 'rejected by customs (海关退单)', 'rejected', true),
];
const STORED = 'stored by customs (海关入库)';

/** Order, payment and waybill receipts: stored (120) is the end. */
export const DOCUMENT_RECEIPT_STATUSES: readonly ReceiptStatus[] = [...SENDING, s('120', STORED, 'stored', true)];

/** Inventory list receipts: the clearance states of the goods. */
export const INVENTORY_RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  ...SENDING,
  s('120', STORED, 'stored'),
  s('300', 'manual review (人工审核)', 'review'),
  s('399', 'review finished (海关审结)', 'finalised'),
  s('500', 'inspection (查验)', 'inspection'),
  s('501', 'detained, passed to clearance (扣留移送通关)', 'detained'),
  s('502', 'detained, passed to anti-smuggling (扣留移送缉私)', 'detained'),
  s('503', 'detained, passed to legal affairs (扣留移送法规)', 'detained'),
  s('599', 'other detention (其它扣留)', 'detained'),
  s('700', 'returned abroad (退运)', 'returned', true),
  s('800', 'released (放行)', 'released'),
  s('899', 'closed (结关)', 'closed', true),
];

/** Return (refund declaration) receipts. */
export const REFUND_RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  ...SENDING,
  s('120', STORED, 'stored'),
  s('399', 'review finished, return accepted (海关审结)', 'finalised', true),
];

export type ReceiptTable = readonly ReceiptStatus[];

/** The status of a code in a table; a negative code is a processing error in every table. */
export function receiptStatus(table: ReceiptTable, code: string): ReceiptStatus | undefined {
  if (/^-\d{1,9}$/.test(code)) return s(code, 'processing error (处理异常)', 'error', true);
  return table.find((x) => x.code === code);
}

/** returnStatus: C..10, a code of the table or a negative processing-error code. */
export function returnStatus(table: ReceiptTable) {
  const listing = table.map((x) => x.code).join(', ');
  return z
    .string({ error: (iss) => (iss.input === undefined ? 'required' : 'must be text') })
    .refine((c) => receiptStatus(table, c) !== undefined, `code table: one of ${listing}, or a negative processing-error code`);
}

/** The inventory states in which the goods may be delivered: 800 released, and 899 closed after it. */
export function isReleased(code: string): boolean {
  return code === '800' || code === '899';
}

/** returnInfo (C..1000) says why; it is required when the status is a rejection, a failure or an error. */
export function withReturnInfoRule<T extends z.ZodType<{ returnStatus: string; returnInfo?: string | undefined }>>(
  schema: T,
  table: ReceiptTable,
) {
  return schema.superRefine((r, ctx) => {
    const kind = receiptStatus(table, r.returnStatus)?.kind;
    if ((kind === 'rejected' || kind === 'failed' || kind === 'error') && !r.returnInfo) {
      ctx.addIssue({ code: 'custom', path: ['returnInfo'], message: `required when returnStatus is ${r.returnStatus}: it says why` });
    }
  });
}
