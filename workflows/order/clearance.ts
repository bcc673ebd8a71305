import { allHandlersFinished, condition, sleep } from '@temporalio/workflow';
import { REFUND_WINDOW_MS } from '../../domain/limits';
import { customsOrdersOf } from '../../domain/order';
import type { Parties } from './activities';
import { compensate } from './compensation';
import { STUCK_POLL_GAP, customsPollGap } from './customs-polling';
import { continueAsNewWhenLong } from './continuation';
import { clearOnReceipts } from './customs-clearance';
import { clearStuck, end, markStuck, ordersCleared, publishPending, setStage, wait } from './progress';
import { closeQuotaHold, commitQuota } from './quota';
import { FinalAnswer, callRemote } from './remote-call';
import { iso, type OrderState } from './state';

// Step 9: the three-document match at the customs e-port. Alipay+ filed the payment document; the
// merchant files the order document and the carrier the waybill. Step 10: release for delivery.

const HOUR = 60 * 60 * 1000;

/** Whether customs cleared every customs order; when it rejected one, the payment has been refunded. */
export async function clearCustoms(o: OrderState): Promise<boolean> {
  if (o.cebCustoms) return clearOnReceipts(o);
  setStage(o, 'CLEARANCE', 'customs clearance (three-document match)');
  // A continued run finds the documents filed and goes on polling.
  if (!o.clearanceLoop) {
    await fileDocuments(o);
    o.clearanceLoop = { deadline: Date.now() + o.timeouts.clearanceDeadlineMs, polls: 0 };
  }
  const loop = o.clearanceLoop;
  for (; ; loop.polls++) {
    const open = o.clearance.filter((c) => c.status === 'PENDING');
    if (open.length === 0) break;
    await continueAsNewWhenLong(o, 'CLEARANCE');
    publishPending(o);
    await condition(() => o.pollRequested, o.stuck ? STUCK_POLL_GAP : customsPollGap(o.timeouts, loop.polls), {
      summary: 'Step 9: wait for the next clearance poll',
    });
    o.pollRequested = false;
    for (const c of open) {
      const r = await callRemote(o, 'eportClearance', 'e-port clearance inquiry', (via) =>
        via.eport(`Step 9: clearance of ${c.customsOrderId}`).inquireClearance({ orderNo: c.customsOrderId }),
      );
      if (r.status === 'RELEASED' || r.status === 'REJECTED') Object.assign(c, { status: r.status, reason: r.reason });
    }
    const rejected = o.clearance.find((c) => c.status === 'REJECTED');
    if (rejected) {
      await compensate(
        o,
        `CUSTOMS_CLEARANCE_REJECTED: customs rejected order ${rejected.customsOrderId}: ${rejected.reason ?? 'no reason given'}`,
        'Customs did not clear your order, so it cannot be delivered. Your payment has been refunded.',
      );
      return false;
    }
    if (!o.stuck && Date.now() >= loop.deadline) {
      markStuck(
        o,
        'CLEARANCE_DEADLINE',
        `customs has not cleared ${open.map((c) => c.customsOrderId).join(', ')} within ${Math.round(o.timeouts.clearanceDeadlineMs / HOUR)} hours`,
      );
    }
  }
  clearStuck(o);
  return true;
}

/** The merchant's order document and the carrier's waybill, for each customs order. */
async function fileDocuments(o: OrderState) {
  const items = o.declarations.length === 1 ? o.order.items : [];
  for (const d of o.declarations) {
    await file(o, 'eportOrderDocument', 'e-port order document', (via) =>
      via.eport(`Step 9: order document ${d.customsOrderId}`).submitOrderDocument({
        orderNo: d.customsOrderId,
        ebpCode: d.merchantCustomsCode,
        goodsValueFen: d.amountFen,
        buyer: o.order.buyer,
        items: items.map((i) => ({ name: i.name, quantity: i.quantity, valueFen: i.unitPriceFen * i.quantity })),
      }),
    );
    const part = customsOrdersOf(o.order).find((p) => p.customsOrderId === d.customsOrderId)!;
    await file(o, 'eportWaybill', 'e-port waybill', (via) =>
      via.eport(`Step 9: waybill ${d.customsOrderId}`).submitWaybill({
        orderNo: d.customsOrderId,
        waybillNo: part.waybillNo,
        carrier: o.order.logistics.carrier,
      }),
    );
    o.clearance.push({ customsOrderId: d.customsOrderId, status: 'PENDING' });
  }
}

/** Files one document; customs may have decided on it already when an earlier answer was lost. */
async function file(o: OrderState, call: 'eportOrderDocument' | 'eportWaybill', what: string, run: (via: Parties) => Promise<void>) {
  try {
    await callRemote(o, call, what, run);
  } catch (error) {
    if (!(error instanceof FinalAnswer && error.handling === 'ALREADY_DONE')) throw error;
  }
  o.documentsFiled += 1;
}

// Step 10: release for delivery, commit the quota, then take refunds until the 90-day window closes.
export async function releaseForDelivery(o: OrderState) {
  await commitQuota(o);
  ordersCleared.add(1);
  const closesAt = o.paidAtMs! + REFUND_WINDOW_MS;
  o.refundWindowOpen = true;
  setStage(o, 'RELEASED_FOR_DELIVERY', `refund requests, until the refund window closes at ${iso(closesAt)}`);
  publishPending(o);
  if (closesAt > Date.now()) await sleep(closesAt - Date.now(), { summary: 'Step 10: the 90-day refund window' });
  o.refundWindowOpen = false;
  await condition(allHandlersFinished);
  // A return customs refused is answered by the window's close: no return can follow it now.
  for (const scope of Object.keys(o.stuckReasons).filter((k) => k.startsWith('return:'))) clearStuck(o, scope);
  if (o.refundsFollowed > 0) {
    // The order ends only when every refund is final (a failed one once an operator decided).
    wait(o, 'the final status of the refunds under way');
    publishPending(o);
    await condition(() => o.refundsFollowed === 0 && allHandlersFinished(), { summary: 'Wait for every refund to be final' });
  }
  // No refund or return can follow: the buyer's quota entity need not stay open for this order.
  await closeQuotaHold(o);
  end(o, 'COMPLETED', 'CLEARED: released for delivery; the refund window has closed', 'Your order cleared customs and was delivered.');
  publishPending(o);
}
