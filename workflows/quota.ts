import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { formatCny } from '../domain/limits';
import {
  QUOTA_EXCEEDED,
  commitQuotaUpdate,
  quotaUsageQuery,
  releaseQuotaUpdate,
  reserveQuotaUpdate,
  type QuotaState,
  type QuotaUsage,
} from '../domain/quota-api';

/** Reservations stay open this long after the year ends, for orders checked out in its last days. */
const GRACE_AFTER_YEAR_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * One buyer's cross-border spending in one customs year. Updates run one at a time in this workflow,
 * so however many orders of the buyer start at once, the validator sees every earlier reservation.
 */
export async function buyerQuotaWorkflow(state: QuotaState): Promise<QuotaUsage> {
  let updatesThisRun = 0;

  const usage = (): QuotaUsage => {
    let reservedFen = 0;
    let committedFen = 0;
    for (const o of Object.values(state.orders)) {
      if (o.status === 'RESERVED') reservedFen += o.amountFen;
      else committedFen += o.amountFen;
    }
    return {
      buyerKey: state.buyerKey,
      year: state.year,
      limitFen: state.limitFen,
      reservedFen,
      committedFen,
      remainingFen: state.limitFen - reservedFen - committedFen,
      renewals: state.renewals ?? 0,
    };
  };

  const refuseIfOver = ({ orderId, amountFen }: { orderId: string; amountFen: number }) => {
    if (!Number.isInteger(amountFen) || amountFen <= 0) {
      throw ApplicationFailure.create({
        type: 'INVALID_RESERVATION',
        message: 'amountFen must be a whole number of fen above 0',
        nonRetryable: true,
      });
    }
    const existing = state.orders[orderId];
    if (existing) {
      if (existing.amountFen !== amountFen) {
        throw ApplicationFailure.create({
          type: 'INVALID_RESERVATION',
          message: `order ${orderId} already holds ${formatCny(existing.amountFen)} of the quota`,
          nonRetryable: true,
        });
      }
      return; // the same reservation again: idempotent
    }
    const u = usage();
    if (amountFen > u.remainingFen) {
      throw ApplicationFailure.create({
        type: QUOTA_EXCEEDED,
        message:
          `${QUOTA_EXCEEDED}: the buyer's ${state.year} cross-border quota is ${formatCny(state.limitFen)}; ` +
          `${formatCny(u.reservedFen + u.committedFen)} is used, ${formatCny(u.remainingFen)} is left, ` +
          `and this order needs ${formatCny(amountFen)}`,
        nonRetryable: true,
        details: [u],
      });
    }
  };

  setHandler(
    reserveQuotaUpdate,
    (r) => {
      refuseIfOver(r); // again in the handler: the state may have moved since validation
      state.orders[r.orderId] ??= { amountFen: r.amountFen, status: 'RESERVED' };
      updatesThisRun++;
      return usage();
    },
    { validator: refuseIfOver },
  );

  setHandler(
    commitQuotaUpdate,
    ({ orderId }) => {
      const o = state.orders[orderId];
      o.status = 'COMMITTED';
      updatesThisRun++;
      return usage();
    },
    {
      validator: ({ orderId }: { orderId: string }) => {
        if (!state.orders[orderId]) {
          throw ApplicationFailure.create({
            type: 'UNKNOWN_RESERVATION',
            message: `order ${orderId} holds no reservation`,
            nonRetryable: true,
          });
        }
      },
    },
  );

  setHandler(
    releaseQuotaUpdate,
    ({ orderId }) => {
      // Releasing twice, or releasing what was never reserved, changes nothing.
      if (state.orders[orderId]?.status === 'RESERVED') delete state.orders[orderId];
      updatesThisRun++;
      return usage();
    },
    {
      validator: ({ orderId }: { orderId: string }) => {
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

  setHandler(quotaUsageQuery, usage);

  // The customs year ends at midnight China Standard Time (UTC+8).
  const yearEndsAt = Date.UTC(state.year + 1, 0, 1) - 8 * 60 * 60 * 1000 + GRACE_AFTER_YEAR_MS;
  const openReservations = () => Object.values(state.orders).some((o) => o.status === 'RESERVED');
  const shouldRenew = () =>
    workflowInfo().continueAsNewSuggested || (state.updatesPerRun !== undefined && updatesThisRun >= state.updatesPerRun);

  for (;;) {
    const yearOver = Date.now() >= yearEndsAt;
    if (yearOver && !openReservations()) break;
    if (shouldRenew()) {
      // Let in-flight handlers finish so no update is lost, then carry the state into a fresh history.
      await condition(allHandlersFinished);
      await continueAsNew<typeof buyerQuotaWorkflow>({ ...state, renewals: (state.renewals ?? 0) + 1 });
    }
    const wake = () => shouldRenew() || (Date.now() >= yearEndsAt && !openReservations());
    if (yearOver) await condition(wake);
    else await condition(wake, yearEndsAt - Date.now());
  }
  await condition(allHandlersFinished);
  return usage();
}
