import { z } from 'zod';
import { baseTransferSchema, messageAttributes } from './base';
import {
  appStatus,
  appType,
  companyCode,
  companyName,
  customsCode,
  decimal,
  fixed,
  guid,
  hsCode,
  idType,
  optional,
  receiptTime,
  text,
  timestamp14,
  unitCode,
  whole,
  element,
} from './fields';
import { buildDeclaration, buildReceipt, parseDeclaration, parseReceipt, type DeclarationSpec, type ReceiptSpec } from './message';
import { REFUND_RECEIPT_STATUSES, returnStatus, withReturnInfoRule } from './receipts';

// CEB625, the return declaration (退货申请单, "refund declaration" in issue 13): the e-commerce
// company or its agent declares that released goods come back, naming the released list (invtNo)
// and the goods and quantities returned. Its receipt is CEB626.

export const invtRefundHeadSchema = z.object(
  {
    guid,
    appType,
    appTime: timestamp14,
    appStatus,
    customsCode,
    orderNo: text(60),
    ebpCode: companyCode,
    ebpName: companyName,
    ebcCode: companyCode,
    ebcName: companyName,
    logisticsNo: text(60),
    logisticsCode: companyCode,
    logisticsName: companyName,
    copNo: optional(text(20)),
    preNo: optional(fixed(18)),
    /** The released inventory list the goods were declared on. */
    invtNo: fixed(18),
    buyerIdType: idType,
    buyerIdNumber: text(60),
    buyerName: text(60),
    buyerTelephone: text(30),
    agentCode: companyCode,
    agentName: companyName,
    /** Why the goods are returned. */
    reason: text(1000),
    note: optional(text(1000)),
  },
  element('InvtRefundHead'),
);
export type InvtRefundHead = z.output<typeof invtRefundHeadSchema>;

export const invtRefundListSchema = z.object({
  /** The line number (gnum) of the goods on the released inventory list. */
  gnum: whole(4),
  gcode: hsCode,
  gname: text(250),
  qty: decimal(19, 5),
  unit: unitCode,
  note: optional(text(1000)),
});
export type InvtRefundListItem = z.output<typeof invtRefundListSchema>;

export const ceb625Schema = z
  .object({
    ...messageAttributes,
    InvtRefund: z.object(
      {
        InvtRefundHead: invtRefundHeadSchema,
        InvtRefundList: z.array(invtRefundListSchema).min(1, 'at least one InvtRefundList item'),
      },
      element('InvtRefund'),
    ),
    BaseTransfer: baseTransferSchema,
  })
  .superRefine((m, ctx) => {
    // A return names lines of the released list, so gnum need not run 1, 2, 3; it must not repeat.
    const seen = new Set<number>();
    m.InvtRefund.InvtRefundList.forEach((line, i) => {
      if (seen.has(line.gnum))
        ctx.addIssue({ code: 'custom', path: ['InvtRefund', 'InvtRefundList', i, 'gnum'], message: 'must not repeat' });
      seen.add(line.gnum);
    });
  });
export type Ceb625 = z.output<typeof ceb625Schema>;
export type Ceb625Input = z.input<typeof ceb625Schema>;

export const CEB625: DeclarationSpec<typeof ceb625Schema> = {
  messageType: 'CEB625Message',
  document: 'InvtRefund',
  head: { name: 'InvtRefundHead', fields: Object.keys(invtRefundHeadSchema.shape) },
  list: { name: 'InvtRefundList', fields: Object.keys(invtRefundListSchema.shape) },
  schema: ceb625Schema,
};

export const buildCeb625 = (model: Ceb625Input) => buildDeclaration(CEB625, model);
export const parseCeb625 = (xml: string): Ceb625 => parseDeclaration(CEB625, xml);

// CEB626: the return receipt.

export const invtRefundReturnSchema = withReturnInfoRule(
  z.object({
    guid,
    customsCode,
    ebpCode: companyCode,
    ebcCode: companyCode,
    agentCode: companyCode,
    copNo: optional(text(20)),
    preNo: optional(fixed(18)),
    invtNo: fixed(18),
    returnStatus: returnStatus(REFUND_RECEIPT_STATUSES),
    returnTime: receiptTime,
    returnInfo: optional(text(1000)),
  }),
  REFUND_RECEIPT_STATUSES,
);

export const ceb626Schema = z.object({
  ...messageAttributes,
  InvtRefundReturn: z.array(invtRefundReturnSchema).min(1, 'at least one InvtRefundReturn'),
});
export type Ceb626 = z.output<typeof ceb626Schema>;

export const CEB626: ReceiptSpec<typeof ceb626Schema> = {
  messageType: 'CEB626Message',
  element: { name: 'InvtRefundReturn', fields: Object.keys(invtRefundReturnSchema.shape) },
  schema: ceb626Schema,
};

export const buildCeb626 = (model: z.input<typeof ceb626Schema>) => buildReceipt(CEB626, model);
export const parseCeb626 = (xml: string): Ceb626 => parseReceipt(CEB626, xml);
