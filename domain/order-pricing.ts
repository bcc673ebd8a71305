import { orderTax, type ItemTax, type TaxCategory } from './cross-border-tax';

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

/** Prices an order: the tax per item, the freight shared over the items by value, and the total the buyer pays. */
export function priceOrder(items: readonly PricedItem[], freightFen = 0): PricedOrder {
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
