import type { OperatorAction } from '../../domain/order-api';
import { partValueOf } from '../../domain/order-parts';
import { compensate, refundInFull } from './compensation';
import type { CustomsOrder } from './customs-receipts';
import { clearStuck, publish, setStage } from './progress';
import { iso, type OrderState } from './state';

// A split order settles per part (docs/money-and-quota.md): a part customs sends back abroad, or an
// operator gives up, refunds its own share of the payment and is left out of the quota; the other parts
// go on to release. When no part is left to deliver, the order is refunded as a whole.

/** Parts still on their way to release: neither released nor settled. */
export const partsUnderway = (o: OrderState) => o.customs.filter((c) => c.state !== 'RELEASED' && !c.settlement);

/**
 * Settles the parts customs sent back abroad. False when the order ended: nothing is left to deliver, so
 * the whole payment was refunded and the quota given back.
 */
export async function settleReturnedParts(o: OrderState): Promise<boolean> {
  const returned = o.customs.filter((c) => c.state === 'RETURNED_ABROAD' && !c.settlement);
  if (returned.length === 0) return true;
  if (!o.customs.some((c) => c.state === 'RELEASED' || (c.state !== 'RETURNED_ABROAD' && !c.settlement))) {
    const last = returned.at(-1)!;
    await compensate(
      o,
      `CUSTOMS_RETURNED_ABROAD: customs sent the goods of ${last.orderNo} back abroad: ${last.inventory.returnInfo ?? 'no reason given'}`,
      'Customs did not let your goods in, so they cannot be delivered. Your payment has been refunded.',
    );
    return false;
  }
  for (const c of returned) {
    await settlePart(
      o,
      c,
      `CUSTOMS_RETURNED_ABROAD: customs sent the goods of ${c.orderNo} back abroad: ${c.inventory.returnInfo ?? 'no reason given'}`,
    );
  }
  return true;
}

/**
 * An operator cancelled an order some of whose parts customs released: the parts not released (held past
 * their deadline, or refused and given up) are refunded, and the order goes on to deliver the rest.
 */
export async function cancelUnreleasedParts(o: OrderState, by: OperatorAction) {
  setStage(o, 'COMPENSATING', 'the refund of the parts not released');
  for (const c of partsUnderway(o)) {
    await settlePart(o, c, `CANCELLED_BY_OPERATOR: ${by.operator}: ${by.reason}`);
    clearStuck(o, `customs:${c.orderNo}`);
  }
}

/** Refunds the part's share of the payment; the quota commit leaves its dutiable value out. */
async function settlePart(o: OrderState, c: CustomsOrder, reason: string) {
  const part = partValueOf(o.order, c.orderNo);
  c.settlement = { reason, refundFen: part.paidFen, quotaFen: part.dutiableFen, at: iso(Date.now()) };
  publish(o);
  await refundInFull(o, part.paidFen, { reason: reason.slice(0, 256), requestedBy: 'orchestrator' });
}
