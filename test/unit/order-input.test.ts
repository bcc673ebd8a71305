import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mainlandIdCheckDigit } from '../../domain/identity';
import { customsOrdersOf, orderProblems, parseOrder, type OrderInput } from '../../domain/order';
import { customsYear, formatCny } from '../../domain/limits';

const id = (first17: string) => first17 + mainlandIdCheckDigit(first17);

const valid = (): OrderInput => ({
  orderId: 'ORD-1',
  currency: 'CNY',
  totalFen: 30_000,
  items: [
    { sku: 'A', name: 'Vitamins', quantity: 2, unitPriceFen: 10_000 },
    { sku: 'B', name: 'Cream', quantity: 1, unitPriceFen: 10_000 },
  ],
  buyer: { fullName: '张三', certificateType: 'ID_CARD', certificateNo: id('11010519491231002') },
  customs: { district: 'Hangzhou', merchantCustomsCode: 'MC-1', merchantCustomsName: 'Merchant' },
  logistics: { carrier: 'SF', waybillNo: 'SF1' },
});

describe('order input rules: each error names its rule', () => {
  test('a valid order has no problems, and defaults apply', () => {
    assert.equal(orderProblems(valid()), null);
    const o = parseOrder(valid());
    assert.equal(o.realNameRequired, true);
    assert.equal(o.paymentExpiryMinutes, 30);
  });

  const broken: [string, (o: OrderInput) => void, RegExp][] = [
    [
      'SINGLE_TRANSACTION_LIMIT',
      (o) => ((o.totalFen = 500_001), (o.items = [{ sku: 'A', name: 'TV', quantity: 1, unitPriceFen: 500_001 }])),
      /SINGLE_TRANSACTION_LIMIT: 5,000\.01 CNY is more than the customs limit of 5,000\.00 CNY/,
    ],
    ['ITEMS_MATCH_TOTAL', (o) => (o.totalFen = 30_001), /ITEMS_MATCH_TOTAL: items add up to 300\.00 CNY, but the total is 300\.01 CNY/],
    ['CURRENCY_CNY', (o) => (o.currency = 'USD'), /CURRENCY_CNY: the buyer pays in CNY, not USD/],
    ['CUSTOMS_DISTRICT', (o) => (o.customs.district = '42'), /CUSTOMS_DISTRICT/],
    [
      'SPLIT_PARTS sum',
      (o) =>
        (o.splitParts = [
          { referenceOrderId: 'P1', amountFen: 10_000 },
          { referenceOrderId: 'P2', amountFen: 10_000 },
        ]),
      /SPLIT_PARTS: parts add up to 200\.00 CNY, but the total is 300\.00 CNY/,
    ],
    [
      'SPLIT_PARTS ids',
      (o) =>
        (o.splitParts = [
          { referenceOrderId: 'P1', amountFen: 15_000 },
          { referenceOrderId: 'P1', amountFen: 15_000 },
        ]),
      /SPLIT_PARTS: each part needs its own referenceOrderId/,
    ],
    [
      'SPLIT_PARTS count',
      (o) => (o.splitParts = [{ referenceOrderId: 'P1', amountFen: 30_000 }]),
      /SPLIT_PARTS: a split order has at least 2 parts/,
    ],
    [
      'at most 10 split parts',
      (o) => {
        o.totalFen = 1_100;
        o.items = [{ sku: 'A', name: 'Sample', quantity: 11, unitPriceFen: 100 }];
        o.splitParts = Array.from({ length: 11 }, (_, i) => ({ referenceOrderId: `P${i}`, amountFen: 100 }));
      },
      /splitParts: has at most 10 parts/,
    ],
    [
      'at most 100 items',
      (o) => {
        o.totalFen = 10_100;
        o.items = Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, name: 'Sample', quantity: 1, unitPriceFen: 100 }));
      },
      /items: lists at most 100 items/,
    ],
    ['BUYER_ID_NUMBER', (o) => (o.buyer.certificateNo = '110105194912310020'), /BUYER_ID_NUMBER: the ID number has a wrong check digit/],
  ];
  for (const [name, breakIt, message] of broken) {
    test(`${name}`, () => {
      const o = valid();
      breakIt(o);
      assert.match(orderProblems(o) ?? '', message);
      assert.throws(() => parseOrder(o), message);
    });
  }

  test('a split part without its referenceOrderId is refused', () => {
    // What an order system might send: the input type does not allow it, so it goes in as unknown.
    const o: unknown = { ...valid(), splitParts: [{ amountFen: 15_000 }, { referenceOrderId: 'P2', amountFen: 15_000 }] };
    assert.match(orderProblems(o) ?? '', /splitParts\.0\.referenceOrderId/);
  });

  test('the ID check applies only where real-name authentication does', () => {
    const o = valid();
    o.buyer.certificateNo = '110105194912310020';
    o.realNameRequired = false;
    assert.equal(orderProblems(o), null);
  });

  test('any district outside the table is declared to ZONGSHU; table districts keep their code', () => {
    assert.equal(customsOrdersOf(parseOrder(valid())).length, 1);
    const split = valid();
    split.splitParts = [
      { referenceOrderId: 'P1', amountFen: 20_000 },
      { referenceOrderId: 'P2', amountFen: 10_000 },
    ];
    assert.deepEqual(
      customsOrdersOf(parseOrder(split)).map((c) => [c.customsOrderId, c.declarationId, c.amountFen, c.isSplit]),
      [
        ['P1', 'ORD-1-D1', 20_000, true],
        ['P2', 'ORD-1-D2', 10_000, true],
      ],
    );
  });
});

test('money is shown in CNY from whole fen', () => {
  assert.equal(formatCny(2_600_000), '26,000.00 CNY');
  assert.equal(formatCny(5), '0.05 CNY');
});

test('the customs year is counted in China Standard Time', () => {
  assert.equal(customsYear(Date.parse('2026-12-31T15:59:59Z')), 2026);
  assert.equal(customsYear(Date.parse('2026-12-31T16:00:00Z')), 2027);
});
