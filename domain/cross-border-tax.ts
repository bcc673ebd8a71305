// Import tax on cross-border e-commerce retail imports (跨境电子商务零售进口税收政策), pure and in fen.
//
// 财关税〔2016〕18号: within the limits, the tariff rate is 0 and the import VAT and consumption tax are
// levied at 70% of the statutory amount; the dutiable value is the actual transaction price, including
// the goods' retail price, freight and insurance. 财关税〔2018〕49号 (from 2019-01-01) raised the limits
// to 5,000 CNY a transaction and 26,000 CNY a person a year. docs/customs.md, "Tax", cites both.
//
// Import consumption tax is ad valorem on the composite value: value / (1 − consumption rate). So,
// with tariff 0, for a dutiable value V, VAT rate v and consumption tax rate c:
//   consumption tax = V / (1 − c) × c × 70%
//   VAT             = V / (1 − c) × v × 70%      (the VAT base includes the full consumption tax)
// Each tax is rounded half up to the fen on each item, then the item's taxes are added up.

/** Rates in basis points (1300 = 13%). */
export interface TaxRates {
  vatBp: number;
  consumptionBp: number;
}

export const TAX_CATEGORIES = {
  /** Most goods: 13% VAT, no consumption tax; 9.1% in all. */
  GENERAL: { vatBp: 1300, consumptionBp: 0 },
  /** Goods at the 9% VAT rate (for example books and some foods); 6.3% in all. */
  REDUCED_VAT: { vatBp: 900, consumptionBp: 0 },
  /** High-end cosmetics (高档化妆品): 13% VAT and 15% consumption tax; about 23.06% in all. */
  HIGH_END_COSMETICS: { vatBp: 1300, consumptionBp: 1500 },
  /** Precious jewellery and jade (贵重首饰及珠宝玉石): 13% VAT and 10% consumption tax; about 17.89% in all. */
  JEWELLERY: { vatBp: 1300, consumptionBp: 1000 },
  /** High-end watches (高档手表): 13% VAT and 20% consumption tax; about 28.88% in all. */
  HIGH_END_WATCHES: { vatBp: 1300, consumptionBp: 2000 },
} as const satisfies Record<string, TaxRates>;

export type TaxCategory = keyof typeof TAX_CATEGORIES;

/** The share of the statutory VAT and consumption tax levied within the limits: 70%. */
export const RETAIL_IMPORT_TAX_SHARE_BP = 7000;

/** 5,000 CNY: the limit of one transaction's dutiable value. */
export const TRANSACTION_LIMIT_FEN = 500_000;
/** 26,000 CNY: the limit of one person's transactions in a calendar year. */
export const ANNUAL_LIMIT_FEN = 2_600_000;

export function isTaxCategory(value: string): value is TaxCategory {
  return Object.prototype.hasOwnProperty.call(TAX_CATEGORIES, value);
}

export interface ItemTax {
  dutiableValueFen: number;
  consumptionTaxFen: number;
  vatFen: number;
  /** consumptionTaxFen + vatFen: the item's share of the order's taxTotal. */
  taxFen: number;
}

const BP = 10_000n;

/** numerator / denominator rounded half up, for non-negative values. */
function roundHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((numerator * 2n + denominator) / (2n * denominator));
}

/** The retail-import tax of one item whose dutiable value (goods, freight and insurance) is given in fen. */
export function itemTax(dutiableValueFen: number, category: TaxCategory): ItemTax {
  if (!Number.isSafeInteger(dutiableValueFen) || dutiableValueFen < 0)
    throw new RangeError('dutiable value must be whole fen, not negative');
  const { vatBp, consumptionBp } = TAX_CATEGORIES[category];
  const value = BigInt(dutiableValueFen);
  const denominator = (BP - BigInt(consumptionBp)) * BP; // (1 − c) and the 70% share, both in basis points
  const consumptionTaxFen = roundHalfUp(value * BigInt(consumptionBp) * BigInt(RETAIL_IMPORT_TAX_SHARE_BP), denominator);
  const vatFen = roundHalfUp(value * BigInt(vatBp) * BigInt(RETAIL_IMPORT_TAX_SHARE_BP), denominator);
  return { dutiableValueFen, consumptionTaxFen, vatFen, taxFen: consumptionTaxFen + vatFen };
}

