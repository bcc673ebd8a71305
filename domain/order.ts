import { z } from 'zod';
import { AMOUNT_IN_FEN, ITEM_QUANTITY, isWholeAmount } from './amounts';
import { customsCodeForDistrict } from './customs-codes';
import { mainlandIdProblem } from './identity';
import { TAX_CATEGORIES, allocate, retailImportLimits, type OrderTax } from './cross-border-tax';
import { priceOrder, type PricedItem, type PricedOrder } from './order-pricing';
import { MAX_ORDER_FEN, formatCny } from './limits';
import { InvalidOrderError } from './order-errors';

export { InvalidOrderError };

const TAX_CATEGORY_NAMES = Object.keys(TAX_CATEGORIES) as [keyof typeof TAX_CATEGORIES, ...(keyof typeof TAX_CATEGORIES)[]];

// What an order system sends at checkout. Validated in the client and again at the start of the workflow,
// so an order that breaks a rule never reaches Alipay+. Each error starts with the rule's name.

export const ORDER_RULES = {
  SINGLE_TRANSACTION_LIMIT: 'SINGLE_TRANSACTION_LIMIT',
  ITEMS_MATCH_TOTAL: 'ITEMS_MATCH_TOTAL',
  CURRENCY_CNY: 'CURRENCY_CNY',
  CUSTOMS_DISTRICT: 'CUSTOMS_DISTRICT',
  SPLIT_PARTS: 'SPLIT_PARTS',
  BUYER_ID_NUMBER: 'BUYER_ID_NUMBER',
  TERMINAL_OS: 'TERMINAL_OS',
  CUSTOMS_ITEM_FIELDS: 'CUSTOMS_ITEM_FIELDS',
  CUSTOMS_PARTIES: 'CUSTOMS_PARTIES',
  AMOUNT_IN_FEN,
  ITEM_QUANTITY,
} as const;

/** Where the buyer checks out: a web browser, a mobile browser (WAP, an H5 page), or the merchant's app. */
export const BUYER_TERMINALS = ['WEB', 'WAP', 'APP'] as const;
export type BuyerTerminalType = (typeof BUYER_TERMINALS)[number];
export const BUYER_OS_TYPES = ['ANDROID', 'IOS'] as const;
export type BuyerOsType = (typeof BUYER_OS_TYPES)[number];

/**
 * An amount in whole fen from `min`. Negative, fractional, NaN, infinite, past the safe integers or not a number at
 * all, it is refused by AMOUNT_IN_FEN, whichever check catches it; orderProblems puts the field's path after the rule.
 */
const fen = (min: 0 | 1) => {
  const why = `${AMOUNT_IN_FEN}: must be a whole number of fen, ${min ? 'at least 1' : '0 or more'}`;
  return z.number({ error: why }).int(why).min(min, why);
};
const QUANTITY_RULE = `${ITEM_QUANTITY}: must be a whole number of units from 1 to 9999`;
const id = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, _ or -');

/** The most items and split parts one order may have. */
export const MAX_ITEMS = 100;
export const MAX_SPLIT_PARTS = 10;

const OLD_RULES: OrderRuleOptions = { customsMessages: false };

