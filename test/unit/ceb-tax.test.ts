import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allocate,
  ANNUAL_LIMIT_FEN,
  combinedRateBp,
  isTaxCategory,
  itemTax,
  orderTax,
  retailImportLimits,
  TAX_CATEGORIES,
  TRANSACTION_LIMIT_FEN,
} from '../../domain/cross-border-tax';

// Retail-import tax: no tariff, 70% of the import VAT and consumption tax, per item, in fen.

describe('itemTax', () => {
  test('ordinary goods at 13% VAT pay 9.1%', () => {
    assert.deepEqual(itemTax(10_000, 'GENERAL'), { dutiableValueFen: 10_000, consumptionTaxFen: 0, vatFen: 910, taxFen: 910 });
    assert.equal(combinedRateBp('GENERAL'), 910);
  });

  test('goods at 9% VAT pay 6.3%', () => {
    assert.equal(itemTax(10_000, 'REDUCED_VAT').taxFen, 630);
    assert.equal(combinedRateBp('REDUCED_VAT'), 630);
  });

  test('high-end cosmetics: consumption tax on value / (1 − 15%), and VAT on the value with the full consumption tax', () => {
    // 100 CNY: consumption tax 100 / 0.85 × 15% × 70% = 12.3529 → 12.35; VAT 100 / 0.85 × 13% × 70% = 10.7059 → 10.71.
    assert.deepEqual(itemTax(10_000, 'HIGH_END_COSMETICS'), {
      dutiableValueFen: 10_000,
      consumptionTaxFen: 1235,
      vatFen: 1071,
      taxFen: 2306,
    });
    assert.equal(combinedRateBp('HIGH_END_COSMETICS'), 2306);
    assert.equal(combinedRateBp('HIGH_END_WATCHES'), 2888);
  });

  test('each tax is rounded half up to the fen', () => {
    // 5 fen × 9.1% = 0.455 fen → 0; 6 fen → 0.546 → 1; 50 fen → 4.55 → 5 (half up, not half even).
    assert.equal(itemTax(5, 'GENERAL').taxFen, 0);
    assert.equal(itemTax(6, 'GENERAL').taxFen, 1);
    assert.equal(itemTax(50, 'GENERAL').taxFen, 5);
    assert.equal(itemTax(150, 'GENERAL').taxFen, 14); // 13.65 → 14
    // The two taxes are rounded separately: 1 fen of cosmetics is 0.1235 + 0.1071 fen → 0 + 0.
    assert.equal(itemTax(1, 'HIGH_END_COSMETICS').taxFen, 0);
    assert.equal(itemTax(4, 'HIGH_END_COSMETICS').consumptionTaxFen, 0); // 0.494 → 0
    assert.equal(itemTax(5, 'HIGH_END_COSMETICS').consumptionTaxFen, 1); // 0.6176 → 1
  });

  test('large values stay exact (no floating point)', () => {
    assert.equal(itemTax(499_999, 'GENERAL').taxFen, 45_500); // 45,499.909 → 45,500
    assert.equal(itemTax(9_007_199_254_740_990, 'GENERAL').vatFen, 819_655_132_181_430); // exact: 819,655,132,181,430.09
  });

  test('a negative or fractional value is refused', () => {
    assert.throws(() => itemTax(-1, 'GENERAL'), RangeError);
    assert.throws(() => itemTax(10.5, 'GENERAL'), RangeError);
  });

  test('the categories are a closed table', () => {
    assert.ok(isTaxCategory('GENERAL'));
    assert.ok(!isTaxCategory('toString'));
    assert.ok(!isTaxCategory('FOOD'));
    assert.deepEqual(Object.keys(TAX_CATEGORIES).sort(), ['GENERAL', 'HIGH_END_COSMETICS', 'HIGH_END_WATCHES', 'JEWELLERY', 'REDUCED_VAT']);
  });
});

describe('orderTax', () => {
  test('freight is shared over the lines by value and taxed with each line; taxTotal is the sum of the lines', () => {
    const t = orderTax(
      [
        { valueFen: 10_000, category: 'GENERAL' },
        { valueFen: 5_000, category: 'HIGH_END_COSMETICS' },
      ],
      1_000,
    );
    assert.deepEqual(
      t.items.map((i) => i.dutiableValueFen),
      [10_667, 5_333],
    );
    assert.equal(t.dutiableValueFen, 16_000);
    assert.equal(t.items[0].taxFen, 971); // 10,667 × 9.1% = 970.697
    assert.equal(t.items[1].taxFen, 659 + 571);
    assert.equal(t.taxTotalFen, 971 + 1230);
  });

  test('an order without freight is the sum of its items', () => {
    const t = orderTax([
      { valueFen: 15_000, category: 'HIGH_END_COSMETICS' },
      { valueFen: 10_000, category: 'GENERAL' },
    ]);
    assert.equal(t.taxTotalFen, itemTax(15_000, 'HIGH_END_COSMETICS').taxFen + 910);
  });

  test('allocate shares a total exactly, the largest remainders first', () => {
    assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33]);
    assert.deepEqual(allocate(7, [3, 5]), [3, 4]);
    assert.deepEqual(allocate(10, [0, 0]), [5, 5]);
    assert.deepEqual(allocate(0, [5, 5]), [0, 0]);
    assert.deepEqual(allocate(5, []), []);
    for (const [total, weights] of [
      [999, [1, 2, 3, 4]],
      [1, [7, 7, 7]],
      [12_345, [100, 1, 99_999]],
    ] as const) {
      assert.equal(
        allocate(total, weights).reduce((a, b) => a + b, 0),
        total,
      );
    }
  });
});

describe('retailImportLimits', () => {
  test('within 5,000 a transaction and 26,000 a year: the preferential retail rates', () => {
    assert.deepEqual(retailImportLimits(TRANSACTION_LIMIT_FEN, ANNUAL_LIMIT_FEN - TRANSACTION_LIMIT_FEN, 3), {
      basis: 'RETAIL_PREFERENTIAL',
    });
  });

  test('over 5,000 with several items: not a retail import', () => {
    const v = retailImportLimits(TRANSACTION_LIMIT_FEN + 1, 0, 2);
    assert.equal(v.basis, 'NOT_RETAIL');
    assert.match((v as { rule: string }).rule, /transaction limit of 5,000 CNY/);
  });

  test('over 5,000 with a single item and within the year: retail import at the full tax', () => {
    assert.equal(retailImportLimits(600_000, 0, 1).basis, 'RETAIL_FULL_TAX');
  });

  test('over the annual 26,000 in any case: not a retail import', () => {
    const v = retailImportLimits(100, ANNUAL_LIMIT_FEN, 1);
    assert.equal(v.basis, 'NOT_RETAIL');
    assert.match((v as { rule: string }).rule, /annual limit of 26,000 CNY/);
  });
});
