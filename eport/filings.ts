import { createHash } from 'node:crypto';
import {
  buildCeb311,
  buildCeb511,
  buildCeb621,
  buildCeb625,
  CebValidationError,
  signCebMessage,
  type Ceb311Input,
  type Ceb511Input,
  type Ceb621Input,
  type Ceb625Input,
  type SigningKey,
} from './ceb';
import { ALIPAY_CN_REGISTRATION_ID } from '../domain/customs-codes';
import { allocate, orderTax } from '../domain/cross-border-tax';
import type { CustomsFiling, FiledDocument } from '../domain/customs-filing';

// From what the order knows (CustomsFiling) to the signed CEB messages the merchant's agent files: the order
// (CEB311), the waybill (CEB511), the inventory list (CEB621) and a return (CEB625). Deterministic: the same filing
// gives the same message, guid and signature, so an activity retry files nothing new. docs/customs.md lists the
// assumptions (marked there) for the fields an order does not carry.

export interface FilingCompany {
  /** The filing company's customs code (the merchant's or its agent's), as its transfer client identifies it. */
  copCode: string;
  copName: string;
  /** The data-exchange user number the E-port data centre issued. */
  dxpId: string;
  /** Its customs certificate's key. */
  signingKey: SigningKey;
  /** The customs district of the declaration and the port of entry (4 digits, JGS/T 18). */
  customsCode: string;
  portCode?: string;
  /** Gross weight of one piece, in kilograms, when the order carries none (CEB511 weight, CEB621 weights). */
  defaultItemWeightKg?: string;
}

