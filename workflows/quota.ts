import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { formatCny } from '../domain/limits';
import { QUOTA_LAPSE_TIMER } from './order/versions';
import { waitUntil } from './wake-time';
import { judgeReturn, takeReturn } from '../domain/quota-returns';
import { hasLapsed, nextLapseAt, quotaUsage, withoutLapsed } from '../domain/quota-holds';
import {
  QUOTA_EXCEEDED,
  commitQuotaUpdate,
  markQuotaPaidUpdate,
  quotaUsageQuery,
  releaseQuotaUpdate,
  reserveQuotaUpdate,
  returnQuotaUpdate,
  type QuotaCommit,
  type QuotaHold,
  type QuotaPayment,
  type QuotaReservation,
  type QuotaReturn,
  type QuotaState,
  type QuotaUsage,
} from '../domain/quota-api';

/** Reservations stay open this long after the year ends, for orders checked out in its last days. */
const GRACE_AFTER_YEAR_MS = 30 * 24 * 60 * 60 * 1000;

const invalid = (message: string) => ApplicationFailure.create({ type: 'INVALID_RESERVATION', message, nonRetryable: true });

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

/**
 * One buyer's cross-border spending in one customs year. Updates run one at a time in this workflow,
 * so however many orders of the buyer start at once, the validator sees every earlier reservation.
 * An unpaid reservation with a holdUntil stops counting once that time passes (domain/quota-holds.ts).
 */
