import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { QUOTA_LAPSE_TIMER, QUOTA_OPEN_FOR_COMMITTED } from './order/versions';
import { quotaRules } from './quota-rules';
import { waitUntil } from './wake-time';
import { takeReturn } from '../domain/quota-returns';
import { hasLapsed, keepsEntityOpen, nextCommitExpiryAt, nextLapseAt, quotaUsage, withoutLapsed } from '../domain/quota-holds';
import {
  closeQuotaHoldUpdate,
  commitQuotaUpdate,
  markQuotaPaidUpdate,
  quotaUsageQuery,
  releaseQuotaUpdate,
  reserveQuotaUpdate,
  returnQuotaUpdate,
  type QuotaHold,
  type QuotaReturn,
  type QuotaState,
  type QuotaUsage,
} from '../domain/quota-api';

/** Reservations stay open this long after the year ends, for orders checked out in its last days. */
const GRACE_AFTER_YEAR_MS = 30 * 24 * 60 * 60 * 1000;

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

  const { checkReservation, checkPayment, checkCommit, checkClose, checkReturn, refuseMalformed } = quotaRules(state, usage);

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
      // Committing again (a retried commit) changes nothing: returns since count against the committed amount.
      if (existing?.status !== 'COMMITTED') {
        state.orders[c.orderId] = {
          amountFen: c.amountFen ?? existing!.amountFen,
          status: 'COMMITTED',
          committedAt: Date.now(),
          ...(c.untilClosed === true && { untilClosed: true }),
        };
      }
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

  // The order is final for the quota: its hold no longer keeps the entity open. Old histories never send it.
  setHandler(
    closeQuotaHoldUpdate,
    (c) => {
      checkClose(c);
      const hold = state.orders[c.orderId] as QuotaHold | undefined;
      if (hold?.status === 'COMMITTED') hold.closed = true;
      removeLapsed();
      updatesThisRun++;
      return usage();
    },
    { validator: checkClose },
  );

  setHandler(quotaUsageQuery, usage);

  const openReservations = () => Object.values(state.orders).some((o) => o.status === 'RESERVED');
  const openCommits = (now: number) => Object.values(state.orders).some((o) => keepsEntityOpen(o, now));
  // Set where the entity would have ended with commits still open, if this run takes the patch.
  let openForCommitted = false;
  const mayEnd = (now: number) => now >= yearEndsAt && !openReservations() && !(openForCommitted && openCommits(now));
  const shouldRenew = () =>
    workflowInfo().continueAsNewSuggested || (state.updatesPerRun !== undefined && updatesThisRun >= state.updatesPerRun);

  // The time decisions are made at: after a fired timer, the time it was set for (./wake-time.ts).
  let at = Date.now();
  for (;;) {
    removeLapsed(at);
    const yearOver = at >= yearEndsAt;
    if (mayEnd(at)) {
      if (openForCommitted || !openCommits(at)) break;
      openForCommitted = patched(QUOTA_OPEN_FOR_COMMITTED);
      if (!openForCommitted) break;
    }
    if (shouldRenew()) {
      // Let in-flight handlers finish so no update is lost, then carry the state into a fresh history.
      await condition(allHandlersFinished);
      await continueAsNew<typeof buyerQuotaWorkflow>({ ...state, renewals: (state.renewals ?? 0) + 1 });
    }
    // Wake at the year's end and when the next unpaid reservation lapses, to remove it; a reservation
    // that lapses sooner, or is paid or released, changes that time.
    const lapseAt = nextLapseAt(state.orders, at);
    // After the year, a commit of an order that never closes it keeps the entity open a bounded time.
    const expiryAt = openForCommitted ? nextCommitExpiryAt(state.orders, at) : undefined;
    const wake = () =>
      shouldRenew() ||
      mayEnd(Date.now()) ||
      nextLapseAt(state.orders, Date.now()) !== lapseAt ||
      (openForCommitted && nextCommitExpiryAt(state.orders, Date.now()) !== expiryAt);
    const wakeTimes = [
      ...(yearOver ? [] : [yearEndsAt]),
      ...(lapseAt !== undefined && patched(QUOTA_LAPSE_TIMER) ? [lapseAt] : []),
      ...(expiryAt !== undefined ? [expiryAt] : []),
    ];
    if (wakeTimes.length === 0) {
      await condition(wake);
      at = Date.now();
    } else {
      const summary =
        expiryAt === undefined
          ? 'the year end or the next lapse of an unpaid reservation'
          : "the end of a commit's return window or the next lapse of an unpaid reservation";
      ({ at } = await waitUntil(Math.min(...wakeTimes), at, wake, summary));
    }
  }
  await condition(allHandlersFinished);
  return usage();
}
