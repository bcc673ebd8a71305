import { allocate } from './cross-border-tax';
import { orderTaxOf, type ReturnedUnits } from './order';
import { partShares, type PricedParts } from './order-parts';

// What goods returned through customs (CEB625) are worth, for exact-money orders: to the buyer, the goods
// and their tax; to the buyer's annual quota, their dutiable value (goods and freight share). A customs order
// is the whole order or one split part, whose lines carry the part's shares as eport/filings.ts files them
// (filingAmounts, lineOf). Values are cumulative per line: a return is worth (units returned so far with it)
// minus (units returned before), each rounded down, so a line's returns add up to exactly what it was worth.

/** One line of a customs order, as its inventory list (CEB621) declares it. */
export interface ReturnableLine {
  sku: string;
  /** The units the list declares for the line: what returns of it are counted in. */
  units: number;
  /** Goods and tax the buyer paid for the line (freight is not refunded by a return). */
  paidFen: number;
  /** The line's dutiable value, goods and freight share: what returning all of it gives back of the quota. */
  quotaFen: number;
}

/** A split part: its index among the order's parts and what was paid (declared) for it. */
export interface ReturnPart {
  index: number;
  amountFen: number;
}

type Priced = PricedParts;

/** The lines of the whole order, or of one split part. */
export function returnableLines(order: Priced, part?: ReturnPart): ReturnableLine[] {
  const values = order.items.map((i) => i.unitPriceFen * i.quantity);
  const freight = order.freightFen ?? 0;
  const taxes = orderTaxOf(order).items.map((t) => t.taxFen);
  if (!part) {
    const freightShares = allocate(freight, values);
    return order.items.map((i, n) => ({
      sku: i.sku,
      units: i.quantity,
      paidFen: values[n] + taxes[n],
      quotaFen: values[n] + freightShares[n],
    }));
  }
  // As filingAmounts shares them: goods and freight by the parts' amounts, the tax takes what is left of the part.
  const { goodsFen: goods, freightFen: partFreight } = partShares(order)[part.index];
  const tax = Math.max(0, part.amountFen - goods - partFreight);
  const lineValues = allocate(goods, values);
  const lineTaxes = allocate(tax, taxes);
  const lineFreight = allocate(partFreight, values);
  return order.items.map((i, n) => ({
    sku: i.sku,
    // lineOf: the item's quantity when the share divides by it, else one unit priced at the share.
    units: lineValues[n] % i.quantity === 0 ? i.quantity : 1,
    paidFen: lineValues[n] + lineTaxes[n],
    quotaFen: lineValues[n] + lineFreight[n],
  }));
}

/** Units returned per line (the first line of each sku, as the return's filing names it). */
function unitsByLine(lines: readonly ReturnableLine[], returned: readonly ReturnedUnits[]): number[] {
  const units = lines.map(() => 0);
  for (const r of returned) {
    const n = lines.findIndex((l) => l.sku === r.sku);
    if (n < 0 || !Number.isInteger(r.quantity) || r.quantity <= 0) throw new RangeError(`no line of ${r.sku} to return ${r.quantity} of`);
    units[n] += r.quantity;
    if (units[n] > lines[n].units) throw new RangeError(`${r.sku}: ${units[n]} units returned of ${lines[n].units}`);
  }
  return units;
}

const valueOf = (total: number, units: number, of: number) => Math.floor((total * units) / of);

/** What `returned` is worth after `earlier` returns of the same customs order: refund and quota, in fen. */
export function returnWorth(
  lines: readonly ReturnableLine[],
  returned: readonly ReturnedUnits[],
  earlier: readonly ReturnedUnits[] = [],
): { refundFen: number; quotaFen: number } {
  const before = unitsByLine(lines, earlier);
  const after = unitsByLine(lines, [...earlier, ...returned]);
  let refundFen = 0;
  let quotaFen = 0;
  lines.forEach((l, n) => {
    refundFen += valueOf(l.paidFen, after[n], l.units) - valueOf(l.paidFen, before[n], l.units);
    quotaFen += valueOf(l.quotaFen, after[n], l.units) - valueOf(l.quotaFen, before[n], l.units);
  });
  return { refundFen, quotaFen };
}