/** The combined rate of a category in basis points, rounded, for display (910 = 9.1%). */
export function combinedRateBp(category: TaxCategory): number {
  const { vatBp, consumptionBp } = TAX_CATEGORIES[category];
  return Math.round(((vatBp + consumptionBp) * RETAIL_IMPORT_TAX_SHARE_BP) / (10_000 - consumptionBp));
}

export interface TaxableLine {
  /** The line's goods value (price × quantity) in fen. */
  valueFen: number;
  category: TaxCategory;
}

export interface OrderTax {
  items: ItemTax[];
  /** The order's taxTotal (CEB311 taxTotal), in fen. */
  taxTotalFen: number;
  /** The transaction's dutiable value: goods, freight and insurance. */
  dutiableValueFen: number;
}

/**
 * The tax of an order: freight and insurance are shared out over the lines in proportion to their
 * value (largest remainder, so the shares add up to the whole), each line is taxed by its category,
 * and taxTotal is the sum of the lines' taxes.
 */
export function orderTax(lines: readonly TaxableLine[], freightFen = 0, insuranceFen = 0): OrderTax {
  const extras = allocate(
    freightFen + insuranceFen,
    lines.map((l) => l.valueFen),
  );
  const items = lines.map((line, i) => itemTax(line.valueFen + extras[i], line.category));
  return {
    items,
    taxTotalFen: items.reduce((sum, t) => sum + t.taxFen, 0),
    dutiableValueFen: items.reduce((sum, t) => sum + t.dutiableValueFen, 0),
  };
}

/** Shares `total` in proportion to `weights` with the largest-remainder method; equal shares when all weights are 0. */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0);
  const w = sum === 0 ? weights.map(() => 1) : weights;
  const wSum = BigInt(sum === 0 ? weights.length : sum);
  const exact = w.map((x) => BigInt(total) * BigInt(x));
  const shares = exact.map((e) => Number(e / wSum));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e % wSum })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    shares[i]++;
  }
  return shares;
}

export type LimitVerdict =
  | { basis: 'RETAIL_PREFERENTIAL' }
  /** Over 5,000 but a single indivisible item and within the annual limit: retail import at the full general-trade tax (49号). */
  | { basis: 'RETAIL_FULL_TAX'; rule: string }
  | { basis: 'NOT_RETAIL'; rule: string };

/**
 * Which tax basis a transaction falls under. `dutiableValueFen` is the transaction's dutiable value
 * (goods, freight and insurance, without the tax); `annualUsedFen` what the person's earlier
 * transactions of the calendar year already count; `itemCount` the number of goods (units) in it.
 */
export function retailImportLimits(dutiableValueFen: number, annualUsedFen: number, itemCount: number): LimitVerdict {
  if (annualUsedFen + dutiableValueFen > ANNUAL_LIMIT_FEN) {
    return {
      basis: 'NOT_RETAIL',
      rule: 'the annual limit of 26,000 CNY a person would be exceeded (财关税〔2018〕49号): general trade applies',
    };
  }
  if (dutiableValueFen <= TRANSACTION_LIMIT_FEN) return { basis: 'RETAIL_PREFERENTIAL' };
  if (itemCount === 1) {
    return {
      basis: 'RETAIL_FULL_TAX',
      rule: 'over the 5,000 CNY transaction limit with a single item: full tariff, VAT and consumption tax, counted in the annual total (财关税〔2018〕49号)',
    };
  }
  return { basis: 'NOT_RETAIL', rule: 'the transaction limit of 5,000 CNY would be exceeded (财关税〔2018〕49号): general trade applies' };
}