const orderShape = z.object({
  orderId: id,
  currency: z.string(),
  totalFen: fen(1),
  items: z
    .array(
      z.object({
        sku: z.string().min(1).max(64),
        name: z.string().min(1).max(256),
        quantity: z.number({ error: QUANTITY_RULE }).int(QUANTITY_RULE).min(1, QUANTITY_RULE).max(9999, QUANTITY_RULE),
        unitPriceFen: fen(1),
        /** The retail-import tax category (domain/cross-border-tax.ts); orders filed on the CEB messages name one. */
        taxCategory: z.enum(TAX_CATEGORY_NAMES).optional(),
        /** The customs commodity code (商品编码, 10 digits), as the goods were registered. */
        hsCode: z
          .string()
          .regex(/^\d{10}$/, 'must be 10 digits')
          .optional(),
        /** The country of origin, as a customs country code (3 digits, e.g. 116 Japan). */
        originCountry: z
          .string()
          .regex(/^\d{3}$/, 'must be a 3-digit customs country code')
          .optional(),
        /** The unit of the quantity, as a customs unit code (3 digits, e.g. 007 piece). */
        unit: z
          .string()
          .regex(/^\d{3}$/, 'must be a 3-digit customs unit code')
          .optional(),
      }),
    )
    .min(1, 'must list at least one item')
    // Bounds what one order's history carries: every item is in the order document.
    .max(MAX_ITEMS, `lists at most ${MAX_ITEMS} items`),
  buyer: z.object({
    fullName: z.string().min(1).max(128),
    certificateType: z.enum(['ID_CARD', 'PASSPORT']),
    certificateNo: z.string().min(1).max(64),
  }),
  /** The merchant must check the buyer's real name (and customs needs a verified payer). */
  realNameRequired: z.boolean().default(true),
  customs: z.object({
    /** A customs code from the table, or any other district name, which is declared to ZONGSHU. */
    district: z.string(),
    merchantCustomsCode: z.string().min(1).max(128),
    merchantCustomsName: z.string().min(1).max(256),
  }),
  /** Declare the order as several customs orders, one per part. */
  splitParts: z
    .array(z.object({ referenceOrderId: id, amountFen: fen(1) }))
    // Each part is a declaration polled, retransmitted and filed on its own.
    .max(MAX_SPLIT_PARTS, `has at most ${MAX_SPLIT_PARTS} parts`)
    .optional(),
  logistics: z.object({
    carrier: z.string().min(1).max(128),
    waybillNo: z.string().min(1).max(48),
    /** The carrier's customs registration code, which its waybill (CEB511) is filed under. */
    carrierCustomsCode: z.string().min(1).max(18).optional(),
  }),
  /** Freight charged to the buyer, in fen: part of the dutiable value and of the payment. */
  freightFen: fen(0).optional(),
  /** Where the goods go (CEB311, CEB511). Personal data: travels only in encrypted payloads. */
  consignee: z
    .object({ name: z.string().min(1).max(128), telephone: z.string().min(1).max(50), address: z.string().min(1).max(255) })
    .optional(),
  paymentExpiryMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(30),
  /** The buyer's terminal, sent to pay as `env`: it decides which links Alipay+ answers. Web when left out. */
  terminal: z.object({ terminalType: z.enum(BUYER_TERMINALS), osType: z.enum(BUYER_OS_TYPES).optional() }).default({ terminalType: 'WEB' }),
});

/** The order's shape and the rules of both kinds of order: parse an input with it once orderProblems has found none. */
export const orderInputSchema = orderShape.superRefine((o, ctx) => checkRules(o, ctx, OLD_RULES, 'SHAPE_ONLY'));

export type OrderInput = z.input<typeof orderInputSchema>;
export type Order = z.infer<typeof orderInputSchema>;

export interface OrderRuleOptions {
  /**
   * The order is filed on the CEB messages (CEB311 and the inventory list): its items name their customs
   * fields, the total includes the retail-import tax, and the 5,000 CNY limit applies to the dutiable value.
   * New orders always are; orders recorded before are checked by the old rules when they replay.
   */
  customsMessages: boolean;
}

/**
 * The rules in the order they are reported. `SHAPE_ONLY` checks what holds in both modes, so that
 * orderInputSchema.parse accepts every order that orderProblems accepted, in either mode.
 */
