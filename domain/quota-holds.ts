import type { QuotaHold, QuotaState, QuotaUsage } from './quota-api';

// Which reservations count against a buyer's quota at an instant. An unpaid reservation with a holdUntil
// stops counting once that time passes, so a checkout nobody pays does not hold the quota for days.

/** An unpaid reservation whose holdUntil has passed: it no longer counts. */
export function hasLapsed(hold: QuotaHold, now: number): boolean {
  return hold.status === 'RESERVED' && !hold.paid && hold.holdUntil !== undefined && now >= hold.holdUntil;
}

/** A reservation that lapses at its holdUntil unless the order is paid first. */
const mayLapse = (hold: QuotaHold, now: number) =>
  hold.status === 'RESERVED' && !hold.paid && hold.holdUntil !== undefined && now < hold.holdUntil;

/** What returns gave back of a committed order. */
export function returnedFenOf(hold: QuotaHold): number {
  return Object.values(hold.returns ?? {}).reduce((sum, fen) => sum + fen, 0);
}

/** What an order counts against the quota: its amount, less what returns gave back. */
export function countedFen(hold: QuotaHold): number {
  return hold.amountFen - returnedFenOf(hold);
}

export function quotaUsage(state: QuotaState, now: number): QuotaUsage {
  let reservedFen = 0;
  let unpaidFen = 0;
  let lapsedFen = 0;
  let committedFen = 0;
  let returnedFen = 0;
  for (const hold of Object.values(state.orders)) {
    if (hold.status === 'COMMITTED') {
      committedFen += countedFen(hold);
      returnedFen += returnedFenOf(hold);
    } else if (hasLapsed(hold, now)) lapsedFen += hold.amountFen;
    else {
      reservedFen += hold.amountFen;
      if (mayLapse(hold, now)) unpaidFen += hold.amountFen;
    }
  }
  return {
    buyerKey: state.buyerKey,
    year: state.year,
    limitFen: state.limitFen,
    reservedFen,
    unpaidFen,
    lapsedFen,
    committedFen,
    returnedFen,
    remainingFen: state.limitFen - reservedFen - committedFen,
    renewals: state.renewals ?? 0,
  };
}

/** When the next reservation that still counts will lapse, if one may. */
export function nextLapseAt(orders: Record<string, QuotaHold>, now: number): number | undefined {
  let next: number | undefined;
  for (const hold of Object.values(orders)) {
    if (mayLapse(hold, now) && (next === undefined || hold.holdUntil! < next)) next = hold.holdUntil;
  }
  return next;
}

/** The orders without their lapsed unpaid reservations. */
export function withoutLapsed(orders: Record<string, QuotaHold>, now: number): Record<string, QuotaHold> {
  return Object.fromEntries(Object.entries(orders).filter(([, hold]) => !hasLapsed(hold, now)));
}
