import { ApplicationFailure } from '@temporalio/workflow';
import { isWholeAmount, wholeFenReason } from '../domain/amounts';
import { formatCny } from '../domain/limits';
import {
  QUOTA_EXCEEDED,
  type QuotaClose,
  type QuotaCommit,
  type QuotaHold,
  type QuotaPayment,
  type QuotaReservation,
  type QuotaReturn,
  type QuotaState,
  type QuotaUsage,
} from '../domain/quota-api';
import { hasLapsed, judgeClose, judgeCommit, type Refusal } from '../domain/quota-holds';
import { judgeReturn } from '../domain/quota-returns';

// The rules of the quota entity's updates (workflows/quota.ts): each refuses by a named rule, in the
// validator and again in the handler, since the state may have moved between the two.

const invalid = (message: string) =>
  ApplicationFailure.create({ type: 'INVALID_RESERVATION', message: `INVALID_RESERVATION: ${message}`, nonRetryable: true });
const refuse = (r: Refusal | undefined) => {
  if (r) throw ApplicationFailure.create({ type: r.rule, message: r.message, nonRetryable: true });
};

/**
 * Any client may send any value: an update that names no order is refused by rule, not with a TypeError. An
 * id that names an inherited property (`__proto__`, `constructor`) would read or write the prototype of `orders`.
 */
const refuseMalformed = (u: unknown, rule = 'INVALID_RESERVATION') => {
  const orderId = typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as { orderId?: unknown }).orderId : undefined;
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 128 || orderId in Object.prototype) {
    const message = `${rule}: an update is an object that names the order (orderId, 1 to 128 characters)`;
    throw ApplicationFailure.create({ type: rule, message, nonRetryable: true });
  }
};

/** The checks of each update against the entity's state. */
export function quotaRules(state: QuotaState, usage: () => QuotaUsage) {
  const refuseInvalidAmount = (amountFen: number) => {
    if (!isWholeAmount(amountFen, 1)) throw invalid(wholeFenReason('amountFen', 1));
  };

  const refuseIfNoRoom = (amountFen: number, why = '') => {
    const u = usage();
    if (amountFen > u.remainingFen) {
      throw ApplicationFailure.create({
        type: QUOTA_EXCEEDED,
        message:
          `${QUOTA_EXCEEDED}: the buyer's ${state.year} cross-border quota is ${formatCny(state.limitFen)}; ` +
          `${formatCny(u.reservedFen + u.committedFen)} is used, ${formatCny(u.remainingFen)} is left, ` +
          `and this order needs ${formatCny(amountFen)}${why}`,
        nonRetryable: true,
        details: [u],
      });
    }
  };

  /** The same order must always name the same amount. */
  const refuseOtherAmount = (orderId: string, amountFen: number) => {
    const existing = state.orders[orderId];
    if (existing && existing.amountFen !== amountFen) {
      throw invalid(`order ${orderId} already holds ${formatCny(existing.amountFen)} of the quota`);
    }
  };

  const checkReservation = (r: QuotaReservation) => {
    refuseMalformed(r);
    const { orderId, amountFen, holdUntil } = r;
    refuseInvalidAmount(amountFen);
    if (holdUntil !== undefined && (!Number.isSafeInteger(holdUntil) || holdUntil <= Date.now())) {
      throw invalid('holdUntil must be a whole number of epoch milliseconds later than now');
    }
    const existing = state.orders[orderId];
    if (existing && !hasLapsed(existing, Date.now())) return refuseOtherAmount(orderId, amountFen); // again: idempotent
    refuseIfNoRoom(amountFen);
  };

  /** A paid order's reservation must count: one that lapsed (or was removed) is held again if there is room. */
  const checkPayment = (p: QuotaPayment) => {
    refuseMalformed(p);
    const { orderId, amountFen } = p;
    refuseInvalidAmount(amountFen);
    // Committed (perhaps less than reserved, for goods the buyer did not keep): it counts already.
    if (state.orders[orderId]?.status === 'COMMITTED') return;
    refuseOtherAmount(orderId, amountFen);
    holdAgainIfLapsed(orderId, amountFen);
  };

  const holdAgainIfLapsed = (orderId: string, amountFen: number) => {
    const existing = state.orders[orderId];
    if (existing && !hasLapsed(existing, Date.now())) return;
    refuseIfNoRoom(amountFen, '; its unpaid reservation lapsed before the payment');
  };

  const checkCommit = (c: QuotaCommit) => {
    refuseMalformed(c);
    const { orderId, amountFen } = c;
    const existing = state.orders[orderId] as QuotaHold | undefined;
    if (!existing && amountFen === undefined) {
      throw ApplicationFailure.create({
        type: 'UNKNOWN_RESERVATION',
        message:
          `order ${orderId} holds no reservation (an unpaid one that lapsed is removed: ` +
          'mark the order paid, or commit with its amountFen)',
        nonRetryable: true,
      });
    }
    // Only an absent amount means the hold's: null is what JSON makes of NaN and Infinity, and is refused.
    const amount = amountFen === undefined ? existing!.amountFen : amountFen;
    refuseInvalidAmount(amount);
    refuse(judgeCommit(orderId, existing, amount));
    if (existing?.status !== 'COMMITTED') holdAgainIfLapsed(orderId, amount);
  };

  const checkClose = (c: QuotaClose) => {
    refuseMalformed(c);
    refuse(judgeClose(c.orderId, state.orders[c.orderId]));
  };

  /** NEW or TAKEN (the same return again); throws the rule for a return the entity cannot take. */
  const checkReturn = (r: QuotaReturn) => {
    refuseMalformed(r, 'INVALID_RETURN');
    const verdict = judgeReturn(state, r);
    if (typeof verdict === 'object') throw ApplicationFailure.create({ type: verdict.rule, message: verdict.message, nonRetryable: true });
    return verdict;
  };

  return { checkReservation, checkPayment, checkCommit, checkClose, checkReturn, refuseMalformed };
}
