import { z } from 'zod';
import { baseTransferSchema, messageAttributes } from './base';
import {
  appStatus,
  appType,
  code,
  companyCode,
  companyName,
  countryCode,
  currency,
  customsCode,
  date8,
  decimal,
  fixed,
  guid,
  hsCode,
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
  parseDeclaration,
  parseReceipt,
  type DeclarationSpec,
  type ReceiptSpec,
} from './message';
import { INVENTORY_RECEIPT_STATUSES, returnStatus, withReturnInfoRule } from './receipts';

// CEB621, the import inventory list: the customs declaration of the goods, filed by the
// e-commerce company or its agent (the declaring company). Its receipt CEB622 carries the
// clearance states (receipts.ts).

export const TRADE_MODES = { '9610': 'direct-purchase import (直购进口)', '1210': 'bonded import (保税进口)' } as const;

export const inventoryHeadSchema = z.object(
  {
    guid,
    appType,
    appTime: timestamp14,
    appStatus,
    orderNo: text(60),
    ebpCode: companyCode,
    ebpName: companyName,
    ebcCode: companyCode,
    ebcName: companyName,
    logisticsNo: text(60),
    logisticsCode: companyCode,
    logisticsName: companyName,
    /** The company's own number for this list. */
    copNo: text(20),
    /** The e-port's pre-entry number (B + date + serial), assigned on receipt. */
    preNo: optional(fixed(18)),
    /** The company that guarantees the tax: the platform, the e-commerce company or the carrier. */
    assureCode: companyCode,
    /** The bonded account book number; required for bonded imports (1210). */
    emsNo: optional(text(30)),
    /** The customs' list number, assigned when customs finishes its review. */
    invtNo: optional(fixed(18)),
    ieFlag: z.literal('I', { error: 'code table: ieFlag must be I (import)' }),
    declTime: date8,
    customsCode,
    portCode: customsCode,
    ieDate: date8,
    buyerIdType: idType,
    buyerIdNumber: text(60),
    buyerName: text(60),
    buyerTelephone: text(30),
    consigneeAddress: text(200),
    agentCode: companyCode,
    agentName: companyName,
    areaCode: optional(companyCode),
    areaName: optional(companyName),
    tradeMode: code(TRADE_MODES, ['9610', '1210']),
    /** Transport mode code (JGS-20), one character. */
    trafMode: fixed(1),
    trafNo: optional(text(100)),
    voyageNo: optional(text(32)),
    billNo: optional(text(37)),
    loctNo: optional(text(10)),
    licenseNo: optional(text(19)),
    country: countryCode,
    freight: money(),
    insuredFee: money(),
    currency,
    wrapType: optional(fixed(1)),
    packNo: whole(9),
    grossWeight: decimal(19, 5),
    netWeight: decimal(19, 5),
    note: optional(text(1000)),
  },
  element('InventoryHead'),
);
export type InventoryHead = z.output<typeof inventoryHeadSchema>;

export const inventoryListSchema = z.object({
  gnum: whole(4),
  itemRecordNo: optional(text(30)),
  itemNo: optional(text(30)),
  itemName: optional(text(250)),
  gcode: hsCode,
  gname: text(250),
  gmodel: text(510),
  barCode: optional(text(50)),
  country: countryCode,
  currency,
  qty: decimal(19, 5),
  unit: unitCode,
  qty1: decimal(19, 5),
  unit1: unitCode,
  qty2: optional(decimal(19, 5)),
  unit2: optional(unitCode),
  price: money(),
  totalPrice: money(),
  note: optional(text(1000)),
});
export type InventoryListItem = z.output<typeof inventoryListSchema>;

export const ceb621Schema = z
  .object({
    ...messageAttributes,
    Inventory: z.object(
      {
        InventoryHead: inventoryHeadSchema,
        InventoryList: z.array(inventoryListSchema).min(1, 'at least one InventoryList item'),
      },
      element('Inventory'),
    ),
    BaseTransfer: baseTransferSchema,
  })
  .superRefine((m, ctx) => {
    checkListLines(ctx, ['Inventory', 'InventoryList'], m.Inventory.InventoryList);
    const h = m.Inventory.InventoryHead;
    if (h.tradeMode === '1210' && !h.emsNo) {
      ctx.addIssue({
        code: 'custom',
        path: ['Inventory', 'InventoryHead', 'emsNo'],
        message: 'required when tradeMode is 1210 (bonded import)',
      });
    }
    m.Inventory.InventoryList.forEach((line, i) => {
      if ((line.qty2 === undefined) !== (line.unit2 === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['Inventory', 'InventoryList', i, 'qty2'], message: 'qty2 and unit2 go together' });
      }
    });
  });
export type Ceb621 = z.output<typeof ceb621Schema>;
export type Ceb621Input = z.input<typeof ceb621Schema>;

export const CEB621: DeclarationSpec<typeof ceb621Schema> = {
  messageType: 'CEB621Message',
  document: 'Inventory',
  head: { name: 'InventoryHead', fields: Object.keys(inventoryHeadSchema.shape), money: new Set(['freight', 'insuredFee']) },
  list: { name: 'InventoryList', fields: Object.keys(inventoryListSchema.shape), money: new Set(['price', 'totalPrice']) },
  schema: ceb621Schema,
};

export const buildCeb621 = (model: Ceb621Input) => buildDeclaration(CEB621, model);
export const parseCeb621 = (xml: string): Ceb621 => parseDeclaration(CEB621, xml);

// CEB622: the inventory receipt.

export const inventoryReturnSchema = withReturnInfoRule(
  z.object({
    guid,
    customsCode,
    ebpCode: companyCode,
    ebcCode: companyCode,
    agentCode: companyCode,
    copNo: text(20),
    preNo: optional(fixed(18)),
    invtNo: optional(fixed(18)),
    returnStatus: returnStatus(INVENTORY_RECEIPT_STATUSES),
    returnTime: receiptTime,
    returnInfo: optional(text(1000)),
  }),
  INVENTORY_RECEIPT_STATUSES,
);
export type InventoryReturn = z.output<typeof inventoryReturnSchema>;

export const ceb622Schema = z.object({
  ...messageAttributes,
  InventoryReturn: z.array(inventoryReturnSchema).min(1, 'at least one InventoryReturn'),
});
export type Ceb622 = z.output<typeof ceb622Schema>;

export const CEB622: ReceiptSpec<typeof ceb622Schema> = {
  messageType: 'CEB622Message',
  element: { name: 'InventoryReturn', fields: Object.keys(inventoryReturnSchema.shape) },
  schema: ceb622Schema,
};

export const buildCeb622 = (model: z.input<typeof ceb622Schema>) => buildReceipt(CEB622, model);
export const parseCeb622 = (xml: string): Ceb622 => parseReceipt(CEB622, xml);
