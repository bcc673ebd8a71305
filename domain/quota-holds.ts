import { formatCny } from './limits';
import {
  CLOSE_NOT_COMMITTED,
  COMMIT_AMOUNT_CHANGED,
  COMMIT_EXCEEDS_HOLD,
  type QuotaHold,
  type QuotaState,
  type QuotaUsage,
} from './quota-api';

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

// How long the entity answers for a committed hold (issue 23): until its order closes it, or, for orders
// that never close theirs (started before exact-money), the 30-day return window from release and a margin
// for the return's customs receipt and refund. Holds committed before committedAt was kept close nothing.

/** Returns within 30 days of release, plus 30 days for their receipt and refund; release and commit are one step. */
export const UNCLOSED_COMMIT_OPEN_MS = 60 * 24 * 60 * 60 * 1000;

/** Whether this committed hold's order may still change it (a return), so the entity must stay open. */
export function keepsEntityOpen(hold: QuotaHold, now: number): boolean {
  if (hold.status !== 'COMMITTED' || hold.closed) return false;
  if (hold.untilClosed) return true;
  return hold.committedAt !== undefined && now < hold.committedAt + UNCLOSED_COMMIT_OPEN_MS;
}

/** When the next committed hold of an order that never closes stops keeping the entity open. */
export function nextCommitExpiryAt(orders: Record<string, QuotaHold>, now: number): number | undefined {
  let next: number | undefined;
  for (const hold of Object.values(orders)) {
    if (!keepsEntityOpen(hold, now) || hold.untilClosed) continue;
    const at = hold.committedAt! + UNCLOSED_COMMIT_OPEN_MS;
    if (next === undefined || at < next) next = at;
  }
  return next;
}

export interface Refusal {
  rule: string;
  message: string;
}
const refusal = (rule: string, message: string): Refusal => ({ rule, message: `${rule}: ${message}` });

/**
 * A commit names at most what the order holds: less when goods went back abroad or were refused. The same
 * commit again is taken and changes nothing; another amount after the commit is refused.
 */
export function judgeCommit(orderId: string, hold: QuotaHold | undefined, amountFen: number): Refusal | undefined {
  if (!hold) return undefined;
  if (hold.status === 'COMMITTED') {
    if (amountFen === hold.amountFen) return undefined;
    return refusal(
      COMMIT_AMOUNT_CHANGED,
      `order ${orderId} committed ${formatCny(hold.amountFen)} of the quota; a commit cannot change it to ${formatCny(amountFen)}`,
    );
  }
  if (amountFen > hold.amountFen) {
    return refusal(
      COMMIT_EXCEEDS_HOLD,
      `order ${orderId} holds ${formatCny(hold.amountFen)} of the quota; a commit may name less, not ${formatCny(amountFen)}`,
    );
  }
  return undefined;
}

/** Only a committed hold is closed; closing it again, or an order the entity holds nothing for, changes nothing. */
export function judgeClose(orderId: string, hold: QuotaHold | undefined): Refusal | undefined {
  if (typeof orderId !== 'string' || orderId.length === 0) return refusal(CLOSE_NOT_COMMITTED, 'a close names its orderId');
  if (hold?.status === 'RESERVED') {
    return refusal(CLOSE_NOT_COMMITTED, `order ${orderId} holds a reservation, not a commit: commit or release it, then close`);
  }
  return undefined;
}
