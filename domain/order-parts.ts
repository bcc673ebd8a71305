import { allocate } from './cross-border-tax';
import { customsOrdersOf, type Order } from './order';

// What each customs order of an order is worth. A split order is declared, filed and settled per part: a
// part customs does not release refunds its own share and gives back its own quota, while the others go on.

export interface PartValue {
  /** The customs order: the payment request id, or the part's referenceOrderId. */
  customsOrderId: string;
  /** What the buyer paid for the part: its splitParts amount, or the order's total. */
  paidFen: number;
  goodsFen: number;
  freightFen: number;
  /** The part's retail-import tax: what was paid for it less its goods and freight. */
  taxFen: number;
  /** What the part counts against the buyer's annual quota: its goods and freight (财关税〔2016〕18号). */
  dutiableFen: number;
}

/** What the shares are computed from: the items, the freight, and what was paid for each customs order. */
export type PricedParts = Pick<Order, 'items' | 'freightFen' | 'totalFen' | 'splitParts'>;

/**
 * Each customs order's shares, in order: a split part takes shares of the goods and the freight in proportion
 * to what was paid for it, as its inventory list (CEB621) declares them (eport/filings.ts `filingAmounts`), so
 * the parts' dutiable values add up to the order's.
 */
export function partShares(order: PricedParts): Omit<PartValue, 'customsOrderId'>[] {
  const goods = order.items.reduce((sum, i) => sum + i.unitPriceFen * i.quantity, 0);
  const freight = order.freightFen ?? 0;
  const paid = order.splitParts?.map((p) => p.amountFen) ?? [order.totalFen];
  const goodsShares = allocate(goods, paid);
  const freightShares = allocate(freight, paid);
  return paid.map((paidFen, i) => ({
    paidFen,
    goodsFen: goodsShares[i],
    freightFen: freightShares[i],
    taxFen: paidFen - goodsShares[i] - freightShares[i],
    dutiableFen: goodsShares[i] + freightShares[i],
  }));
}

/** Each customs order's value, named by its customs order id. */
export function partValues(order: Order): PartValue[] {
  const ids = customsOrdersOf(order).map((c) => c.customsOrderId);
  return partShares(order).map((share, i) => ({ customsOrderId: ids[i], ...share }));
}

/** The value of one customs order of the order. */
export function partValueOf(order: Order, customsOrderId: string): PartValue {
  const part = partValues(order).find((p) => p.customsOrderId === customsOrderId);
  if (!part) throw new RangeError(`${customsOrderId} is not a customs order of order ${order.orderId}`);
  return part;
}
