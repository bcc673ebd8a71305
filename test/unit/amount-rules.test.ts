import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { CommanderError } from 'commander';
import { amount } from '../../alipay-plus/fields';
import { buildCli } from '../../cli/main';
import { mainlandIdCheckDigit } from '../../domain/identity';
import { InvalidOrderError, orderInputSchema, orderProblems, parseOrder, type OrderInput } from '../../domain/order';
import type { QuotaState } from '../../domain/quota-api';
import { priceOrder } from '../../domain/order-pricing';
import { money } from '../../eport/ceb/fields';
import { refuseGoodsReturn } from '../../workflows/order/customs-validators';
import { newCustomsOrder } from '../../workflows/order/customs-receipts';
import { refuseNotification, refuseRefundNotification } from '../../workflows/order/notification-validators';
import type { OrderState } from '../../workflows/order/state';
import { refuseCorrection, refuseRefund } from '../../workflows/order/validators';
import { quotaRules } from '../../workflows/quota-rules';

// Every amount that comes in from outside (fen, a quantity) is refused when it is negative, fractional, NaN,
// infinite or past the safe integers, by the rule it breaks: never let through, never refused by a bare error
// from deep inside (a RangeError of the tax, a TypeError), nor by some later rule that happens to catch it.

/** The values no amount may take, and what a JSON payload turns some of them into (NaN and Infinity become null). */
const BAD: [string, unknown][] = [
  ['negative', -1],
  ['a negative fraction', -0.01],
  ['a fraction', 0.5],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['past the safe integers', 2 ** 53],
  ['1e308', 1e308],
  ['null', null],
  ['a string', '100'],
];

