import { isWholeAmount } from '../../domain/amounts';
import type { CustomsDocumentCorrection, GoodsReturnRequest, ReturnGiveUp } from '../../domain/order-api';
import { ruleFailure } from './failures';
import { isRecord } from './input-shapes';
import { RETURN_WINDOW_MS, customsLines, customsOrderOf, returnValue, returnedQuantity } from './goods-return';
import { refundableFen, type OrderState } from './state';
import { refuseWhenEnding, refuseWithoutOperator } from './validators';

// The rules of the customs updates: a correction of a refused document, and a return of released goods.
// Like every validator, each refusal names its rule and the argument's shape is checked first.

const CORRECTABLE = { hsCode: /^\d{10}$/, originCountry: /^\d{3}$/, unit: /^\d{3}$/ } as const;
const MAX_LINES = 100;

function refuseWithoutCustoms(o: OrderState) {
  if (!o.cebCustoms) throw ruleFailure('CUSTOMS_MESSAGES', "this order files the e-port stand-in's documents, not the customs messages");
}

function refuseUnknownCustomsOrder(o: OrderState, orderNo: unknown) {
  if (orderNo !== undefined && (typeof orderNo !== 'string' || !o.customs.some((c) => c.orderNo === orderNo))) {
    throw ruleFailure('CUSTOMS_ORDER', `${JSON.stringify(orderNo)?.slice(0, 70)} is not a customs order of this order`);
  }
}

/** A correction is taken only for a customs order that has a refused document, with valid customs fields. */
export function refuseCustomsCorrection(o: OrderState, c: CustomsDocumentCorrection) {
  refuseWithoutOperator(c);
  refuseWithoutCustoms(o);
  // An operator may cancel an order whose document customs refused: its documents are not filed again then.
  refuseWhenEnding(o);
  if (c.orderNo === undefined) throw ruleFailure('CUSTOMS_ORDER', 'a correction names the customs order (orderNo)');
  refuseUnknownCustomsOrder(o, c.orderNo);
  const customs = o.customs.find((x) => x.orderNo === c.orderNo)!;
  if (customs.state !== 'DOCUMENT_REJECTED' || customs.refile) {
    throw ruleFailure('NOTHING_REFUSED', `customs has refused no document of ${c.orderNo}; it is ${customs.state}`);
  }
  if (c.items === undefined) return;
  if (!Array.isArray(c.items) || c.items.length > MAX_LINES)
    throw ruleFailure('ITEM_CORRECTION', `items is a list of at most ${MAX_LINES}`);
  for (const item of c.items as unknown[]) {
    if (!isRecord(item) || !o.order.items.some((i) => i.sku === item.sku)) {
      throw ruleFailure('ITEM_CORRECTION', `${JSON.stringify(isRecord(item) ? item.sku : item)?.slice(0, 70)} is not a sku of this order`);
    }
    for (const [field, pattern] of Object.entries(CORRECTABLE)) {
      const value = item[field];
      if (value !== undefined && (typeof value !== 'string' || !pattern.test(value))) {
        throw ruleFailure('ITEM_CORRECTION', `${field} of ${String(item.sku)} must match ${pattern.source}`);
      }
    }
    const extra = Object.keys(item).filter((k) => k !== 'sku' && !(k in CORRECTABLE));
    if (extra.length > 0)
      throw ruleFailure('ITEM_CORRECTION', `only hsCode, originCountry and unit can be corrected, not ${extra.join(', ')}`);
  }
}

/** A return is filed for released goods, within 30 days of release, for quantities not returned yet. */
export function refuseGoodsReturn(o: OrderState, r: GoodsReturnRequest) {
  refuseWithoutOperator(r);
  refuseWithoutCustoms(o);
  refuseWhenEnding(o);
  refuseUnknownCustomsOrder(o, r.orderNo);
  if (o.stage !== 'RELEASED_FOR_DELIVERY' || !o.refundWindowOpen) {
    throw ruleFailure(
      'RETURN_AFTER_RELEASE',
      `goods are returned once customs released them and while refunds are taken; the order is ${o.stage}`,
    );
  }
  const c = customsOrderOf(o, r.orderNo);
  if (!c) throw ruleFailure('CUSTOMS_ORDER', `name the customs order (orderNo): this order has ${o.customs.length}`);
  if (!c.releasedAt || !c.invtNo) throw ruleFailure('RETURN_AFTER_RELEASE', `customs has not released ${c.orderNo}`);
  if (Date.now() > Date.parse(c.releasedAt) + RETURN_WINDOW_MS) {
    throw ruleFailure(
      'RETURN_WINDOW',
      `goods are returned through customs within 30 days of release (${c.releasedAt}); refund without a return instead, and the quota stays used`,
    );
  }
  if (!Array.isArray(r.lines) || r.lines.length === 0 || r.lines.length > MAX_LINES) {
    throw ruleFailure('RETURN_LINES', `a return lists 1 to ${MAX_LINES} lines`);
  }
  // Exact-money orders count units as the customs order's list declares them (a split part's own lines).
  const declared = o.exactMoney ? customsLines(o, c.orderNo) : o.order.items.map((i) => ({ sku: i.sku, units: i.quantity }));
  for (const line of r.lines as unknown[]) {
    const item = isRecord(line) ? declared.find((i) => i.sku === line.sku) : undefined;
    if (!isRecord(line) || !item) throw ruleFailure('RETURN_LINES', `${JSON.stringify(line)?.slice(0, 70)} names no sku of this order`);
    const left = item.units - returnedQuantity(o, item.sku, c.orderNo);
    if (!isWholeAmount(line.quantity, 1) || line.quantity > left) {
      throw ruleFailure('RETURN_LINES', `${item.sku}: quantity must be a whole number from 1 to ${left}, what is left to return`);
    }
  }
  if (new Set(r.lines.map((l) => l.sku)).size !== r.lines.length) throw ruleFailure('RETURN_LINES', 'each sku appears once');
  // Exact-money orders take the return and refund what is left (startReturn): customs takes the goods back either way.
  if (o.exactMoney) return;
  const { refundFen } = returnValue(o, r.lines, c.orderNo);
  if (refundFen > refundableFen(o)) {
    throw ruleFailure(
      'REFUND_NOT_ABOVE_PAYMENT',
      `the returned goods' ${refundFen} fen is more than the ${refundableFen(o)} fen left to refund`,
    );
  }
}

/** A return is given up only once customs has let its deadline pass without an answer (RETURN_RECEIPT_DEADLINE). */
export function refuseGiveUpReturn(o: OrderState, g: ReturnGiveUp) {
  refuseWithoutOperator(g);
  if (!o.exactMoney) throw ruleFailure('RETURN_DEADLINE', 'this order was started before returns had a deadline');
  const view = typeof g.returnId === 'string' ? o.returns.find((r) => r.returnId === g.returnId) : undefined;
  if (!view) throw ruleFailure('UNKNOWN_RETURN', `${JSON.stringify(g.returnId)?.slice(0, 70)} is not a return of this order`);
  if (view.status !== 'FILED' || o.stuckReasons[`return:${view.returnId}`]?.code !== 'RETURN_RECEIPT_DEADLINE') {
    throw ruleFailure('RETURN_NOT_OVERDUE', `the return ${view.returnId} is ${view.status} and not past its receipt's deadline`);
  }
}