function checkRules(o: Order, ctx: z.RefinementCtx, options: OrderRuleOptions, only?: 'SHAPE_ONLY') {
  const rule = (name: string, path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message: `${name}: ${message}` });
  const modeRules = only !== 'SHAPE_ONLY';

  if (o.currency !== 'CNY') rule(ORDER_RULES.CURRENCY_CNY, ['currency'], `the buyer pays in CNY, not ${o.currency || '(empty)'}`);
  // An amount that is not whole fen is refused by its field's rule (AMOUNT_IN_FEN, ITEM_QUANTITY): the limits,
  // the totals and the price are not computed from it, whose sums would be wrong or whose tax would throw.
  const money = amountsWhole(o) && safeSum(o, rule);
  if (modeRules && options.customsMessages) customsRules(o, rule, money);
  else if (modeRules && money) {
    if (o.totalFen > MAX_ORDER_FEN) {
      rule(
        ORDER_RULES.SINGLE_TRANSACTION_LIMIT,
        ['totalFen'],
        `${formatCny(o.totalFen)} is more than the customs limit of ${formatCny(MAX_ORDER_FEN)} per transaction`,
      );
    }
    const itemsFen = goodsValueFen(o);
    if (itemsFen !== o.totalFen) {
      rule(ORDER_RULES.ITEMS_MATCH_TOTAL, ['items'], `items add up to ${formatCny(itemsFen)}, but the total is ${formatCny(o.totalFen)}`);
    }
  }
  if (!/^[A-Za-z][A-Za-z _-]{1,31}$/.test(o.customs.district)) {
    rule(
      ORDER_RULES.CUSTOMS_DISTRICT,
      ['customs', 'district'],
      'must be a customs code (ZONGSHU, ZHENGZHOU, NINGBO, SHANGHAI_CBT) or a district name',
    );
  }
  if (o.splitParts) {
    if (o.splitParts.length < 2) rule(ORDER_RULES.SPLIT_PARTS, ['splitParts'], 'a split order has at least 2 parts');
    const ids = new Set(o.splitParts.map((p) => p.referenceOrderId));
    if (ids.size !== o.splitParts.length) rule(ORDER_RULES.SPLIT_PARTS, ['splitParts'], 'each part needs its own referenceOrderId');
    const partsFen = o.splitParts.reduce((sum, p) => sum + p.amountFen, 0);
    if (money && partsFen !== o.totalFen) {
      rule(ORDER_RULES.SPLIT_PARTS, ['splitParts'], `parts add up to ${formatCny(partsFen)}, but the total is ${formatCny(o.totalFen)}`);
    }
  }
  if (o.terminal.terminalType === 'APP' && !o.terminal.osType) {
    rule(ORDER_RULES.TERMINAL_OS, ['terminal', 'osType'], 'an app checkout names its operating system, ANDROID or IOS');
  }
  if (o.realNameRequired && o.buyer.certificateType === 'ID_CARD') {
    const problem = mainlandIdProblem(o.buyer.certificateNo);
    if (problem) rule(ORDER_RULES.BUYER_ID_NUMBER, ['buyer', 'certificateNo'], `the ID number ${problem}`);
  }
}

const CUSTOMS_ITEM_FIELDS = ['taxCategory', 'hsCode', 'originCountry', 'unit'] as const;

/** Whether every amount of the order is whole fen (or units); those that are not are refused by their fields' rules. */
function amountsWhole(o: Order): boolean {
  return (
    isWholeAmount(o.totalFen) &&
    isWholeAmount(o.freightFen ?? 0) &&
    o.items.every((i) => isWholeAmount(i.quantity) && isWholeAmount(i.unitPriceFen)) &&
    (o.splitParts ?? []).every((p) => isWholeAmount(p.amountFen))
  );
}

/** Whole amounts whose goods and freight add up past the safe integers cannot be limited or taxed exactly: refused. */
function safeSum(o: Order, rule: (name: string, path: (string | number)[], message: string) => void): boolean {
  if (Number.isSafeInteger(dutiableValueFen(o))) return true;
  rule(
    ORDER_RULES.AMOUNT_IN_FEN,
    ['items'],
    `the goods and the freight come to more fen than can be counted exactly (${Number.MAX_SAFE_INTEGER})`,
  );
  return false;
}

/**
 * The rules of an order filed on the CEB messages: its customs fields, its tax-inclusive total, the limit on its
 * dutiable value. The last two only when its amounts are whole (`money`).
 */
