import assert from 'node:assert/strict';
import {
  CebValidationError,
  type Ceb311Input,
  type Ceb411Input,
  type Ceb511Input,
  type Ceb621Input,
  type Ceb625Input,
  type FieldProblem,
} from '../../eport/ceb';

// Valid customs messages for the unit tests: one order of two lines, and the documents that match it;
// and problemsOf, the field problems a message that breaks a rule is refused with.

export const GUID = (n: number) => `3A2F9C1E-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const baseTransfer = { copCode: '3301964J31', copName: 'Sandbox Merchant Ltd', dxpMode: 'DXP', dxpId: 'DXPENT0000000001' } as const;

// The facts the documents share, each written once, so that they agree as the three-document match asks.
const ORDER_NO = 'ORD-2026-0001';
/** The renminbi's customs code, the only currency of the import messages. */
const CNY = '142' as const;
const envelope = (n: number) => ({ guid: GUID(n), version: '1.0' });
/** A new document (appType 1), declared (appStatus 2). */
const filing = (n: number, appTime: string) => ({ guid: GUID(n), appType: '1', appTime, appStatus: '2' }) as const;
const platform = { ebpCode: '3301964J31', ebpName: 'Sandbox Platform', ebcCode: '3301964J31', ebcName: 'Sandbox Merchant Ltd' };
const carrier = { logisticsNo: 'SE1000000001', logisticsCode: '3301980101', logisticsName: 'Sandbox Express' };
const buyer = { buyerIdType: '1', buyerIdNumber: '11010519491231002X', buyerName: '测试买家', buyerTelephone: '13800000000' } as const;
const payer = { payerIdType: '1', payerIdNumber: '11010519491231002X', payerName: '测试买家' } as const;
const consignee = { consignee: '测试买家', consigneeTelephone: '13800000000', consigneeAddress: '北京市朝阳区测试路1号' };
const agent = { agentCode: '3301964J31', agentName: 'Sandbox Merchant Ltd' };
const alipay = { payCode: '31222699S7', payName: 'Alipay (China) Network Technology Co., Ltd.' };
const PAY_TRANSACTION_ID = '2026120122001400000001';
/** Goods 250.00 + freight 10.00 + tax 23.66 − discount 5.00 = 278.66 paid. */
const amounts = { goodsValue: 25000, freight: 1000, discount: 500, taxTotal: 2366, acturalPaid: 27866, currency: CNY } as const;

/** The two goods as the order lists them; the inventory list adds the customs' view of each. */
const CREAM = { itemNo: 'SKU-CREAM', itemName: 'Face cream', gmodel: '50ml/jar', unit: '122', qty: 1, price: 15000, country: '116' };
const TEA = { itemNo: 'SKU-TEA', itemName: 'Green tea', gmodel: '100g/box', unit: '140', qty: 2, price: 5000, country: '142' };
const DECLARED = [
  { gcode: '3304990099', gmodel: '4|3|water, glycerin|50ml/jar|brand', qty1: '0.05', unit1: '035' },
  { gcode: '0902109000', gmodel: '100g/box', qty1: '0.2', unit1: '035' },
];

export function sampleOrder(): Ceb311Input {
  const OrderList = [CREAM, TEA].map((item, i) => ({ gnum: i + 1, ...item, totalPrice: item.price * item.qty, currency: CNY }));
  const OrderHead = { ...filing(2, '20261201103000'), orderType: 'I', orderNo: ORDER_NO, ...platform, ...amounts, ...consignee } as const;
  const paidWith = { ...alipay, payTransactionId: PAY_TRANSACTION_ID };
  return {
    ...envelope(1),
    Order: { OrderHead: { ...OrderHead, buyerRegNo: 'buyer-42', ...buyer, ...paidWith }, OrderList },
    BaseTransfer: { ...baseTransfer },
  };
}

export function samplePayment(): Ceb411Input {
  const PaymentHead = { ...filing(4, '20261201103100'), ...alipay, payTransactionId: PAY_TRANSACTION_ID, orderNo: ORDER_NO, ...payer };
  const paid = {
    ebpCode: platform.ebpCode,
    ebpName: platform.ebpName,
    amountPaid: amounts.acturalPaid,
    currency: CNY,
    payTime: '20261201102900',
  };
  const transfer = { copCode: alipay.payCode, copName: alipay.payName, dxpMode: 'DXP', dxpId: 'DXPENT0000000002' } as const;
  return { ...envelope(3), Payment: { PaymentHead: { ...PaymentHead, ...paid } }, BaseTransfer: transfer };
}

export function sampleWaybill(): Ceb511Input {
  const parcel = { orderNo: ORDER_NO, freight: amounts.freight, weight: '0.85', packNo: 1, ...consignee };
  const LogisticsHead = { ...filing(6, '20261201110000'), ...carrier, ...parcel };
  const transfer = { copCode: carrier.logisticsCode, copName: carrier.logisticsName, dxpMode: 'DXP', dxpId: 'DXPENT0000000003' } as const;
  return { ...envelope(5), Logistics: { LogisticsHead }, BaseTransfer: transfer };
}

export function sampleInventory(): Ceb621Input {
  const InventoryList = [CREAM, TEA].map((item, i) => ({
    gnum: i + 1,
    itemNo: item.itemNo,
    gname: item.itemName,
    country: item.country,
    currency: CNY,
    qty: String(item.qty),
    unit: item.unit,
    price: item.price,
    totalPrice: item.price * item.qty,
    ...DECLARED[i],
  }));
  const list = { copNo: 'INV-2026-0001', assureCode: '3301964J31', ieFlag: 'I', declTime: '20261201', ieDate: '20261201' } as const;
  const port = { customsCode: '2991', portCode: '2991', tradeMode: '9610', trafMode: '5', country: '116' } as const;
  const goods = { freight: amounts.freight, insuredFee: 0, currency: CNY, packNo: 1, grossWeight: '0.85', netWeight: '0.7' };
  const parties = { ...platform, ...carrier, ...buyer, consigneeAddress: consignee.consigneeAddress, ...agent };
  const InventoryHead = { ...filing(8, '20261201111500'), orderNo: ORDER_NO, ...parties, ...list, ...port, ...goods };
  return { ...envelope(7), Inventory: { InventoryHead, InventoryList }, BaseTransfer: { ...baseTransfer } };
}

export function sampleReturn(): Ceb625Input {
  const reason = 'The buyer returned the unopened jar within 30 days';
  const returned = { customsCode: '2991', orderNo: ORDER_NO, invtNo: '299120261000000001', reason };
  const InvtRefundHead = { ...filing(10, '20261210090000'), ...platform, ...carrier, ...buyer, ...agent, ...returned };
  const InvtRefundList = [{ gnum: 1, gcode: DECLARED[0].gcode, gname: CREAM.itemName, qty: '1', unit: CREAM.unit }];
  return { ...envelope(9), InvtRefund: { InvtRefundHead, InvtRefundList }, BaseTransfer: { ...baseTransfer } };
}

export const receiptAttrs = { guid: GUID(20), version: '1.0' };

/** The field problems `fn` is refused with; fails the test when it is accepted. */
export function problemsOf(fn: () => unknown): FieldProblem[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof CebValidationError) return error.problems;
    throw error;
  }
  assert.fail('the message was accepted');
}