/** The rule an error names: an ApplicationFailure's type, a commander code, or the first rule of an invalid order. */
function ruleOf(error: unknown): string {
  if (error instanceof ApplicationFailure && error.type && error.message.startsWith(`${error.type}`)) return error.type;
  if (error instanceof CommanderError) return /^error: .*?([A-Z][A-Z0-9_]{2,}): /.exec(error.message)?.[1] ?? error.code;
  if (error instanceof InvalidOrderError) return /^([A-Z][A-Z0-9_]{2,}): /.exec(error.message)?.[1] ?? `unnamed: ${error.message}`;
  return `bare ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

function refusedBy(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return ruleOf(error);
  }
  return 'accepted';
}

const id = (first17: string) => first17 + mainlandIdCheckDigit(first17);
const items = () =>
  [
    {
      sku: 'A',
      name: 'Vitamins',
      quantity: 2,
      unitPriceFen: 10_000,
      taxCategory: 'GENERAL',
      hsCode: '2106909090',
      originCountry: '601',
      unit: '007',
    },
    {
      sku: 'B',
      name: 'Cream',
      quantity: 1,
      unitPriceFen: 10_000,
      taxCategory: 'GENERAL',
      hsCode: '3304990099',
      originCountry: '116',
      unit: '007',
    },
  ] satisfies OrderInput['items'];

/** A valid order filed on the CEB messages, split in two parts. */
function cebOrder(): OrderInput {
  const total = priceOrder(items(), 1_000).totalFen;
  return {
    orderId: 'ORD-1',
    currency: 'CNY',
    totalFen: total,
    items: items(),
    freightFen: 1_000,
    splitParts: [
      { referenceOrderId: 'P1', amountFen: total - 100 },
      { referenceOrderId: 'P2', amountFen: 100 },
    ],
    buyer: { fullName: '张三', certificateType: 'ID_CARD', certificateNo: id('11010519491231002') },
    customs: { district: 'ZONGSHU', merchantCustomsCode: 'MC-1', merchantCustomsName: 'Merchant' },
    logistics: { carrier: 'SF', waybillNo: 'SF1', carrierCustomsCode: '3301980001' },
    consignee: { name: '张三', telephone: '13800000000', address: '浙江省杭州市西湖区' },
  };
}

/** Each amount of the order input, its path in the problems, and the rule that refuses it. */
const ORDER_FIELDS: [string, string, (o: Record<string, unknown> & OrderInput, v: unknown) => void][] = [
  ['AMOUNT_IN_FEN', 'totalFen', (o, v) => (o.totalFen = v as number)],
  ['AMOUNT_IN_FEN', 'freightFen', (o, v) => (o.freightFen = v as number)],
  ['AMOUNT_IN_FEN', 'items.0.unitPriceFen', (o, v) => (o.items[0].unitPriceFen = v as number)],
  ['ITEM_QUANTITY', 'items.1.quantity', (o, v) => (o.items[1].quantity = v as number)],
  ['AMOUNT_IN_FEN', 'splitParts.1.amountFen', (o, v) => (o.splitParts![1].amountFen = v as number)],
];

describe('the order input refuses every bad amount by its rule, naming the field', () => {
  assert.equal(orderProblems(cebOrder(), { customsMessages: true }), null, 'the order is valid to start with');
  for (const customsMessages of [true, false]) {
    for (const [rule, path, set] of ORDER_FIELDS) {
      for (const [what, value] of BAD) {
        test(`${path} ${what} (${customsMessages ? 'CEB rules' : 'old rules'})`, () => {
          const o = cebOrder() as Record<string, unknown> & OrderInput;
          set(o, value);
          const problems = orderProblems(o, { customsMessages }); // throws nothing: a throw fails the test
          assert.ok(problems, 'refused');
          const each = problems.split('; ');
          assert.ok(
            each.some((p) => p.startsWith(`${rule}: ${path} `)),
            `no "${rule}: ${path} ..." among: ${problems}`,
          );
          for (const p of each) assert.match(p, /^[A-Z][A-Z0-9_]{2,}: /, `a problem names no rule: ${p}`);
          assert.equal(
            refusedBy(() => parseOrder(o, { customsMessages })),
            rule,
          );
          assert.doesNotThrow(() => orderInputSchema.safeParse(o), 'the schema the workflow parses with refuses it too, without throwing');
          assert.equal(orderInputSchema.safeParse(o).success, false);
        });
      }
    }
  }
});

test('whole amounts whose goods add up past the safe integers are refused too, not let through unlimited', () => {
  const o = cebOrder();
  delete o.splitParts;
  o.items = items().map((i) => ({ ...i, quantity: 2, unitPriceFen: 2 ** 52 }));
  o.totalFen = 100;
  for (const customsMessages of [true, false]) {
    assert.match(orderProblems(o, { customsMessages }) ?? 'accepted', /^AMOUNT_IN_FEN: the goods and the freight come to more fen/);
  }
  assert.equal(
    refusedBy(() => priceOrder(items().map((i) => ({ ...i, quantity: 2, unitPriceFen: 2 ** 52 })))),
    'AMOUNT_IN_FEN',
  );
});

describe('priceOrder, which order systems call, refuses every bad amount by its rule', () => {
  const PRICE_FIELDS: [string, string, (v: unknown) => () => unknown][] = [
    ['ITEM_QUANTITY', 'quantity', (v) => () => priceOrder([{ quantity: v as number, unitPriceFen: 100, taxCategory: 'GENERAL' }])],
    ['AMOUNT_IN_FEN', 'unitPriceFen', (v) => () => priceOrder([{ quantity: 1, unitPriceFen: v as number, taxCategory: 'GENERAL' }])],
    ['AMOUNT_IN_FEN', 'freightFen', (v) => () => priceOrder([{ quantity: 1, unitPriceFen: 100, taxCategory: 'GENERAL' }], v as number)],
  ];
  for (const [rule, field, call] of PRICE_FIELDS) {
    for (const [what, value] of BAD) test(`${field} ${what}`, () => assert.equal(refusedBy(call(value)), rule));
  }
});

/**
 * What the validators read of an order: released, paid 400.00 CNY, one declaration customs rejected, a refund under
 * way, its goods released. A plain object: OrderState makes a CancellationScope, which needs a workflow's context.
 */
function releasedOrder(): OrderState {
  const input = cebOrder();
  delete input.splitParts;
  const customs = newCustomsOrder('ORD-1');
  customs.releasedAt = new Date().toISOString();
  customs.invtNo = 'INVT-1';
  const state: Partial<OrderState> = {
    input,
    order: parseOrder(input, { customsMessages: true }),
    stage: 'RELEASED_FOR_DELIVERY',
    refundWindowOpen: true,
    paidAtMs: Date.now(),
    payment: {
      paymentRequestId: 'ORD-1',
      paymentId: 'PAY-1',
      status: 'SUCCESS',
      amountFen: 40_000,
      customsDeclarationFen: 40_000,
      paidAt: new Date().toISOString(),
      notificationsReceived: 1,
    },
    declarations: [{ declarationId: 'ORD-1-D1', status: 'REJECTED', amountFen: 10_000 } as OrderState['declarations'][number]],
    refunds: [{ refundRequestId: 'ORD-1-R1', amountFen: 100, status: 'PROCESSING' } as OrderState['refunds'][number]],
    cebCustoms: true,
    exactMoney: false,
    customs: [customs],
    returns: [],
    stuckReasons: {},
    pendingRefundFen: 0,
  };
  return state as OrderState;
}

describe('update validators refuse every bad amount by the rule it breaks', () => {
  const by = { operator: 'ops', reason: 'ticket 7' };
  /** Each update's amount, the rule that refuses a bad one, a good one, and how it is sent. */
  const UPDATES: [string, string, number, (o: OrderState, v: unknown) => void][] = [
    [
      'requestRefund amountFen',
      'AMOUNT_IN_FEN',
      100,
      (o, v) => refuseRefund(o, { amountFen: v as number, reason: 'r', requestedBy: 'ops' }),
    ],
    [
      'correctDeclaration amountFen',
      'AMOUNT_IN_FEN',
      9_000,
      (o, v) => refuseCorrection(o, { declarationId: 'ORD-1-D1', ...by, amountFen: v as number }),
    ],
    ['returnGoods quantity', 'RETURN_LINES', 1, (o, v) => refuseGoodsReturn(o, { ...by, lines: [{ sku: 'A', quantity: v as number }] })],
    [
      'paymentNotification paymentAmountFen',
      'NOTIFICATION_MISMATCH',
      40_000,
      (o, v) => {
        o.payment.status = 'PROCESSING';
        refuseNotification(o, { ...paymentNotification(), paymentAmountFen: v as number });
      },
    ],
    [
      'paymentNotification customsDeclarationFen',
      'NOTIFICATION_MISMATCH',
      10_000,
      (o, v) => {
        o.payment.status = 'PROCESSING';
        refuseNotification(o, { ...paymentNotification(), customsDeclarationFen: v as number });
      },
    ],
    [
      'refundNotification refundAmountFen',
      'NOTIFICATION_MISMATCH',
      100,
      (o, v) =>
        refuseRefundNotification(o, {
          refundRequestId: 'ORD-1-R1',
          refundId: 'RF-1',
          refundStatus: 'SUCCESS',
          resultCode: 'SUCCESS',
          refundAmountFen: v as number,
        }),
    ],
  ];
  const paymentNotification = () => ({
    paymentRequestId: 'ORD-1',
    paymentId: 'PAY-1',
    resultStatus: 'S' as const,
    resultCode: 'SUCCESS',
    paymentAmountFen: 40_000,
  });

  for (const [update, rule, good, send] of UPDATES) {
    test(`${update}: ${good} passes`, () =>
      assert.equal(
        refusedBy(() => send(releasedOrder(), good)),
        'accepted',
      ));
    for (const [what, value] of BAD)
      test(`${update} ${what}`, () =>
        assert.equal(
          refusedBy(() => send(releasedOrder(), value)),
          rule,
        ));
  }
});

describe("the buyer's quota entity refuses every bad amount by its rule", () => {
  const state = (): QuotaState => ({
    buyerKey: 'k',
    year: 2026,
    limitFen: 2_600_000,
    orders: { KEPT: { amountFen: 10_000, status: 'COMMITTED', committedAt: Date.now() }, HELD: { amountFen: 10_000, status: 'RESERVED' } },
    renewals: 0,
  });
  const rules = () => {
    const s = state();
    return quotaRules(s, () => ({
      buyerKey: 'k',
      year: 2026,
      limitFen: 2_600_000,
      reservedFen: 10_000,
      unpaidFen: 0,
      lapsedFen: 0,
      committedFen: 10_000,
      returnedFen: 0,
      remainingFen: 2_580_000,
      renewals: 0,
    }));
  };
  const UPDATES: [string, string, (v: unknown) => unknown][] = [
    ['reserve', 'INVALID_RESERVATION', (v) => rules().checkReservation({ orderId: 'NEW', amountFen: v as number })],
    ['markPaid', 'INVALID_RESERVATION', (v) => rules().checkPayment({ orderId: 'KEPT', amountFen: v as number })],
    ['commit', 'INVALID_RESERVATION', (v) => rules().checkCommit({ orderId: 'HELD', amountFen: v as number })],
    ['return', 'INVALID_RETURN', (v) => rules().checkReturn({ orderId: 'KEPT', returnId: 'G1', amountFen: v as number })],
  ];
  for (const [update, rule, send] of UPDATES) {
    for (const [what, value] of BAD)
      test(`${update} ${what}`, () =>
        assert.equal(
          refusedBy(() => send(value)),
          rule,
        ));
  }
});

describe('the CLI refuses an amount that is not whole fen before it acts, naming the rule', () => {
  /** The CLI in this process, its usage errors thrown; an action it reaches throws instead of connecting. */
  async function cli(...argv: string[]): Promise<string> {
    const program = buildCli().hook('preAction', () => {
      throw new Error('reached the action');
    });
    const quiet = (c: typeof program) => {
      c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
      c.commands.forEach(quiet);
    };
    quiet(program);
    try {
      await program.parseAsync(['node', 'orders', ...argv]);
      return 'accepted';
    } catch (error) {
      return error instanceof Error && error.message === 'reached the action' ? 'accepted' : ruleOf(error);
    }
  }
  test('a whole amount reaches the action', async () => {
    assert.equal(await cli('refund', 'ORD-1', '19900', '--by', 'ops', '--reason', 'r'), 'accepted');
    assert.equal(await cli('return-goods', 'ORD-1', '--line', 'A:2', '--by', 'ops', '--reason', 'r'), 'accepted');
  });
  const TEXT = ['-1', '1.5', '0', 'NaN', 'Infinity', '1e3', '0x10', ' 12', '', '9007199254740993'];
  for (const text of TEXT) {
    test(`refund ${JSON.stringify(text)}`, async () =>
      assert.equal(await cli('refund', 'ORD-1', text, '--by', 'ops', '--reason', 'r'), 'AMOUNT_IN_FEN'));
    test(`retransmit --amount-fen ${JSON.stringify(text)}`, async () =>
      assert.equal(await cli('retransmit', 'ORD-1', 'ORD-1-D1', '--by', 'ops', '--reason', 'r', '--amount-fen', text), 'AMOUNT_IN_FEN'));
  }
  for (const text of ['A:0', 'A:-1', 'A:1.5', 'A:1e3', 'A:']) {
    test(`return-goods --line ${text}`, async () =>
      assert.equal(await cli('return-goods', 'ORD-1', '--line', text, '--by', 'ops', '--reason', 'r'), 'RETURN_LINES'));
  }
});

describe('amounts in the messages of Alipay+ and the e-port are whole, non-negative and safe', () => {
  const WIRE = ['-1', '1.5', '-0', 'NaN', 'Infinity', '1e3', '0x10', '', ' 1', '9007199254740992', '999999999999999999'];
  for (const value of WIRE) {
    test(`Alipay+ amount value ${JSON.stringify(value)} is refused, naming the field`, () => {
      const parsed = amount.safeParse({ currency: 'CNY', value });
      assert.equal(parsed.success, false);
      assert.deepEqual([...new Set(parsed.error?.issues.map((i) => i.path.join('.')))], ['value']);
    });
  }
  test('the largest safe amount is taken', () =>
    assert.ok(amount.safeParse({ currency: 'CNY', value: String(Number.MAX_SAFE_INTEGER) }).success));

  // On the wire a string is yuan ("100" is 100.00 CNY); a number is fen, when a message is built.
  const numbers = BAD.map(([, v]) => v).filter((v) => typeof v !== 'string');
  for (const value of [...numbers, '-1.00', '1.234', '1e3', '99999999999999.99', '90071992547409.92']) {
    test(`CEB money ${JSON.stringify(value) ?? String(value)} is refused by its N16,2 rule`, () => {
      const parsed = money().safeParse(value);
      assert.equal(parsed.success, false, `taken as ${String(parsed.data)}`);
      assert.match(parsed.error?.issues[0].message ?? '', /^N16,2: |^required$/);
    });
  }
  test('CEB money up to the largest safe fen is taken, exactly', () => {
    assert.equal(money().parse('90071992547409.91'), Number.MAX_SAFE_INTEGER);
    assert.equal(money().parse(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  });
});
