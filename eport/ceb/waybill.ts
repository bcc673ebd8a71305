import { z } from 'zod';
import { baseTransferSchema, messageAttributes } from './base';
import {
  appStatus,
  appType,
  companyCode,
  companyName,
  currency,
  decimal,
  guid,
  money,
  optional,
  receiptTime,
  text,
  timestamp14,
  whole,
  element,
} from './fields';
import { buildDeclaration, buildReceipt, parseDeclaration, parseReceipt, type DeclarationSpec, type ReceiptSpec } from './message';
import { DOCUMENT_RECEIPT_STATUSES, returnStatus, withReturnInfoRule } from './receipts';

// CEB511, the import waybill, filed by the carrier (logistics company); its receipt is CEB512.

export const logisticsHeadSchema = z.object(
  {
    guid,
    appType,
    appTime: timestamp14,
    appStatus,
    logisticsCode: companyCode,
    logisticsName: companyName,
    /** The parcel's waybill number, not repeated by the same carrier within 6 months. */
    logisticsNo: text(60),
    /** Bill of lading or master air waybill, for direct-purchase imports. */
    billNo: optional(text(37)),
    /** The platform's order number (required since customs announcement 2018 No. 113). */
    orderNo: text(60),
    freight: optional(money()),
    insuredFee: optional(money()),
    currency: optional(currency),
    /** Gross weight in kilograms. */
    weight: decimal(19, 5),
    /** Number of packages under this waybill. */
    packNo: whole(9),
    goodsInfo: optional(text(200)),
    consignee: text(100),
    consigneeAddress: text(200),
    consigneeTelephone: text(50),
    note: optional(text(1000)),
  },
  element('LogisticsHead'),
);
export type LogisticsHead = z.output<typeof logisticsHeadSchema>;

export const ceb511Schema = z.object({
  ...messageAttributes,
  Logistics: z.object({ LogisticsHead: logisticsHeadSchema }, element('Logistics')),
  BaseTransfer: baseTransferSchema,
});
export type Ceb511 = z.output<typeof ceb511Schema>;
export type Ceb511Input = z.input<typeof ceb511Schema>;

export const CEB511: DeclarationSpec<typeof ceb511Schema> = {
  messageType: 'CEB511Message',
  document: 'Logistics',
  head: { name: 'LogisticsHead', fields: Object.keys(logisticsHeadSchema.shape), money: new Set(['freight', 'insuredFee']) },
  schema: ceb511Schema,
};

export const buildCeb511 = (model: z.input<typeof ceb511Schema>) => buildDeclaration(CEB511, model);
export const parseCeb511 = (xml: string): Ceb511 => parseDeclaration(CEB511, xml);

export const logisticsReturnSchema = withReturnInfoRule(
  z.object({
    guid,
    logisticsCode: companyCode,
    logisticsNo: text(60),
    returnStatus: returnStatus(DOCUMENT_RECEIPT_STATUSES),
    returnTime: receiptTime,
    returnInfo: optional(text(1000)),
  }),
  DOCUMENT_RECEIPT_STATUSES,
);

export const ceb512Schema = z.object({
  ...messageAttributes,
  LogisticsReturn: z.array(logisticsReturnSchema).min(1, 'at least one LogisticsReturn'),
});
export type Ceb512 = z.output<typeof ceb512Schema>;

export const CEB512: ReceiptSpec<typeof ceb512Schema> = {
  messageType: 'CEB512Message',
  element: { name: 'LogisticsReturn', fields: ['guid', 'logisticsCode', 'logisticsNo', 'returnStatus', 'returnTime', 'returnInfo'] },
  schema: ceb512Schema,
};

export const buildCeb512 = (model: z.input<typeof ceb512Schema>) => buildReceipt(CEB512, model);
export const parseCeb512 = (xml: string): Ceb512 => parseReceipt(CEB512, xml);
