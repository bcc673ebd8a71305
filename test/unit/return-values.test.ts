import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TAX_CATEGORIES, type TaxCategory } from '../../domain/cross-border-tax';
import { dutiableValueFen, orderTaxOf, returnedQuotaFen, type Order, type ReturnedUnits } from '../../domain/order';
import { priceOrder } from '../../domain/order-pricing';
import { returnWorth, returnableLines, type ReturnableLine } from '../../domain/return-values';
import { partShares } from '../../domain/order-parts';
import { filingAmounts } from '../../eport/filings';
import { customsFiling } from '../support/ceb-filings';

// Returns of exact-money orders (issue 23, findings 8 and the split part): a line's returns add up to exactly
// what was paid for it, whatever the order they come in; a split part's lines are its shares as eport/filings.ts
// files them; every part returned adds up to the goods and tax paid and to the full quota.

const FC = { seed: 20261207, numRuns: 300 };
const CATEGORIES = Object.keys(TAX_CATEGORIES) as TaxCategory[];

const item = fc.record({
  quantity: fc.integer({ min: 1, max: 7 }),
  unitPriceFen: fc.integer({ min: 1, max: 60_000 }),
  taxCategory: fc.constantFrom(...CATEGORIES),
});

/** An order of 1 to 4 lines, priced as checkout prices it, and split (when it has 2 lines or more) by groups of lines. */
const order = fc
  .record({ items: fc.array(item, { minLength: 1, maxLength: 4 }), freightFen: fc.integer({ min: 0, max: 5_000 }), split: fc.boolean() })
  .map(({ items, freightFen, split }) => {
    const full = items.map((i, n) => ({ ...i, sku: `SKU-${n}`, name: `item ${n}` }));
    const priced = priceOrder(full, freightFen);
    const base: Order = { ...customsFiling('ORD-PROP', 'PAY-1').order, items: full, freightFen, totalFen: priced.totalFen };
    if (!split || full.length < 2) return base;
    const payable = priced.items.map((t) => t.payableFen);
    const cut = Math.ceil(full.length / 2);
    const parts = [payable.slice(0, cut), payable.slice(cut)].map((p, n) => ({
      referenceOrderId: `PART-${n}`,
      amountFen: p.reduce((a, b) => a + b, 0),
    }));
    return { ...base, splitParts: parts };
  });

const partsOf = (o: Order) => (o.splitParts ? o.splitParts.map((p, index) => ({ index, amountFen: p.amountFen })) : [undefined]);

/** The units of every line, returned one at a time in the order `pick` says. */
function oneByOne(lines: readonly ReturnableLine[], pick: number[]): ReturnedUnits[] {
  const left = lines.map((l) => l.units);
  const out: ReturnedUnits[] = [];
  for (let k = 0; left.some((u) => u > 0); k++) {
    const open = left.flatMap((u, n) => (u > 0 ? [n] : []));
    const n = open[(pick[k % pick.length] ?? 0) % open.length];
    left[n] -= 1;
    out.push({ sku: lines[n].sku, quantity: 1 });
  }
  return out;
}

/** Each return's worth after the ones before it. */
function worthOfEach(lines: readonly ReturnableLine[], returns: ReturnedUnits[][]) {
  const earlier: ReturnedUnits[] = [];
  return returns.map((r) => {
    const w = returnWorth(lines, r, earlier);
    earlier.push(...r);
    return w;
  });
}

test('a whole order: the lines are worth the goods and tax paid and the dutiable value, as checkout priced them', () => {
  fc.assert(
    fc.property(order, (o) => {
      const lines = returnableLines(o);
      const tax = orderTaxOf(o).taxTotalFen;
      assert.equal(
        lines.reduce((s, l) => s + l.paidFen, 0),
        o.totalFen - (o.freightFen ?? 0),
      );
      assert.equal(
        lines.reduce((s, l) => s + l.quotaFen, 0),
        dutiableValueFen(o),
      );
      assert.equal(o.totalFen, dutiableValueFen(o) + tax);
    }),
    FC,
  );
});

