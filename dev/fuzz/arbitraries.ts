import fc from 'fast-check';
import { mainlandIdCheckDigit } from '../../domain/identity';
import { MAX_ORDER_FEN } from '../../domain/limits';
import { TAX_CATEGORIES, type TaxCategory } from '../../domain/cross-border-tax';
import type { OrderInput } from '../../domain/order';
import { priceOrder } from '../../domain/order-pricing';

// Generated input: valid orders and notifications to start from, and the hostile values mutations put in.

/** Values that break types and limits: wrong types, huge and odd numbers, unicode, control characters. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    true,
    false,
    0,
    -1,
    1.5,
    -0.01,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    NaN,
    Infinity,
    -Infinity,
    '',
    ' ',
    '\t\n',
    '0',
    '-1',
    '1e3',
    '99999999999999999999999999',
    '１２３', // full-width digits
    '\u0000',
    '\u202e\u200b',
    '𝒳😀',
    '张三',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '${7*7}',
    '__proto__',
    'x'.repeat(300),
    'é'.repeat(5000),
    [],
    {},
    [null],
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  ),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => n.toString()),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Mostly `usual`, sometimes one of the others: most cases get past the first checks. */
export const mostly = <T>(usual: T, ...others: T[]) =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });

/** A JSON body of any shape, small. */
export const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Where a mutation applies, and what it does there. */
export type Mutation =
  { at: number; op: 'delete' } | { at: number; op: 'set'; value: unknown } | { op: 'extra'; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), op: fc.constant('delete' as const) }) },
  { weight: 5, arbitrary: fc.record({ at: fc.nat(), op: fc.constant('set' as const), value: hostileValue }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('extra' as const),
      key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'notifyType', 'x')),
      value: fc.oneof(
        hostileValue,
        fc.nat({ max: 200_000 }).map((n) => 'y'.repeat(n)),
      ),
    }),
  },
);

/** Every path to a field or an element of a JSON-like value: the places a mutation can hit. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: (string | number)[][] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(p, ...pathsOf(v, p));
  }
  return out;
}

/** A deep copy with the mutations applied, in order. */
export function mutate<T>(value: T, mutations: readonly Mutation[]): unknown {
  const root: { v: unknown } = { v: structuredClone(value) };
  for (const m of mutations) {
    if (m.op === 'extra') {
      if (root.v && typeof root.v === 'object')
        Object.defineProperty(root.v, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const paths = pathsOf(root.v);
    if (paths.length === 0) continue;
    const path = paths[m.at % paths.length];
    let parent = root.v as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      Object.defineProperty(parent, last, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return root.v;
}

/** A valid GB 11643 ID number from its region, birth date and sequence. */
export function mainlandId(region: string, birth: Date, seq: number) {
  const first17 = `${region}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
  return first17 + mainlandIdCheckDigit(first17);
}

/** A few buyers, so that some of them reach the yearly quota. */
export const BUYER_IDS = Array.from({ length: 12 }, (_, i) => mainlandId('110105', new Date(Date.UTC(1960 + i, i, 1 + i)), 100 + i));

const item = fc.record({
  sku: fc.stringMatching(/^[A-Z0-9-]{1,20}$/),
  name: fc.oneof(fc.constantFrom('Milk powder', '奶粉 900g', 'Vitamin C'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })),
  quantity: fc.integer({ min: 1, max: 5 }),
  unitPriceFen: fc.integer({ min: 1, max: 150_000 }),
  // The customs fields every item of an order filed on the CEB messages names.
  taxCategory: fc.constantFrom(...(Object.keys(TAX_CATEGORIES) as TaxCategory[])),
  hsCode: fc.constantFrom('1901101000', '3304990099', '2106909090', '0902109000'),
  originCountry: fc.constantFrom('116', '601', '502', '304'),
  unit: fc.constantFrom('007', '122', '140'),
});

/** A valid order (by every rule but the totals, which it may pass); its orderId is set by the caller. */
export const validOrder: fc.Arbitrary<OrderInput> = fc
  .record({
    items: fc.array(item, { minLength: 1, maxLength: 3 }),
    buyer: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(...BUYER_IDS).map((certificateNo) => ({ certificateType: 'ID_CARD' as const, certificateNo })),
      },
      {
        weight: 1,
        arbitrary: fc.stringMatching(/^E[0-9]{8}$/).map((certificateNo) => ({ certificateType: 'PASSPORT' as const, certificateNo })),
      },
    ),
    fullName: fc.constantFrom('张三', '李四', 'Wang Wu'),
    district: fc.constantFrom('ZONGSHU', 'ZHENGZHOU', 'NINGBO', 'SHANGHAI_CBT', 'Hangzhou'),
    terminal: fc.constantFrom<OrderInput['terminal']>(
      undefined,
      { terminalType: 'WEB' },
      { terminalType: 'WAP' },
      { terminalType: 'APP', osType: 'ANDROID' },
      { terminalType: 'APP', osType: 'IOS' },
    ),
    split: fc.boolean(),
    paymentExpiryMinutes: fc.option(fc.integer({ min: 1, max: 7 * 24 * 60 }), { nil: undefined }),
    freightFen: fc.integer({ min: 0, max: 3_000 }),
  })
  .map((g) => {
    // What the buyer pays: goods, freight and the retail-import tax.
    const { totalFen } = priceOrder(g.items, g.freightFen);
    const order: OrderInput = {
      orderId: 'set-by-caller',
      currency: 'CNY',
      totalFen,
      items: g.items,
      freightFen: g.freightFen,
      buyer: { fullName: g.fullName, ...g.buyer },
      customs: { district: g.district, merchantCustomsCode: 'MC-FUZZ', merchantCustomsName: 'Fuzz Merchant Ltd' },
      logistics: { carrier: 'SF Express', waybillNo: 'SF-FUZZ-1', carrierCustomsCode: '3301980101' },
      consignee: { name: g.fullName, telephone: '13800000000', address: '北京市朝阳区测试路1号' },
      ...(g.terminal && { terminal: g.terminal }),
      ...(g.paymentExpiryMinutes !== undefined && { paymentExpiryMinutes: g.paymentExpiryMinutes }),
    };
    if (g.split && totalFen >= 2) {
      const first = Math.floor(totalFen / 2);
      order.splitParts = [
        { referenceOrderId: 'set-by-caller-P1', amountFen: first },
        { referenceOrderId: 'set-by-caller-P2', amountFen: totalFen - first },
      ];
    }
    return order;
  });

/** An order as an order system might send it: mostly valid ones changed in a few places. */
export const orderInput = fc.record({
  order: validOrder,
  mutations: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 6, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
  ),
});

/** Sets the generated order's ids to this case's, so no two cases share an order. */
export function withOrderId(order: OrderInput, orderId: string): OrderInput {
  return {
    ...order,
    orderId,
    ...(order.splitParts && { splitParts: order.splitParts.map((p, i) => ({ ...p, referenceOrderId: `${orderId}-P${i + 1}` })) }),
  };
}

export { MAX_ORDER_FEN };
