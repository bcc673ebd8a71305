import { condition } from '@temporalio/workflow';
import { orderTaxOf, returnedQuotaFen } from '../../domain/order';
import { DEFAULT_RETURN_RECEIPT_DEADLINE_MS, type GoodsReturnRequest, type GoodsReturnView } from '../../domain/order-api';
import { returnWorth, returnableLines, type ReturnableLine } from '../../domain/return-values';
import { refundPayment } from './compensation';
import { filingOf } from './customs-filing';
import { customsPollGap, longWaitPollGap } from './customs-polling';
import { isRefused, type CustomsOrder } from './customs-receipts';
import { clearStuck, markStuck, publish, publishPending } from './progress';
import { giveQuotaBack } from './quota';
import { followOperatorRefund } from './refund-settlement';
import { callRemote } from './remote-call';
import { iso, refundableFen, type OrderState } from './state';

// Step 10, returns: goods that come back within 30 days of release are declared to customs (CEB625).
// Once customs accepts the return (CEB626 399), the buyer is refunded the goods and their tax, and the
// buyer's annual quota is given back the goods' dutiable value (海关总署公告2018年第194号; docs/customs.md).

/** Polls on the customs gaps (30 s up to 10 minutes) before the return's receipt is polled hourly: about 3 hours. */
const RETURN_QUICK_POLLS = 20;

/** 30 days from release: returns after it are refused; a refund then keeps the quota used. */
export const RETURN_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** The customs order a return is about: the one named, or the only one. */
export function customsOrderOf(o: OrderState, orderNo?: string): CustomsOrder | undefined {
  return orderNo === undefined ? (o.customs.length === 1 ? o.customs[0] : undefined) : o.customs.find((c) => c.orderNo === orderNo);
}

/** The returns whose units customs holds or may still take: all but the refused ones (a given-up one may still come). */
const earlierReturns = (o: OrderState, orderNo: string) =>
  o.returns.filter((r) => r.status !== 'REFUSED' && (!o.exactMoney || r.orderNo === orderNo));

/**
 * Quantities of each sku already returned (or being returned) under earlier returns: of the customs order
 * for exact-money orders (a split part's list declares its own lines), of the whole order before.
 */
export function returnedQuantity(o: OrderState, sku: string, orderNo: string): number {
  return earlierReturns(o, orderNo)
    .flatMap((r) => r.lines)
    .filter((l) => l.sku === sku)
    .reduce((sum, l) => sum + l.quantity, 0);
}

/** The lines of a customs order as its inventory list declares them (exact-money orders). */
export function customsLines(o: OrderState, orderNo: string): ReturnableLine[] {
  const i = o.declarations.findIndex((d) => d.customsOrderId === orderNo);
  const split = o.declarations.length > 1;
  return returnableLines(o.order, split ? { index: i, amountFen: o.declarations[i].amountFen } : undefined);
}

/**
 * What the returned lines are worth: goods and their tax for the buyer; for the quota, the units' dutiable
 * value with their freight share, so that an order's returns add up to what it counts. Exact-money orders
 * value them per customs order and cumulatively (domain/return-values.ts), so a line's returns add up exactly.
 */
export function returnValue(o: OrderState, lines: readonly { sku: string; quantity: number }[], orderNo: string) {
  if (o.exactMoney) {
    const earlier = earlierReturns(o, orderNo).flatMap((r) => r.lines);
    return returnWorth(customsLines(o, orderNo), lines, earlier);
  }
  const items = o.order.items;
  const tax = orderTaxOf(o.order);
  let refundFen = 0;
  for (const line of lines) {
    const at = items.findIndex((i) => i.sku === line.sku);
    const item = items[at];
    refundFen += item.unitPriceFen * line.quantity + Math.round((tax.items[at].taxFen * line.quantity) / item.quantity);
  }
  const earlier = o.returns.filter((r) => r.status !== 'REFUSED').flatMap((r) => r.lines);
  return { refundFen, quotaFen: returnedQuotaFen(o.order, lines, earlier) };
}

/** Starts a return; it is followed (filed, its receipt awaited, refunded) after the update answers. */
export function startReturn(o: OrderState, r: GoodsReturnRequest): GoodsReturnView {
  const c = customsOrderOf(o, r.orderNo)!;
  const worth = returnValue(o, r.lines, c.orderNo);
  // A refund that came first leaves less to refund: the return refunds what is left, and says what it was worth.
  const left = o.exactMoney ? Math.max(0, refundableFen(o)) : Infinity;
  const view: GoodsReturnView = {
    returnId: `${o.order.orderId}-G${o.returns.length + 1}`,
    orderNo: c.orderNo,
    lines: r.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    status: 'FILED',
    ...worth,
    ...(worth.refundFen > left && { refundFen: left, refundCappedFromFen: worth.refundFen }),
    requestedBy: r.operator,
    at: iso(Date.now()),
  };
  // A new return answers the one customs refused before.
  for (const scope of Object.keys(o.stuckReasons).filter((k) => k.startsWith('return:'))) clearStuck(o, scope);
  o.returns.push(view);
  o.refundsFollowed += 1;
  void followReturn(o, c, view, r).finally(() => {
    o.refundsFollowed -= 1;
    publishPending(o);
  });
  return view;
}