test('returned one unit at a time in any order, every customs order gives back exactly what it was worth; a unit never less than 0', () => {
  fc.assert(
    fc.property(order, fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), (o, pick) => {
      let refund = 0;
      let quota = 0;
      for (const part of partsOf(o)) {
        const lines = returnableLines(o, part);
        const each = worthOfEach(
          lines,
          oneByOne(lines, pick).map((u) => [u]),
        );
        for (const w of each) assert.ok(w.refundFen >= 0 && w.quotaFen >= 0, JSON.stringify(w));
        refund += each.reduce((s, w) => s + w.refundFen, 0);
        quota += each.reduce((s, w) => s + w.quotaFen, 0);
      }
      assert.equal(refund, o.totalFen - (o.freightFen ?? 0), 'the goods and tax paid, to the fen');
      assert.equal(quota, dutiableValueFen(o), 'the full quota');
    }),
    FC,
  );
});

test("a split part's lines are the shares eport/filings.ts files for it: goods, tax, freight and the declared quantities", () => {
  fc.assert(
    fc.property(
      order.filter((o) => o.splitParts !== undefined),
      (o) => {
        for (const part of partsOf(o)) {
          const filing = customsFiling('PART', 'PAY-1', { order: o, part: { ...part!, of: o.splitParts!.length } });
          let filed: ReturnType<typeof filingAmounts>;
          try {
            filed = filingAmounts(filing);
          } catch {
            return; // a split the filing refuses is never released, so never returned
          }
          const lines = returnableLines(o, part);
          assert.equal(
            lines.reduce((s, l) => s + l.paidFen, 0),
            filed.goodsValue + filed.taxTotal,
          );
          assert.equal(
            lines.reduce((s, l) => s + l.quotaFen, 0),
            filed.goodsValue + filed.freight,
          );
          lines.forEach((l, n) => {
            const value = filed.lineValues[n];
            assert.equal(l.units, value % o.items[n].quantity === 0 ? o.items[n].quantity : 1, `line ${n} of ${value} fen`);
          });
        }
      },
    ),
    FC,
  );
});

test("a whole order's quota given back is what returnedQuotaFen counts, return by return", () => {
  fc.assert(
    fc.property(
      order.filter((o) => o.splitParts === undefined),
      fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
      (o, pick) => {
        const lines = returnableLines(o);
        const units = oneByOne(lines, pick);
        const earlier: ReturnedUnits[] = [];
        for (const u of units) {
          assert.equal(returnWorth(lines, [u], earlier).quotaFen, returnedQuotaFen(o, [u], earlier));
          earlier.push(u);
        }
      },
    ),
    FC,
  );
});

test('the example of the issue: two tins returned one by one refund 21,756 and 21,757 fen, the 43,513 paid for them', () => {
  const tin = { sku: 'MILK-900', name: 'tin', quantity: 2, unitPriceFen: 19_900, taxCategory: 'GENERAL' as const };
  const o: Order = { ...customsFiling('ORD-TINS', 'PAY-1').order, items: [tin], freightFen: 1_000, totalFen: 44_513 };
  const lines = returnableLines(o);
  const each = worthOfEach(lines, [[{ sku: tin.sku, quantity: 1 }], [{ sku: tin.sku, quantity: 1 }]]);
  assert.deepEqual(
    each.map((w) => w.refundFen),
    [21_756, 21_757],
  );
  assert.throws(() => returnWorth(lines, [{ sku: tin.sku, quantity: 3 }]), /3 units returned of 2/);
});

test("each customs order's value (domain/order-parts.ts): the parts add up to the order, and each is what its filing declares", () => {
  fc.assert(
    fc.property(order, (o) => {
      const parts = partShares(o);
      assert.equal(
        parts.reduce((s, p) => s + p.paidFen, 0),
        o.totalFen,
      );
      assert.equal(
        parts.reduce((s, p) => s + p.dutiableFen, 0),
        dutiableValueFen(o),
        'the quota the parts count is the order’s',
      );
      for (const [index, p] of parts.entries()) {
        assert.equal(p.goodsFen + p.freightFen + p.taxFen, p.paidFen);
        if (!o.splitParts) continue;
        const filing = customsFiling('PART', 'PAY-1', { order: o, part: { index, amountFen: p.paidFen, of: parts.length } });
        let filed: ReturnType<typeof filingAmounts>;
        try {
          filed = filingAmounts(filing);
        } catch {
          continue; // a split the filing refuses is never filed
        }
        assert.deepEqual([p.goodsFen, p.freightFen], [filed.goodsValue, filed.freight]);
      }
    }),
    FC,
  );
});