function customsRules(o: Order, rule: (name: string, path: (string | number)[], message: string) => void, money: boolean) {
  o.items.forEach((item, i) => {
    for (const field of CUSTOMS_ITEM_FIELDS) {
      if (item[field] === undefined) {
        rule(ORDER_RULES.CUSTOMS_ITEM_FIELDS, ['items', i, field], `item ${i + 1} (${item.sku}) names no ${field}, which customs needs`);
      }
    }
  });
  if (!o.consignee) rule(ORDER_RULES.CUSTOMS_PARTIES, ['consignee'], 'the order names no consignee, whom the goods go to');
  if (!o.logistics.carrierCustomsCode) {
    rule(ORDER_RULES.CUSTOMS_PARTIES, ['logistics', 'carrierCustomsCode'], "the order names no carrierCustomsCode, the waybill's filer");
  }

  // A negative or fractional amount is refused by its field's rule; the limits and the price need whole fen
  // (found by the fuzz, seeds 1603429241 and 1947426561: the tax threw a bare RangeError).
  if (!money) return;
  // 财关税〔2016〕18号 and 〔2018〕49号: the limit is on the dutiable value (goods, freight, insurance), not on the tax.
  const dutiable = dutiableValueFen(o);
  const units = o.items.reduce((sum, i) => sum + i.quantity, 0);
  const verdict = retailImportLimits(dutiable, 0, units);
  if (verdict.basis !== 'RETAIL_PREFERENTIAL') {
    rule(
      ORDER_RULES.SINGLE_TRANSACTION_LIMIT,
      ['items'],
      `the dutiable value ${formatCny(dutiable)} (goods and freight, without the tax) is more than ${formatCny(MAX_ORDER_FEN)}: ${verdict.rule}. ` +
        // No "; " inside one problem: problems are joined with it, and each must start with its rule.
        'This checkout takes retail imports at the preferential tax only',
    );
  }

  const priced = pricedOrNull(o);
  if (priced && priced.totalFen !== o.totalFen) {
    rule(
      ORDER_RULES.ITEMS_MATCH_TOTAL,
      ['totalFen'],
      `goods ${formatCny(priced.goodsFen)} + freight ${formatCny(priced.freightFen)} + tax ${formatCny(priced.taxTotalFen)} ` +
        `make ${formatCny(priced.totalFen)}, but the total is ${formatCny(o.totalFen)}`,
    );
  }
}

/** The price of an order whose every item names its tax category; null when one names none. */
function pricedOrNull(o: Pick<Order, 'items' | 'freightFen'>): PricedOrder | null {
  const items: PricedItem[] = [];
  for (const i of o.items) {
    if (!i.taxCategory) return null;
    items.push({ quantity: i.quantity, unitPriceFen: i.unitPriceFen, taxCategory: i.taxCategory });
  }
  return priceOrder(items, o.freightFen ?? 0);
}

/** The goods' value: price times quantity, summed over the items. */
export function goodsValueFen(order: Pick<Order, 'items'>): number {
  return order.items.reduce((sum, i) => sum + i.quantity * i.unitPriceFen, 0);
}

/** The transaction's dutiable value (财关税〔2016〕18号): goods and freight; insurance is not charged separately. */
export function dutiableValueFen(order: Pick<Order, 'items' | 'freightFen'>): number {
  return goodsValueFen(order) + (order.freightFen ?? 0);
}

/** The retail-import tax of an order filed on the CEB messages: taxTotalFen and each item's share, in item order. */
export function orderTaxOf(order: Pick<Order, 'items' | 'freightFen'>): OrderTax {
  const priced = pricedOrNull(order);
  if (!priced) throw new InvalidOrderError(`${ORDER_RULES.CUSTOMS_ITEM_FIELDS}: every item must name its taxCategory to be taxed`);
  return { items: priced.items, taxTotalFen: priced.taxTotalFen, dutiableValueFen: priced.dutiableValueFen };
}

/**
 * What a return gives back of the order's quota (quotaAmountFen with customsMessages): the returned units' share of
 * the dutiable value, each line's freight share included, rounded down; returning every unit gives back all of it.
 * `returned` names lines by sku with the units returned; a sku the order does not hold, or more units than it
 * has, is refused. `earlier`: the units the order's earlier returns took, so that its returns add up to the whole.
 */
export function returnedQuotaFen(
  order: Pick<Order, 'items' | 'freightFen'>,
  returned: readonly ReturnedUnits[],
  earlier: readonly ReturnedUnits[] = [],
): number {
  return unitsQuotaFen(order, [...earlier, ...returned]) - unitsQuotaFen(order, earlier);
}

export interface ReturnedUnits {
  sku: string;
  quantity: number;
}

function unitsQuotaFen(order: Pick<Order, 'items' | 'freightFen'>, returned: readonly ReturnedUnits[]): number {
  const freightShares = allocate(
    order.freightFen ?? 0,
    order.items.map((i) => i.quantity * i.unitPriceFen),
  );
  const left = order.items.map((i) => i.quantity);
  let fen = 0;
  for (const r of returned) {
    const line = order.items.findIndex((i, n) => i.sku === r.sku && left[n] >= r.quantity);
    if (line < 0 || !Number.isInteger(r.quantity) || r.quantity <= 0) {
      throw new RangeError(`the order has no ${r.quantity} unit(s) of ${r.sku} left to return`);
    }
    const { quantity, unitPriceFen } = order.items[line];
    const lineFen = quantity * unitPriceFen + freightShares[line];
    const before = Math.floor((lineFen * (quantity - left[line])) / quantity);
    left[line] -= r.quantity;
    fen += Math.floor((lineFen * (quantity - left[line])) / quantity) - before;
  }
  return fen;
}

