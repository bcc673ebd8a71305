import { AMOUNT_IN_FEN, ITEM_QUANTITY, isWholeAmount, wholeFenReason } from './amounts';
import { orderTax, type ItemTax, type TaxCategory } from './cross-border-tax';
import { InvalidOrderError } from './order-errors';

// What an order system charges at checkout for an order filed on the CEB messages: the goods, the freight,
// and the retail-import tax (domain/cross-border-tax.ts), which the cashier amount includes.

export interface PricedItem {
  quantity: number;
  unitPriceFen: number;
  taxCategory: TaxCategory;
}

/** An item's tax, and what the item costs the buyer: its goods, its share of the freight, its tax. */
export interface PricedItemTax extends ItemTax {
  /** dutiableValueFen + taxFen: the items' payableFen add up to totalFen (split parts can follow them). */
  payableFen: number;
}

export interface PricedOrder {
  /** Price times quantity, summed: CEB311 goodsValue. */
  goodsFen: number;
  freightFen: number;
  /** Goods and freight: what the 5,000 CNY and 26,000 CNY limits count. */
  dutiableValueFen: number;
  /** Each item's tax, in item order, with its share of the freight in its dutiable value. */
  items: PricedItemTax[];
  /** CEB311 taxTotal. */
  taxTotalFen: number;
  /** goods + freight + tax: the order's totalFen, what the buyer pays (CEB311 acturalPaid, without a discount). */
  totalFen: number;
}

/**
 * Prices an order: the tax per item, the freight shared over the items by value, and the total the buyer pays.
 * Order systems call it with their own prices: an amount that is not whole fen is refused by its rule (InvalidOrderError).
 */
export function priceOrder(items: readonly PricedItem[], freightFen = 0): PricedOrder {
  refuseUnpriceable(items, freightFen);
  const goodsFen = items.reduce((sum, i) => sum + i.quantity * i.unitPriceFen, 0);
  const tax = orderTax(
    items.map((i) => ({ valueFen: i.quantity * i.unitPriceFen, category: i.taxCategory })),
    freightFen,
  );
  return {
    goodsFen,
    freightFen,
    dutiableValueFen: tax.dutiableValueFen,
    items: tax.items.map((t) => ({ ...t, payableFen: t.dutiableValueFen + t.taxFen })),
    taxTotalFen: tax.taxTotalFen,
    totalFen: goodsFen + freightFen + tax.taxTotalFen,
  };
}

/** The amounts the tax can be computed from exactly: whole and safe, each line and their sum too. */
function refuseUnpriceable(items: readonly PricedItem[], freightFen: number) {
  const problems: string[] = [];
  items.forEach((i, n) => {
    if (!isWholeAmount(i.quantity)) problems.push(`${ITEM_QUANTITY}: items.${n}.quantity must be a whole number of units`);
    if (!isWholeAmount(i.unitPriceFen)) problems.push(`${AMOUNT_IN_FEN}: ${wholeFenReason(`items.${n}.unitPriceFen`)}`);
  });
  if (!isWholeAmount(freightFen)) problems.push(`${AMOUNT_IN_FEN}: ${wholeFenReason('freightFen')}`);
  if (problems.length === 0 && !Number.isSafeInteger(items.reduce((sum, i) => sum + i.quantity * i.unitPriceFen, freightFen))) {
    problems.push(`${AMOUNT_IN_FEN}: the goods and the freight come to more fen than can be counted exactly (${Number.MAX_SAFE_INTEGER})`);
  }
  if (problems.length) throw new InvalidOrderError(problems.join('; '));
}
