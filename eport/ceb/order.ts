import { z } from 'zod';
import { companyCode, companyName, countryCode, currency, decimal, fixed, idType, money, optional, text, unitCode, whole } from './fields';
import { companyFields, filingFields, head, noteField } from './heads';
import { checkListLines, crossFieldIssue, declaration, declarationCodec } from './message';

// CEB311, the import order document, filed by the e-commerce company or platform (or its agent);
// its receipt is CEB312. Field list and lengths: see docs/customs.md, "Sources".

export const ORDER_TYPES = { I: 'import' } as const;

export const orderHeadSchema = head('OrderHead', {
  ...filingFields,
  orderType: z.literal('I', { error: 'code table: orderType must be I (import)' }),
  /** The platform's order number, unique within the platform. */
  orderNo: text(60),
  ...companyFields,
  /** The goods' actual transaction price, including what non-cash means paid. */
  goodsValue: money(),
  /** Freight not included in goodsValue; 0 when none. */
  freight: money(),
  /** What points, vouchers and other non-cash means paid; 0 when none. */
  discount: money(),
  /** The tax the company withholds; 0 when none. */
  taxTotal: money(),
  /** goodsValue + freight + taxTotal − discount, and equal to the payment document's amountPaid. */
  acturalPaid: money(),
  currency,
  buyerRegNo: text(60),
  buyerName: text(60),
  buyerTelephone: text(30),
  buyerIdType: idType,
  buyerIdNumber: text(60),
  payCode: optional(companyCode),
  payName: optional(companyName),
  payTransactionId: text(60),
  batchNumbers: optional(text(100)),
  consignee: text(100),
  consigneeTelephone: text(50),
  consigneeAddress: text(200),
  consigneeDistrict: optional(fixed(6)),
  ...noteField,
});

export const orderListSchema = z.object({
  gnum: whole(4),
  itemNo: text(30),
  itemName: text(250),
  gmodel: text(510),
  itemDescribe: optional(text(1000)),
  barCode: optional(text(50)),
  unit: unitCode,
  qty: decimal(16, 2),
  price: money(),
  totalPrice: money(),
  currency,
  country: countryCode,
  ...noteField,
});

export type OrderHead = z.output<typeof orderHeadSchema>;
export type OrderListItem = z.output<typeof orderListSchema>;

export const CEB311 = declaration(
  'CEB311Message',
  'Order',
  { name: 'OrderHead', schema: orderHeadSchema, money: ['goodsValue', 'freight', 'discount', 'taxTotal', 'acturalPaid'] },
  { name: 'OrderList', schema: orderListSchema, money: ['price', 'totalPrice'] },
  (m, ctx) => {
    const h = m.Order.OrderHead;
    const headPath = ['Order', 'OrderHead'];
    if (h.acturalPaid !== h.goodsValue + h.freight + h.taxTotal - h.discount) {
      crossFieldIssue(ctx, [...headPath, 'acturalPaid'], 'must equal goodsValue + freight + taxTotal − discount');
    }
    checkListLines(ctx, ['Order', 'OrderList'], m.Order.OrderList);
    const sum = m.Order.OrderList.reduce((acc, item) => acc + item.totalPrice, 0);
    if (sum !== h.goodsValue) crossFieldIssue(ctx, [...headPath, 'goodsValue'], 'must equal the sum of the OrderList totalPrice');
  },
);
export const ceb311Schema = CEB311.schema;
export type Ceb311 = z.output<typeof ceb311Schema>;
export type Ceb311Input = z.input<typeof ceb311Schema>;

export const { build: buildCeb311, parse: parseCeb311 } = declarationCodec(CEB311);
