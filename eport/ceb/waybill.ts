import { z } from 'zod';
import { companyCode, companyName, currency, decimal, money, optional, text, whole } from './fields';
import { filingFields, head, noteField } from './heads';
import { declaration, declarationCodec } from './message';

// CEB511, the import waybill, filed by the carrier (logistics company); its receipt is CEB512.

export const logisticsHeadSchema = head('LogisticsHead', {
  ...filingFields,
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
  ...noteField,
});
export type LogisticsHead = z.output<typeof logisticsHeadSchema>;

export const CEB511 = declaration('CEB511Message', 'Logistics', {
  name: 'LogisticsHead',
  schema: logisticsHeadSchema,
  money: ['freight', 'insuredFee'],
});
export const ceb511Schema = CEB511.schema;
export type Ceb511 = z.output<typeof ceb511Schema>;
export type Ceb511Input = z.input<typeof ceb511Schema>;

export const { build: buildCeb511, parse: parseCeb511 } = declarationCodec(CEB511);
