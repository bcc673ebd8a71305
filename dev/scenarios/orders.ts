import { randomUUID } from 'node:crypto';
import { mainlandIdCheckDigit } from '../../domain/identity';
import type { OrderInput } from '../../domain/order';
import { priceOrder } from '../../domain/order-pricing';
import type { Payer } from '../../sandbox/helper-client';

// The sample orders and people of the tests, the demo and the history recorder.

export type Buyer = OrderInput['buyer'];

/**
 * A person with a valid mainland ID number (Hangzhou, born 1990-01-01) whose sequence is `seq`, 0 to 999.
 * Each `seq` is another buyer, with a quota of their own.
 */
export function person(seq: number, fullName: string): Buyer {
  if (!Number.isInteger(seq) || seq < 0 || seq > 999) throw new RangeError(`person: seq ${seq} is not 0 to 999`);
  const first17 = `33010619900101${String(seq).padStart(3, '0')}`;
  return { fullName, certificateType: 'ID_CARD', certificateNo: first17 + mainlandIdCheckDigit(first17) };
}

/** The buyer of a sample order that names none. */
export const SAMPLE_BUYER = person(10, '张三');

/** The person as the payer at the cashier, as Alipay knows them. */
export function payerOf(buyer: Buyer): Payer {
  return { ...buyer };
}

export type OrderItem = OrderInput['items'][number];

/** A tin of infant milk powder, 199.00 CNY: ordinary goods (GENERAL, 9.1% in all), from Australia (601), by the piece (007). */
export const MILK_TIN = {
  sku: 'MILK-900',
  name: 'Infant milk powder 900g',
  quantity: 1,
  unitPriceFen: 19_900,
  taxCategory: 'GENERAL',
  hsCode: '1901101000',
  originCountry: '601',
  unit: '007',
} as const satisfies OrderItem;

/** A bottle of vitamin C tablets, 199.00 CNY: ordinary goods, from the United States (502). */
export const VITAMIN_C = {
  sku: 'VIT-C',
  name: 'Vitamin C 120 tablets',
  quantity: 1,
  unitPriceFen: 19_900,
  taxCategory: 'GENERAL',
  hsCode: '2106909090',
  originCountry: '502',
  unit: '007',
} as const satisfies OrderItem;

/** A jar of face cream, 199.00 CNY: high-end cosmetics (13% VAT and 15% consumption tax, about 23.06% in all), from Japan (116). */
export const FACE_CREAM = {
  sku: 'CREAM-50',
  name: 'Face cream 50ml',
  quantity: 1,
  unitPriceFen: 19_900,
  taxCategory: 'HIGH_END_COSMETICS',
  hsCode: '3304990099',
  originCountry: '116',
  unit: '007',
} as const satisfies OrderItem;

/** What the sample orders charge for shipping: 10.00 CNY, part of the dutiable value. */
export const SAMPLE_FREIGHT_FEN = 1_000;

const pricedItems = (items: OrderItem[], freightFen: number) =>
  priceOrder(
    items.map((i) => ({ quantity: i.quantity, unitPriceFen: i.unitPriceFen, taxCategory: i.taxCategory! })),
    freightFen,
  );

/** Items and freight with the total the buyer pays: goods + freight + the retail-import tax (priceOrder). */
export function priced(items: OrderItem[], freightFen = SAMPLE_FREIGHT_FEN): Pick<OrderInput, 'items' | 'freightFen' | 'totalFen'> {
  return { items, freightFen, totalFen: pricedItems(items, freightFen).totalFen };
}

/** What each item of priced(items) costs the buyer (goods, freight share, tax): split parts that add up to the total. */
export function itemShares(items: OrderItem[], freightFen = SAMPLE_FREIGHT_FEN): number[] {
  return pricedItems(items, freightFen).items.map((t) => t.payableFen);
}

export interface SampleOrderOptions extends Partial<OrderInput> {
  /** The order id is `${prefix}${name}`: `ORD-` unless given. */
  prefix?: string;
  /** Ends the order id and the waybill number (`SF${name}`); random unless given. */
  name?: string;
}

/**
 * A tin of infant milk powder (199.00 CNY, 10.00 CNY freight, 19.02 CNY tax: 228.02 CNY) for SAMPLE_BUYER, declared in
 * Hangzhou, shipped by SF Express, filed on the CEB messages. Options that name items name their freightFen and totalFen
 * too (priced() makes all three).
 */
export function sampleOrder(options: SampleOrderOptions = {}): OrderInput {
  const { prefix = 'ORD-', name = randomUUID().slice(0, 8), ...over } = options;
  return {
    orderId: `${prefix}${name}`,
    currency: 'CNY',
    ...priced([{ ...MILK_TIN }]),
    buyer: SAMPLE_BUYER,
    customs: { district: 'Hangzhou', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    logistics: { carrier: 'SF Express', waybillNo: `SF${name}`, carrierCustomsCode: '3301980101' },
    consignee: { name: '张三', telephone: '13800000000', address: '浙江省杭州市西湖区文三路1号' },
    ...over,
  };
}
