import { z } from 'zod';
import { baseTransferSchema, messageAttributes } from './base';
import {
  appStatus,
  appType,
  companyCode,
  companyName,
  countryCode,
  currency,
  decimal,
  fixed,
  guid,
  idType,
  money,
  optional,
  receiptTime,
  text,
  timestamp14,
  unitCode,
  whole,
  element,
} from './fields';
import {
  buildDeclaration,
  buildReceipt,
  checkListLines,
  crossFieldIssue,
  parseDeclaration,
  parseReceipt,
  type DeclarationSpec,
  type ReceiptSpec,
} from './message';
import { DOCUMENT_RECEIPT_STATUSES, returnStatus, withReturnInfoRule } from './receipts';
import type { ElementShape } from './xml';

// CEB311, the import order document, filed by the e-commerce company or platform (or its agent);
// its receipt is CEB312. Field list and lengths: see docs/customs.md, "Sources".

export const ORDER_TYPES = { I: 'import' } as const;

export const orderHeadSchema = z.object(
  {
    guid,
    appType,
    appTime: timestamp14,
    appStatus,
    orderType: z.literal('I', { error: 'code table: orderType must be I (import)' }),
    /** The platform's order number, unique within the platform. */
    orderNo: text(60),
    ebpCode: companyCode,
    ebpName: companyName,
    ebcCode: companyCode,
    ebcName: companyName,
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
    note: optional(text(1000)),
  },
  element('OrderHead'),
);

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
  note: optional(text(1000)),
});

export type OrderHead = z.output<typeof orderHeadSchema>;
export type OrderListItem = z.output<typeof orderListSchema>;

export const ceb311Schema = z
  .object({
    ...messageAttributes,
    Order: z.object(
      { OrderHead: orderHeadSchema, OrderList: z.array(orderListSchema).min(1, 'at least one OrderList item') },
      element('Order'),
    ),
    BaseTransfer: baseTransferSchema,
  })
  .superRefine((m, ctx) => {
    const h = m.Order.OrderHead;
    const head = ['Order', 'OrderHead'];
    if (h.acturalPaid !== h.goodsValue + h.freight + h.taxTotal - h.discount) {
      crossFieldIssue(ctx, [...head, 'acturalPaid'], 'must equal goodsValue + freight + taxTotal − discount');
    }
    checkListLines(ctx, ['Order', 'OrderList'], m.Order.OrderList);
    const sum = m.Order.OrderList.reduce((acc, item) => acc + item.totalPrice, 0);
    if (sum !== h.goodsValue) crossFieldIssue(ctx, [...head, 'goodsValue'], 'must equal the sum of the OrderList totalPrice');
  });

export type Ceb311 = z.output<typeof ceb311Schema>;
export type Ceb311Input = z.input<typeof ceb311Schema>;

const ORDER_HEAD: ElementShape = {
  name: 'OrderHead',
  fields: Object.keys(orderHeadSchema.shape),
  money: new Set(['goodsValue', 'freight', 'discount', 'taxTotal', 'acturalPaid']),
};
const ORDER_LIST: ElementShape = { name: 'OrderList', fields: Object.keys(orderListSchema.shape), money: new Set(['price', 'totalPrice']) };

export const CEB311: DeclarationSpec<typeof ceb311Schema> = {
  messageType: 'CEB311Message',
  document: 'Order',
  head: ORDER_HEAD,
  list: ORDER_LIST,
  schema: ceb311Schema,
};

export const buildCeb311 = (model: Ceb311Input) => buildDeclaration(CEB311, model);
export const parseCeb311 = (xml: string): Ceb311 => parseDeclaration(CEB311, xml);

// CEB312: the order receipt.

export const orderReturnSchema = withReturnInfoRule(
  z.object({
    guid,
    ebpCode: companyCode,
    ebcCode: companyCode,
    orderNo: text(60),
    returnStatus: returnStatus(DOCUMENT_RECEIPT_STATUSES),
    returnTime: receiptTime,
    returnInfo: optional(text(1000)),
  }),
  DOCUMENT_RECEIPT_STATUSES,
);

export const ceb312Schema = z.object({ ...messageAttributes, OrderReturn: z.array(orderReturnSchema).min(1, 'at least one OrderReturn') });
export type Ceb312 = z.output<typeof ceb312Schema>;

export const CEB312: ReceiptSpec<typeof ceb312Schema> = {
  messageType: 'CEB312Message',
  element: { name: 'OrderReturn', fields: ['guid', 'ebpCode', 'ebcCode', 'orderNo', 'returnStatus', 'returnTime', 'returnInfo'] },
  schema: ceb312Schema,
};

export const buildCeb312 = (model: z.input<typeof ceb312Schema>) => buildReceipt(CEB312, model);
export const parseCeb312 = (xml: string): Ceb312 => parseReceipt(CEB312, xml);
