import { condition } from '@temporalio/workflow';
import { orderTaxOf, returnedQuotaFen } from '../../domain/order';
import type { GoodsReturnRequest, GoodsReturnView } from '../../domain/order-api';
import { refundPayment } from './compensation';
import { filingOf } from './customs-filing';
import { STUCK_POLL_GAP, customsPollGap } from './customs-polling';
import { isRefused, type CustomsOrder } from './customs-receipts';
import { clearStuck, markStuck, publish, publishPending } from './progress';
import { giveQuotaBack } from './quota';
import { followOperatorRefund } from './refund-settlement';
import { callRemote } from './remote-call';
import { iso, type OrderState } from './state';

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

/** Quantities of each sku already returned (or being returned) under earlier returns. */
export function returnedQuantity(o: OrderState, sku: string): number {
  return o.returns
    .filter((r) => r.status !== 'REFUSED')
    .flatMap((r) => r.lines)
    .filter((l) => l.sku === sku)
    .reduce((sum, l) => sum + l.quantity, 0);
}

/**
 * What the returned lines are worth: goods and their tax for the buyer; for the quota, the units' dutiable
 * value with their freight share, so that an order's returns add up to what it counts.
 */
export function returnValue(o: OrderState, lines: readonly { sku: string; quantity: number }[]) {
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
  const view: GoodsReturnView = {
    returnId: `${o.order.orderId}-G${o.returns.length + 1}`,
    orderNo: c.orderNo,
    lines: r.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    status: 'FILED',
    ...returnValue(o, r.lines),
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
  const refund = await refundPayment(o, {
    amountFen: view.refundFen,
    reason: `goods returned (${view.returnId}): ${r.reason}`.slice(0, 256),
    requestedBy: r.operator,
  });
  // The quota is the customs' count of what came in: customs took the goods back, whatever the refund does.
  await giveQuotaBack(o, view.returnId, view.quotaFen);
  view.quotaGivenBack = true;
  publish(o);
  await followOperatorRefund(o, refund, (amountFen) => refundPayment(o, { amountFen, reason: refund.reason, requestedBy: r.operator }));
}

/** Reads receipts until customs accepts (399) or refuses (100) the return; true when it accepted. */
async function awaitReturnReceipt(o: OrderState, c: CustomsOrder, view: GoodsReturnView, guid: string): Promise<boolean> {
  const scope = `return:${view.returnId}`;
  for (let polls = 0; ; polls++) {
    publishPending(o);
    // Hourly after the first few hours, so a receipt that never comes keeps the history bounded.
    const gap = polls < RETURN_QUICK_POLLS ? customsPollGap(polls) : STUCK_POLL_GAP;
    await condition(() => o.pollRequested, gap, { summary: `Step 10: wait for the receipt of ${view.returnId}` });
    o.pollRequested = false;
    const receipts = await callRemote(o, 'customsReceipts', 'the customs receipts', (via) =>
      via.customs(`Step 10: receipts of ${c.orderNo}`).customsReceipts(c.orderNo),
    );
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