export async function buyerQuotaWorkflow(state: QuotaState): Promise<QuotaUsage> {
  let updatesThisRun = 0;
  // The customs year ends at midnight China Standard Time (UTC+8).
  const yearEndsAt = Date.UTC(state.year + 1, 0, 1) - 8 * 60 * 60 * 1000 + GRACE_AFTER_YEAR_MS;

  const usage = () => quotaUsage(state, Date.now());

  // Lapsed reservations leave the state so it does not grow. After the year the entity keeps them: it
  // stays open until their orders end, so their release (or markPaid) still finds it.
  const removeLapsed = (at = Date.now()) => {
    if (at < yearEndsAt) state.orders = withoutLapsed(state.orders, at);
  };

  const refuseInvalidAmount = (amountFen: number) => {
    if (!Number.isInteger(amountFen) || amountFen <= 0) throw invalid('amountFen must be a whole number of fen above 0');
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
    refuseOtherAmount(orderId, amountFen);
    const existing = state.orders[orderId];
    if (existing && !hasLapsed(existing, Date.now())) return;
    refuseIfNoRoom(amountFen, '; its unpaid reservation lapsed before the payment');
  };

  const checkCommit = (c: QuotaCommit) => {
    refuseMalformed(c);
    const { orderId, amountFen } = c;
    const existing = state.orders[orderId];
    if (!existing && amountFen === undefined) {
      throw ApplicationFailure.create({
        type: 'UNKNOWN_RESERVATION',
        message:
          `order ${orderId} holds no reservation (an unpaid one that lapsed is removed: ` +
          'mark the order paid, or commit with its amountFen)',
        nonRetryable: true,
      });
    }
    checkPayment({ orderId, amountFen: amountFen ?? existing.amountFen });
  };

  /** NEW or TAKEN (the same return again); throws the rule for a return the entity cannot take. */
  const checkReturn = (r: QuotaReturn) => {
    refuseMalformed(r, 'INVALID_RETURN');
    const verdict = judgeReturn(state, r);
    if (typeof verdict === 'object') throw ApplicationFailure.create({ type: verdict.rule, message: verdict.message, nonRetryable: true });
    return verdict;
  };

  setHandler(
    reserveQuotaUpdate,
    (r) => {
      checkReservation(r); // again in the handler: the state may have moved since validation
      const existing = state.orders[r.orderId];
      if (!existing || hasLapsed(existing, Date.now())) {
        state.orders[r.orderId] = {
          amountFen: r.amountFen,
          status: 'RESERVED',
          ...(r.holdUntil !== undefined && { holdUntil: r.holdUntil }),
        };
      }
      removeLapsed();
      updatesThisRun++;
      return usage();
    },
    { validator: checkReservation },
  );

  setHandler(
    markQuotaPaidUpdate,
    (p) => {
      checkPayment(p);
      const existing = state.orders[p.orderId];
      if (existing?.status !== 'COMMITTED')
        state.orders[p.orderId] = { ...existing, amountFen: p.amountFen, status: 'RESERVED', paid: true };
      removeLapsed();
      updatesThisRun++;
      return usage();
    },
    { validator: checkPayment },
  );

  setHandler(
    commitQuotaUpdate,
    (c) => {
      checkCommit(c);
      const existing = state.orders[c.orderId] as QuotaHold | undefined;
      // Committing again (a retried commit) keeps what returns gave back.
      const returns = existing?.returns;
      state.orders[c.orderId] = { amountFen: c.amountFen ?? existing!.amountFen, status: 'COMMITTED', ...(returns && { returns }) };
      removeLapsed();
      updatesThisRun++;
      return usage();
    },
    { validator: checkCommit },
  );

  setHandler(
    releaseQuotaUpdate,
    ({ orderId }) => {
      // Releasing twice, or releasing what was never reserved (or lapsed and was removed), changes nothing.
      if (state.orders[orderId]?.status === 'RESERVED') delete state.orders[orderId];
      removeLapsed();
      updatesThisRun++;
      return usage();
    },
    {
      validator: (r: { orderId: string }) => {
        refuseMalformed(r);
        const { orderId } = r;
        if (state.orders[orderId]?.status === 'COMMITTED') {
          throw ApplicationFailure.create({
            type: 'QUOTA_ALREADY_COMMITTED',
            message: `order ${orderId} cleared customs; its quota is committed and cannot be released`,
            nonRetryable: true,
          });
        }
      },
    },
  );

  // Goods returned within 30 days of release: the year's total is adjusted (海关总署公告2018年第194号).
  // Old histories never send it, so the handler needs no patch.
  setHandler(
    returnQuotaUpdate,
    (r) => {
      if (checkReturn(r) === 'NEW') takeReturn(state, r);
      removeLapsed();
      updatesThisRun++;
      return usage();
    },
    { validator: (r: QuotaReturn) => void checkReturn(r) },
  );

  setHandler(quotaUsageQuery, usage);

  const openReservations = () => Object.values(state.orders).some((o) => o.status === 'RESERVED');
  const shouldRenew = () =>
    workflowInfo().continueAsNewSuggested || (state.updatesPerRun !== undefined && updatesThisRun >= state.updatesPerRun);

  // The time decisions are made at: after a fired timer, the time it was set for (./wake-time.ts).
  let at = Date.now();
  for (;;) {
    removeLapsed(at);
    const yearOver = at >= yearEndsAt;
    if (yearOver && !openReservations()) break;
    if (shouldRenew()) {
      // Let in-flight handlers finish so no update is lost, then carry the state into a fresh history.
      await condition(allHandlersFinished);
      await continueAsNew<typeof buyerQuotaWorkflow>({ ...state, renewals: (state.renewals ?? 0) + 1 });
    }
    // Wake at the year's end and when the next unpaid reservation lapses, to remove it; a reservation
    // that lapses sooner, or is paid or released, changes that time.
    const lapseAt = nextLapseAt(state.orders, at);
    const wake = () =>
      shouldRenew() || (Date.now() >= yearEndsAt && !openReservations()) || nextLapseAt(state.orders, Date.now()) !== lapseAt;
    const wakeTimes = [...(yearOver ? [] : [yearEndsAt]), ...(lapseAt !== undefined && patched(QUOTA_LAPSE_TIMER) ? [lapseAt] : [])];
    if (wakeTimes.length === 0) {
      await condition(wake);
      at = Date.now();
    } else ({ at } = await waitUntil(Math.min(...wakeTimes), at, wake, 'the year end or the next lapse of an unpaid reservation'));
  }
  await condition(allHandlersFinished);
  return usage();
}
