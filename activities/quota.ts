import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { normalizeCertificateNo } from '../domain/identity';
import { ANNUAL_QUOTA_FEN } from '../domain/limits';
import {
  QUOTA_ENTITY_CLOSED,
  closeQuotaHoldUpdate,
  commitQuotaUpdate,
  markQuotaPaidUpdate,
  quotaWorkflowId,
  releaseQuotaUpdate,
  reserveQuotaUpdate,
  returnQuotaUpdate,
  type QuotaState,
  type QuotaUsage,
} from '../domain/quota-api';

export interface QuotaDeps {
  temporal: Client;
  /**
   * The task queue new quota entities run on. Not the orders' queue: an order's local activity waits in its
   * workflow task for the entity's update, so entities need workflow task slots that orders cannot fill.
   */
  quotaTaskQueue: string;
  /** Secret for the buyer key, so the quota workflow's id never reveals an ID number. */
  buyerKeySecret: string;
  /** Continue-as-new cadence for the quota workflow; tests set it low. */
  quotaUpdatesPerRun?: number;
}

/**
 * A quota update the entity refused is final: its message names the rule and what is left. So is one to an
 * entity that is not running: retrying it would loop unseen, so the order shows it stuck instead.
 */
async function refusedIsFinal(r: { buyerKey: string; year: number }, call: () => Promise<QuotaUsage>): Promise<QuotaUsage> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ type: error.cause.type ?? 'QUOTA_REFUSED', message: error.cause.message, nonRetryable: true });
    }
    if (error instanceof WorkflowNotFoundError || error instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.create({
        type: QUOTA_ENTITY_CLOSED,
        message:
          `${QUOTA_ENTITY_CLOSED}: the quota entity of buyer ${r.buyerKey} for ${r.year} ` +
          `(workflow ${quotaWorkflowId(r.buyerKey, r.year)}) is not running, so it cannot take this update; ` +
          'reopen it (docs/operators.md, QUOTA_ENTITY_CLOSED), then poll the order to retry',
        nonRetryable: true,
      });
    }
    throw error;
  }
}

export function quotaActivities(deps: QuotaDeps) {
  return {
    // A keyed hash needs no I/O; activities still answer with a promise.
    buyerQuotaKey(buyer: { certificateType: string; certificateNo: string }): Promise<string> {
      // Normalized, so `e1234 5678` and `E12345678` are one buyer with one quota.
      const certificate = `${buyer.certificateType}:${normalizeCertificateNo(buyer.certificateNo)}`;
      return Promise.resolve(createHmac('sha256', deps.buyerKeySecret).update(certificate).digest('hex').slice(0, 32));
    },

    /**
     * Update-with-start: the first order of a buyer's year starts the entity, later ones join it.
     * `holdUntil` (epoch milliseconds, optional): after it the reservation stops counting unless the order
     * was marked paid (`markQuotaPaid`). Without it the reservation counts until committed or released.
     */
    async reserveQuota(r: { buyerKey: string; year: number; orderId: string; amountFen: number; holdUntil?: number }): Promise<QuotaUsage> {
      const initial: QuotaState = {
        buyerKey: r.buyerKey,
        year: r.year,
        limitFen: ANNUAL_QUOTA_FEN,
        orders: {},
        updatesPerRun: deps.quotaUpdatesPerRun,
      };
      return refusedIsFinal(r, () =>
        deps.temporal.workflow.executeUpdateWithStart(reserveQuotaUpdate, {
          args: [{ orderId: r.orderId, amountFen: r.amountFen, ...(r.holdUntil !== undefined && { holdUntil: r.holdUntil }) }],
          startWorkflowOperation: new WithStartWorkflowOperation('buyerQuotaWorkflow', {
            workflowId: quotaWorkflowId(r.buyerKey, r.year),
            taskQueue: deps.quotaTaskQueue,
            args: [initial],
            workflowIdConflictPolicy: 'USE_EXISTING',
            // A closed entity is never started afresh: an empty run would forget the year's commits.
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: `Cross-border quota of one buyer for ${r.year}`,
          }),
        }),
      );
    },

    /**
     * The order is paid: its reservation counts until committed or released, whatever its holdUntil said.
     * A reservation that already lapsed is held again if the quota has room, else refused with
     * ANNUAL_QUOTA_EXCEEDED (non-retryable), so the order can refund. Repeating it changes nothing.
     */
    async markQuotaPaid(r: { buyerKey: string; year: number; orderId: string; amountFen: number }): Promise<QuotaUsage> {
      const handle = deps.temporal.workflow.getHandle(quotaWorkflowId(r.buyerKey, r.year));
      return refusedIsFinal(r, () => handle.executeUpdate(markQuotaPaidUpdate, { args: [{ orderId: r.orderId, amountFen: r.amountFen }] }));
    },

    /**
     * `amountFen` (optional): what the buyer kept, at most the order's hold (COMMIT_EXCEEDS_HOLD otherwise); it
     * also lets the commit hold again a lapsed unpaid reservation the entity removed. `untilClosed`: the order
     * will call `closeQuotaHold` when final.
     */
    async commitQuota(r: {
      buyerKey: string;
      year: number;
      orderId: string;
      amountFen?: number;
      untilClosed?: boolean;
    }): Promise<QuotaUsage> {
      const handle = deps.temporal.workflow.getHandle(quotaWorkflowId(r.buyerKey, r.year));
      const commit = {
        orderId: r.orderId,
        ...(r.amountFen !== undefined && { amountFen: r.amountFen }),
        ...(r.untilClosed === true && { untilClosed: true }),
      };
      return refusedIsFinal(r, () => handle.executeUpdate(commitQuotaUpdate, { args: [commit] }));
    },

    /**
     * Goods of a released order came back within 30 days: the order counts `amountFen` less against the buyer's
     * year. Repeating a returnId changes nothing. Refused (non-retryable) with RETURN_NOT_COMMITTED for an order
     * whose quota is not committed, RETURN_EXCEEDS_COMMITTED for more than the order still counts.
     */
    async returnQuota(r: { buyerKey: string; year: number; orderId: string; returnId: string; amountFen: number }): Promise<QuotaUsage> {
      const handle = deps.temporal.workflow.getHandle(quotaWorkflowId(r.buyerKey, r.year));
      const update = { orderId: r.orderId, returnId: r.returnId, amountFen: r.amountFen };
      return refusedIsFinal(r, () => handle.executeUpdate(returnQuotaUpdate, { args: [update] }));
    },

    /**
     * The order is final for the quota (every refund and return settled): its committed hold no longer keeps
     * the entity open. Repeating it changes nothing; CLOSE_NOT_COMMITTED for a hold only reserved.
     */
    async closeQuotaHold(r: { buyerKey: string; year: number; orderId: string }): Promise<QuotaUsage> {
      const handle = deps.temporal.workflow.getHandle(quotaWorkflowId(r.buyerKey, r.year));
      return refusedIsFinal(r, () => handle.executeUpdate(closeQuotaHoldUpdate, { args: [{ orderId: r.orderId }] }));
    },

    async releaseQuota(r: { buyerKey: string; year: number; orderId: string }): Promise<QuotaUsage> {
      const handle = deps.temporal.workflow.getHandle(quotaWorkflowId(r.buyerKey, r.year));
      return refusedIsFinal(r, () => handle.executeUpdate(releaseQuotaUpdate, { args: [{ orderId: r.orderId }] }));
    },
  };
}
