import { randomUUID } from 'node:crypto';
import { mainlandIdCheckDigit } from '../../domain/identity';
import type { OrderInput } from '../../domain/order';
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

export interface SampleOrderOptions extends Partial<OrderInput> {
  /** The order id is `${prefix}${name}`: `ORD-` unless given. */
  prefix?: string;
  /** Ends the order id and the waybill number (`SF${name}`); random unless given. */
  name?: string;
}

/** A tin of infant milk powder (199.00 CNY) for SAMPLE_BUYER, declared in Hangzhou, shipped by SF Express. */
export function sampleOrder(options: SampleOrderOptions = {}): OrderInput {
  const { prefix = 'ORD-', name = randomUUID().slice(0, 8), ...over } = options;
  return {
    orderId: `${prefix}${name}`,
    currency: 'CNY',
    totalFen: 19_900,
    items: [{ sku: 'MILK-900', name: 'Infant milk powder 900g', quantity: 1, unitPriceFen: 19_900 }],
    buyer: SAMPLE_BUYER,
    customs: { district: 'Hangzhou', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    logistics: { carrier: 'SF Express', waybillNo: `SF${name}` },
    ...over,
  };
}