/** The order lacks a field customs requires, or the figures disagree: final, an operator has to correct the order. */
export class CustomsFilingError extends Error {
  override name = 'CustomsFilingError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const PAYER_NAME = 'Alipay (China) Network Technology Co., Ltd.';
const ID_TYPES = { ID_CARD: '1', PASSPORT: '2' } as const;

/**
 * A UUID-shaped, upper-case guid from the filing's identity: the same filing, the same guid. The message and its
 * head carry the same one, so the guid a receipt answers (the head's) is the guid the filing returned (the message's).
 */
export function filingGuid(orderNo: string, document: FiledDocument, attempt: number): string {
  const h = createHash('sha256').update(`${orderNo}\u0000${document}\u0000${attempt}`).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** YYYYMMDDhhmmss in China Standard Time. */
export function cstTime(isoTime: string): string {
  const ms = Date.parse(isoTime);
  if (Number.isNaN(ms)) throw new CustomsFilingError('CUSTOMS_FILING_INCOMPLETE', `payment.paidAt is not a time: ${isoTime}`);
  return new Date(ms + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The line values, freight, tax and paid amount of the customs order, split in proportion for a part. */
export function filingAmounts(filing: CustomsFiling) {
  const { order, part } = filing;
  const values = order.items.map((i) => i.unitPriceFen * i.quantity);
  const freight = order.freightFen ?? 0;
  const tax = orderTax(
    order.items.map((i, n) => ({ valueFen: values[n], category: i.taxCategory ?? 'GENERAL' })),
    freight,
  ).taxTotalFen;
  const goods = values.reduce((a, b) => a + b, 0);
  if (!part) {
    const paid = filing.payment.amountFen;
    if (goods + freight + tax !== paid) throw mismatch(goods, freight, tax, paid);
    return { lineValues: values, goodsValue: goods, freight, taxTotal: tax, acturalPaid: paid };
  }
  const weights = order.splitParts?.map((p) => p.amountFen) ?? Array.from({ length: part.of }, () => 1);
  const share = (total: number) => allocate(total, weights)[part.index];
  const goodsValue = share(goods);
  const partFreight = share(freight);
  const taxShare = share(tax);
  // Rounding the three shares apart may leave the part a fen or two from what was paid for it: the tax takes it.
  const taxTotal = part.amountFen - goodsValue - partFreight;
  if (Math.abs(taxTotal - taxShare) > 2 || taxTotal < 0) throw mismatch(goodsValue, partFreight, taxShare, part.amountFen);
  return { lineValues: allocate(goodsValue, values), goodsValue, freight: partFreight, taxTotal, acturalPaid: part.amountFen };
}

function mismatch(goods: number, freight: number, tax: number, paid: number) {
  return new CustomsFilingError(
    'ACTURAL_PAID_MISMATCH',
    `acturalPaid: goods ${goods} + freight ${freight} + tax ${tax} fen = ${goods + freight + tax} fen, but ${paid} fen was paid for this customs order`,
  );
}

/** An item's customs fields after the operators' corrections (the latest correction of each field wins). */
function itemFields(filing: CustomsFiling) {
  return filing.order.items.map((item, n) => {
    const fixed = { hsCode: item.hsCode, originCountry: item.originCountry, unit: item.unit };
    for (const c of filing.corrections) {
      if (c.sku !== item.sku) continue;
      if (c.hsCode) fixed.hsCode = c.hsCode;
      if (c.originCountry) fixed.originCountry = c.originCountry;
      if (c.unit) fixed.unit = c.unit;
    }
    const need = (field: keyof typeof fixed) => {
      const v = fixed[field];
      if (!v) throw incomplete(`items[${n}].${field}`, `item ${item.sku} has no ${field}`);
      return v;
    };
    return { item, gcode: need('hsCode'), country: need('originCountry'), unit: need('unit') };
  });
}

function incomplete(field: string, why: string) {
  return new CustomsFilingError('CUSTOMS_FILING_INCOMPLETE', `${field}: ${why}; customs requires it, correct the order and file again`);
}

/** The facts every document shares. */
/** The message's guid and version: the head carries the same guid (headOf). */
const envelope = (filing: CustomsFiling, document: FiledDocument) => ({
  guid: filingGuid(filing.orderNo, document, filing.attempt),
  version: '1.0' as const,
});

/** The fields every head starts with: its guid, whether it is a first filing or a change, when, and 2 (declared). */
const headOf = (filing: CustomsFiling, document: FiledDocument, c: { appType: '1' | '2'; appTime: string }) => ({
  guid: filingGuid(filing.orderNo, document, filing.attempt),
  appType: c.appType,
  appTime: c.appTime,
  appStatus: '2' as const,
});

function common(filing: CustomsFiling, company: FilingCompany) {
  const { order } = filing;
  const consignee = order.consignee;
  if (!consignee) throw incomplete('consignee', 'the order has no consignee (name, telephone, address)');
  const buyer = order.buyer;
  return {
    appTime: cstTime(filing.payment.paidAt),
    appType: filing.attempt === 0 ? ('1' as const) : ('2' as const),
    ebp: { code: filing.merchant.code, name: filing.merchant.name },
    buyer: {
      idType: ID_TYPES[buyer.certificateType],
      idNumber: buyer.certificateNo,
      name: buyer.fullName,
      // ASSUMPTION (docs/customs.md): the order carries one telephone, the consignee's; the buyer's is taken to be it.
      telephone: consignee.telephone,
      // ASSUMPTION: the buyer's platform registration is a pseudonym of the certificate number (no account id in the order).
      regNo: `B${createHash('sha256').update(buyer.certificateNo).digest('hex').slice(0, 20).toUpperCase()}`,
    },
    consignee,
    transfer: { copCode: company.copCode, copName: company.copName, dxpMode: 'DXP' as const, dxpId: company.dxpId },
  };
}

function logisticsOf(filing: CustomsFiling) {
  const l = filing.order.logistics;
  if (!l.carrierCustomsCode) throw incomplete('logistics.carrierCustomsCode', "the carrier's customs registration code is missing");
  return { code: l.carrierCustomsCode, name: l.carrier, no: l.waybillNo };
}

/** Who the inventory list and its return name: the order, the platform and merchant (one company here), the carrier's waybill. */
function listParties(filing: CustomsFiling, c: { ebp: { code: string; name: string } }) {
  const l = logisticsOf(filing);
  return {
    orderNo: filing.orderNo,
    ebpCode: c.ebp.code,
    ebpName: c.ebp.name,
    ebcCode: c.ebp.code,
    ebcName: c.ebp.name,
    logisticsNo: l.no,
    logisticsCode: l.code,
    logisticsName: l.name,
  };
}

function weightOf(filing: CustomsFiling, company: FilingCompany): string {
  if (!company.defaultItemWeightKg) throw incomplete('weight', 'the order carries no weight and no default item weight is configured');
  const pieces = filing.order.items.reduce((sum, i) => sum + i.quantity, 0);
  return (Number(company.defaultItemWeightKg) * pieces).toFixed(5).replace(/\.?0+$/, '');
}

function orderMessage(filing: CustomsFiling, company: FilingCompany): Ceb311Input {
  const c = common(filing, company);
  const amounts = filingAmounts(filing);
  const fields = itemFields(filing);
  return {
    ...envelope(filing, 'ORDER'),
    Order: {
      OrderHead: {
        ...headOf(filing, 'ORDER', c),
        orderType: 'I',
        orderNo: filing.orderNo,
        ebpCode: c.ebp.code,
        ebpName: c.ebp.name,
        ebcCode: c.ebp.code,
        ebcName: c.ebp.name,
        goodsValue: amounts.goodsValue,
        freight: amounts.freight,
        discount: 0,
        taxTotal: amounts.taxTotal,
        acturalPaid: amounts.acturalPaid,
        currency: '142',
        buyerRegNo: c.buyer.regNo,
        buyerName: c.buyer.name,
        buyerTelephone: c.buyer.telephone,
        buyerIdType: c.buyer.idType,
        buyerIdNumber: c.buyer.idNumber,
        payCode: ALIPAY_CN_REGISTRATION_ID,
        payName: PAYER_NAME,
        payTransactionId: filing.payment.paymentId,
        consignee: c.consignee.name,
        consigneeTelephone: c.consignee.telephone,
        consigneeAddress: c.consignee.address,
      },
      OrderList: fields.map((f, n) => ({
        gnum: n + 1,
        itemNo: f.item.sku,
        itemName: f.item.name,
        gmodel: f.item.name,
        unit: f.unit,
        ...lineOf(filing, n, amounts.lineValues[n]),
        currency: '142',
        country: f.country,
      })),
    },
    BaseTransfer: c.transfer,
  };
}

/**
 * A line's quantity, price and total. A whole order's line is the item's. A split part's line carries its share
 * of the item's value: the item's quantity when the share divides by it, else one unit priced at the share.
 */
function lineOf(filing: CustomsFiling, n: number, valueFen: number) {
  const item = filing.order.items[n];
  if (!filing.part) return { qty: String(item.quantity), price: item.unitPriceFen, totalPrice: item.unitPriceFen * item.quantity };
  if (valueFen % item.quantity === 0) return { qty: String(item.quantity), price: valueFen / item.quantity, totalPrice: valueFen };
  return { qty: '1', price: valueFen, totalPrice: valueFen };
}

function waybillMessage(filing: CustomsFiling, company: FilingCompany): Ceb511Input {
  const c = common(filing, company);
  const l = logisticsOf(filing);
  return {
    ...envelope(filing, 'WAYBILL'),
    Logistics: {
      LogisticsHead: {
        ...headOf(filing, 'WAYBILL', c),
        logisticsCode: l.code,
        logisticsName: l.name,
        logisticsNo: l.no,
        orderNo: filing.orderNo,
        freight: filingAmounts(filing).freight,
        currency: '142',
        weight: weightOf(filing, company),
        packNo: 1,
        consignee: c.consignee.name,
        consigneeAddress: c.consignee.address,
        consigneeTelephone: c.consignee.telephone,
      },
    },
    // ASSUMPTION (docs/customs.md): the agent files the waybill for the carrier, through its own transfer client.
    BaseTransfer: c.transfer,
  };
}

function inventoryMessage(filing: CustomsFiling, company: FilingCompany): Ceb621Input {
  const c = common(filing, company);
  const amounts = filingAmounts(filing);
  const fields = itemFields(filing);
  const day = c.appTime.slice(0, 8);
  const weight = weightOf(filing, company);
  return {
    ...envelope(filing, 'INVENTORY'),
    Inventory: {
      InventoryHead: {
        ...headOf(filing, 'INVENTORY', c),
        ...listParties(filing, c),
        copNo: filingGuid(filing.orderNo, 'INVENTORY', filing.attempt).replaceAll('-', '').slice(0, 20),
        assureCode: c.ebp.code,
        ieFlag: 'I',
        declTime: day,
        customsCode: company.customsCode,
        portCode: company.portCode ?? company.customsCode,
        ieDate: day,
        buyerIdType: c.buyer.idType,
        buyerIdNumber: c.buyer.idNumber,
        buyerName: c.buyer.name,
        buyerTelephone: c.buyer.telephone,
        consigneeAddress: c.consignee.address,
        agentCode: company.copCode,
        agentName: company.copName,
        tradeMode: '9610',
        trafMode: '5',
        // ASSUMPTION: the country of departure is the first item's country of origin.
        country: fields[0].country,
        freight: amounts.freight,
        insuredFee: 0,
        currency: '142',
        packNo: 1,
        grossWeight: weight,
        netWeight: weight,
      },
      InventoryList: fields.map((f, n) => {
        const line = lineOf(filing, n, amounts.lineValues[n]);
        return {
          gnum: n + 1,
          itemNo: f.item.sku,
          gcode: f.gcode,
          gname: f.item.name,
          gmodel: f.item.name,
          country: f.country,
          currency: '142',
          qty: line.qty,
          unit: f.unit,
          // ASSUMPTION: the legal (first) quantity and unit are the declared ones.
          qty1: line.qty,
          unit1: f.unit,
          price: line.price,
          totalPrice: line.totalPrice,
        };
      }),
    },
    BaseTransfer: c.transfer,
  };
}

function returnMessage(filing: CustomsFiling, company: FilingCompany): Ceb625Input {
  const r = filing.goodsReturn;
  if (!r) throw incomplete('goodsReturn', 'a RETURN names the inventory list and the goods that come back');
  const c = common(filing, company);
  const fields = itemFields(filing);
  return {
    ...envelope(filing, 'RETURN'),
    InvtRefund: {
      InvtRefundHead: {
        ...headOf(filing, 'RETURN', c),
        customsCode: company.customsCode,
        ...listParties(filing, c),
        invtNo: r.invtNo,
        buyerIdType: c.buyer.idType,
        buyerIdNumber: c.buyer.idNumber,
        buyerName: c.buyer.name,
        buyerTelephone: c.buyer.telephone,
        agentCode: company.copCode,
        agentName: company.copName,
        reason: r.reason,
      },
      InvtRefundList: r.lines.map((back) => {
        const n = fields.findIndex((f) => f.item.sku === back.sku);
        if (n < 0) throw incomplete('goodsReturn.lines', `sku ${back.sku} is not an item of the order`);
        return { gnum: n + 1, gcode: fields[n].gcode, gname: fields[n].item.name, qty: String(back.quantity), unit: fields[n].unit };
      }),
    },
    BaseTransfer: c.transfer,
  };
}

const BUILD: Record<FiledDocument, (filing: CustomsFiling, company: FilingCompany) => string> = {
  ORDER: (f, c) => buildCeb311(orderMessage(f, c)),
  WAYBILL: (f, c) => buildCeb511(waybillMessage(f, c)),
  INVENTORY: (f, c) => buildCeb621(inventoryMessage(f, c)),
  RETURN: (f, c) => buildCeb625(returnMessage(f, c)),
};

/** The signed message of one document, and its guid. A field rule the order breaks is a final CustomsFilingError. */
export function signedFiling(document: FiledDocument, filing: CustomsFiling, company: FilingCompany): { guid: string; xml: string } {
  let xml: string;
  try {
    xml = BUILD[document](filing, company);
  } catch (error) {
    if (error instanceof CebValidationError) {
      const named = error.problems.map((p) => `${p.field}: ${p.rule}`).join('; ');
      throw new CustomsFilingError('CUSTOMS_FIELD_RULES', `${document} for ${filing.orderNo} breaks the message's rules: ${named}`);
    }
    throw error;
  }
  return { guid: filingGuid(filing.orderNo, document, filing.attempt), xml: signCebMessage(xml, company.signingKey) };
}
