import type { CustomsFiling } from '../../domain/customs-filing';
import type { Order } from '../../domain/order';
import { BUYER } from './orders';

// A customs filing for the CEB tests: two lines (cream 150.00, tea 2 × 50.00), freight 10.00, GENERAL tax.
// Freight is shared 6.00/4.00; the tax is 9.1% of 156.00 (14.20) and of 104.00 (9.46): taxTotal 23.66, so
// the buyer paid 250.00 + 10.00 + 23.66 = 283.66.

export const FILING_PAID_FEN = 28_366;
export const FILING_TAX_FEN = 2_366;

export function filingOrder(orderId: string, over: Partial<Order> = {}): Order {
  return {
    orderId,
    currency: 'CNY',
    totalFen: 25_000,
    items: [
      { sku: 'SKU-CREAM', name: 'Face cream', quantity: 1, unitPriceFen: 15_000, hsCode: '3304990099', originCountry: '116', unit: '122' },
      { sku: 'SKU-TEA', name: 'Green tea', quantity: 2, unitPriceFen: 5_000, hsCode: '0902109000', originCountry: '142', unit: '140' },
    ],
    buyer: BUYER,
    realNameRequired: true,
    customs: { district: 'ZONGSHU', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    logistics: { carrier: 'Sandbox Express', waybillNo: `WB-${orderId}`, carrierCustomsCode: '3301980101' },
    freightFen: 1_000,
    consignee: { name: BUYER.fullName, telephone: '13800000000', address: '北京市朝阳区测试路1号' },
    paymentExpiryMinutes: 30,
    terminal: { terminalType: 'WEB' },
    ...over,
  };
}

export function customsFiling(orderId: string, paymentId: string, over: Partial<CustomsFiling> = {}): CustomsFiling {
  return {
    orderNo: orderId,
    attempt: 0,
    order: filingOrder(orderId),
    payment: { paymentId, paidAt: '2026-12-01T02:30:00.000Z', amountFen: FILING_PAID_FEN },
    merchant: { code: 'MC-0001', name: 'Example Merchant Ltd' },
    corrections: [],
    ...over,
  };
}