/**
 * What the order counts against the buyer's annual 26,000 CNY limit: the dutiable value for an order
 * filed on the CEB messages (财关税〔2018〕49号 counts transactions, not the tax); totalFen for orders before.
 */
export function quotaAmountFen(order: Pick<Order, 'items' | 'freightFen' | 'totalFen'>, customsMessages: boolean): number {
  return customsMessages ? dutiableValueFen(order) : order.totalFen;
}

const oldRulesSchema = orderShape.superRefine((o, ctx) => checkRules(o, ctx, OLD_RULES));
const customsRulesSchema = orderShape.superRefine((o, ctx) => checkRules(o, ctx, { customsMessages: true }));
const schemaFor = (options: OrderRuleOptions) => (options.customsMessages ? customsRulesSchema : oldRulesSchema);

/**
 * Why an order is invalid, naming each broken rule; null when it is valid. Without options, the rules of
 * orders before the CEB messages (recorded histories replay with them); new orders pass `{ customsMessages: true }`.
 */
export function orderProblems(input: unknown, options: OrderRuleOptions = OLD_RULES): string | null {
  const parsed = schemaFor(options).safeParse(input);
  if (parsed.success) return null;
  // Each once: a value may fail two checks of one rule (a quantity past the safe integers is past 9999 too).
  return [...new Set(parsed.error.issues.map(problemOf))].join('; ');
}

/** One problem: a rule's own message, or the field's path and what is wrong; a field's rule, if it names one, first. */
function problemOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') return issue.message;
  const path = issue.path.join('.');
  const named = /^([A-Z][A-Z0-9_]{2,}): (.*)$/s.exec(issue.message);
  return named ? `${named[1]}: ${path} ${named[2]}` : `${path}: ${issue.message}`;
}

/** The order, checked by the rules `options` choose (the old ones unless told). */
export function parseOrder(input: unknown, options: OrderRuleOptions = OLD_RULES): Order {
  const parsed = schemaFor(options).safeParse(input);
  if (!parsed.success) throw new InvalidOrderError(orderProblems(input, options)!);
  return parsed.data;
}

// Identifiers derived from the merchant's order id, so that a retry never makes a second effect.

export const orderWorkflowId = (orderId: string) => `order-${orderId}`;
/** The order id of an order workflow's id: what operators type into the CLI. */
export const orderIdOf = (workflowId: string) => workflowId.replace(/^order-/, '');
/** The payment request id is the merchant's order number: customs matches the three documents by it. */
export const paymentRequestIdFor = (orderId: string) => orderId;
export const declarationIdFor = (orderId: string, part: number) => `${orderId}-D${part}`;
export const refundRequestIdFor = (orderId: string, seq: number) => `${orderId}-R${seq}`;
/** The order id a refund request id was made from, or undefined when it was not made by refundRequestIdFor. */
export const orderIdOfRefund = (refundRequestId: string) => /^(.+)-R[1-9]\d*$/.exec(refundRequestId)?.[1];

export interface CustomsOrder {
  /** The customs order id: the payment request id, or the part's referenceOrderId. */
  customsOrderId: string;
  declarationId: string;
  amountFen: number;
  isSplit: boolean;
  waybillNo: string;
}

/** The customs orders one order is declared as: one, or one per split part. */
export function customsOrdersOf(order: Order): CustomsOrder[] {
  if (!order.splitParts) {
    return [
      {
        customsOrderId: paymentRequestIdFor(order.orderId),
        declarationId: declarationIdFor(order.orderId, 1),
        amountFen: order.totalFen,
        isSplit: false,
        waybillNo: order.logistics.waybillNo,
      },
    ];
  }
  return order.splitParts.map((p, i) => ({
    customsOrderId: p.referenceOrderId,
    declarationId: declarationIdFor(order.orderId, i + 1),
    amountFen: p.amountFen,
    isSplit: true,
    waybillNo: `${order.logistics.waybillNo}-${i + 1}`,
  }));
}

export const customsCodeOf = (order: Order) => customsCodeForDistrict(order.customs.district);
