import { z } from 'zod';
import {
  code,
  companyCode,
  companyName,
  countryCode,
  currency,
  customsCode,
  date8,
  decimal,
  fixed,
  hsCode,
  money,
  optional,
  text,
  unitCode,
  whole,
} from './fields';
import { agentFields, buyerFields, carrierFields, companyFields, filingFields, head, noteField } from './heads';
import { checkListLines, crossFieldIssue, declaration, declarationCodec } from './message';

// CEB621, the import inventory list: the customs declaration of the goods, filed by the
// e-commerce company or its agent (the declaring company). Its receipt CEB622 carries the
// clearance states (receipts.ts).

export const TRADE_MODES = { '9610': 'direct-purchase import (直购进口)', '1210': 'bonded import (保税进口)' } as const;

export const inventoryHeadSchema = head('InventoryHead', {
  ...filingFields,
  orderNo: text(60),
  ...companyFields,
  ...carrierFields,
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
  ...buyerFields,
  consigneeAddress: text(200),
  ...agentFields,
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
  ...noteField,
});
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
  ...noteField,
});
export type InventoryListItem = z.output<typeof inventoryListSchema>;

export const CEB621 = declaration(
  'CEB621Message',
  'Inventory',
  { name: 'InventoryHead', schema: inventoryHeadSchema, money: ['freight', 'insuredFee'] },
  { name: 'InventoryList', schema: inventoryListSchema, money: ['price', 'totalPrice'] },
  (m, ctx) => {
    checkListLines(ctx, ['Inventory', 'InventoryList'], m.Inventory.InventoryList);
    const h = m.Inventory.InventoryHead;
    if (h.tradeMode === '1210' && !h.emsNo) {
      crossFieldIssue(ctx, ['Inventory', 'InventoryHead', 'emsNo'], 'required when tradeMode is 1210 (bonded import)');
    }
    m.Inventory.InventoryList.forEach((line, i) => {
      if ((line.qty2 === undefined) !== (line.unit2 === undefined)) {
        crossFieldIssue(ctx, ['Inventory', 'InventoryList', i, 'qty2'], 'qty2 and unit2 go together');
      }
    });
  },
);
export const ceb621Schema = CEB621.schema;
export type Ceb621 = z.output<typeof ceb621Schema>;
export type Ceb621Input = z.input<typeof ceb621Schema>;

export const { build: buildCeb621, parse: parseCeb621 } = declarationCodec(CEB621);