async function followReturn(o: OrderState, c: CustomsOrder, view: GoodsReturnView, r: GoodsReturnRequest) {
  const attempt = o.returns.filter((x) => x.orderNo === c.orderNo).indexOf(view);
  const filed = await callRemote(o, 'customsFile', `the return ${view.returnId}`, (via) =>
    via.customs(`Step 10: file the return ${view.returnId} (CEB625)`).fileCustomsDocument('RETURN', {
      ...filingOf(o, c, attempt),
      goodsReturn: { invtNo: c.invtNo!, lines: view.lines, reason: r.reason },
    }),
  );
  if (!(await awaitReturnReceipt(o, c, view, filed.guid))) return;
  const reason = `goods returned (${view.returnId}): ${r.reason}`.slice(0, 256);
  // Capped to nothing: a refund came first and took all; customs still took the goods back.
  const pending =
    o.exactMoney && view.refundFen === 0 ? undefined : refundPayment(o, { amountFen: view.refundFen, reason, requestedBy: r.operator });
  // Linked as soon as the refund is recorded, so what is refundable never counts it twice.
  if (pending && o.exactMoney) view.refundRequestId = o.refunds.at(-1)!.refundRequestId;
  const refund = await pending;
  // The quota is the customs' count of what came in: customs took the goods back, whatever the refund does.
  await giveQuotaBack(o, view.returnId, view.quotaFen);
  view.quotaGivenBack = true;
  publish(o);
  if (refund) await followOperatorRefund(o, refund, (amountFen) => refundPayment(o, { amountFen, reason, requestedBy: r.operator }));
}

/**
 * Reads receipts until customs accepts (399) or refuses (100) the return; true when it accepted. Exact-money
 * orders give it a deadline: past it the order is stuck, polls only when an operator asks, and the return is
 * given up by an operator (giveUpReturn) or by the refund window's close, so its polls and the order's end are bounded.
 */
async function awaitReturnReceipt(o: OrderState, c: CustomsOrder, view: GoodsReturnView, guid: string): Promise<boolean> {
  const scope = `return:${view.returnId}`;
  const deadline = Date.parse(view.at) + (o.timeouts.returnReceiptDeadlineMs ?? DEFAULT_RETURN_RECEIPT_DEADLINE_MS);
  for (let polls = 0; ; polls++) {
    publishPending(o);
    // Hourly after the first few hours, so a receipt that never comes keeps the history bounded.
    const gap = polls < RETURN_QUICK_POLLS ? customsPollGap(o.timeouts, polls) : longWaitPollGap(o.timeouts);
    const summary = { summary: `Step 10: wait for the receipt of ${view.returnId}` };
    if (!o.exactMoney) await condition(() => o.pollRequested, gap, summary);
    else if (!(await untilNextReturnPoll(o, view, deadline, gap, summary))) return false;
    o.pollRequested = false;
    const receipts = await callRemote(o, 'customsReceipts', 'the customs receipts', (via) =>
      via.customs(`Step 10: receipts of ${c.orderNo}`).customsReceipts(c.orderNo),
    );
    // Given up while the receipts were read: the operator's decision stands.
    if (view.status === 'GIVEN_UP') return false;
    const mine = receipts
      .filter((x) => x.document === 'RETURN' && (x.filingGuid ? x.filingGuid === guid : Date.parse(x.returnTime) >= Date.parse(view.at)))
      .sort((a, b) => Date.parse(a.returnTime) - Date.parse(b.returnTime));
    const refused = mine.find((x) => isRefused(x.returnStatus));
    const accepted = mine.find((x) => x.returnStatus === '399' || x.returnStatus === '800');
    if (refused) {
      Object.assign(view, { status: 'REFUSED', returnInfo: refused.returnInfo });
      markStuck(o, 'RETURN_REFUSED', `customs refused the return ${view.returnId}: ${refused.returnInfo}`, scope);
      return false;
    }
    if (accepted) {
      Object.assign(view, { status: 'ACCEPTED', returnInfo: accepted.returnInfo });
      clearStuck(o, scope);
      return true;
    }
  }
}

/**
 * Waits for the next poll of an exact-money order's return: false once it is given up. Before the deadline on
 * the poll gaps; past it the order is stuck and polls only when asked, until an operator or the window's close gives it up.
 */
async function untilNextReturnPoll(
  o: OrderState,
  view: GoodsReturnView,
  deadline: number,
  gap: number,
  summary: { summary: string },
): Promise<boolean> {
  const scope = `return:${view.returnId}`;
  const givenUp = () => view.status === 'GIVEN_UP';
  if (Date.now() < deadline) {
    await condition(() => o.pollRequested || givenUp(), Math.min(gap, deadline - Date.now()), summary);
    return !givenUp();
  }
  if (!o.stuckReasons[scope] && o.refundWindowOpen) {
    const hours = Math.round((o.timeouts.returnReceiptDeadlineMs ?? DEFAULT_RETURN_RECEIPT_DEADLINE_MS) / 3_600_000);
    markStuck(
      o,
      'RETURN_RECEIPT_DEADLINE',
      `customs has not answered the return ${view.returnId} (CEB625) within ${hours} hours; poll-now reads its receipts again, give-up-return gives it up`,
      scope,
    );
    publish(o);
  }
  await condition(() => o.pollRequested || givenUp() || !o.refundWindowOpen, summary);
  if (!givenUp() && !o.refundWindowOpen && !o.pollRequested) {
    // No refund can follow once the window has closed: the order gives the return up rather than wait for ever.
    giveUp(o, view, { by: 'orchestrator', reason: 'the refund window closed before customs answered the return' });
  }
  return !givenUp();
}

/** The return is given up: no refund, no quota back; what it held back is refundable again. */
export function giveUp(o: OrderState, view: GoodsReturnView, by: { by: string; reason: string }) {
  Object.assign(view, { status: 'GIVEN_UP', givenUp: { ...by, at: iso(Date.now()) } });
  clearStuck(o, `return:${view.returnId}`);
  publish(o);
}
