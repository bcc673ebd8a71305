import { patched, workflowInfo } from '@temporalio/workflow';
import type { OrderState } from './state';

// Versions of the order workflow and the quota entity that change the commands they issue
// (docs/replay-and-versioning.md). Every patch id is declared here once; the replay test reads PATCHES.

/** Patches taken where the new branch starts; `since()` implies them for lean orders. */
export const CONFIRM_NOTIFIED_PAYMENT = 'confirm-notified-payment';
export const CONFIRMATION_OUTWAITS_PROCESSING = 'confirmation-outwaits-processing';
export const CONFIRM_FAILED_NOTIFICATION = 'confirm-failed-notification';
export const CANCEL_THROUGH_CALL_REMOTE = 'cancel-through-call-remote';
export const FAILED_REFUND_WAITS_FOR_OPERATOR = 'failed-refund-waits-for-operator';
export const IDENTITY_ON_RETRANSMISSION = 'identity-on-retransmission';
export const STALE_CUSTOMS_ANSWER = 'stale-customs-answer';
export const CORRECTION_IN_FLIGHT = 'correction-in-flight';
export const STUCK_REASON_PER_SCOPE = 'stuck-reason-per-scope';
export const CONFIGURATION_RETRIES_DECLARE_AND_REFUND = 'configuration-retries-declare-and-refund';
export const QUOTA_HELD_FOR_PAYMENT = 'quota-held-for-payment';
export const CONTINUE_AS_NEW_WHEN_LONG = 'continue-as-new-when-long';
/** After a fired timer, decide at the time the timer was set for (../wake-time.ts; the quota entity too). */
export const DECIDE_AT_WAKE_TIME = 'decide-at-wake-time';

/**
 * Orders started by this code: calls as local activities first, no watch timer unless a call is slow,
 * search attributes upserted once per workflow task. It implies every patch before it, so such an order
 * carries this one marker instead of one for each.
 */
export const LEAN_ORDER = 'lean-order';

/**
 * Orders started by this code pass the real-name gate on Alipay+'s identityCheckResult alone (the answer to
 * declare with buyerCertificate) and the merchant's own check at checkout. Orders before it also required the
 * sandbox's payerRealNameVerified, a field Alipay+ does not have. Read once, at the start, next to LEAN_ORDER.
 */
export const IDENTITY_CHECK_GATE = 'identity-check-gate';

/**
 * Refunds settle later: an accepted refund is PROCESSING until Alipay+ notifies (or an inquiry shows) SUCCESS
 * or FAIL; the order ends only when every refund is final. Read once, at the start of each run, next to
 * LEAN_ORDER. Orders started before it took the refund answer as money returned.
 */
export const REFUNDS_SETTLE_LATER = 'refunds-settle-later';

/**
 * Steps 9 and 10 on the China E-port's messages: the order files the signed order document (CEB311), the
 * waybill (CEB511) and the inventory list (CEB621), follows their receipts to release (800), takes returns
 * (CEB625) that give quota back, and checks out with the retail-import tax in the total. Read once, at the
 * start of each run, next to LEAN_ORDER. Orders before it filed the e-port stand-in's JSON documents.
 */
export const CEB_CUSTOMS = 'ceb-customs';

/**
 * Money and quota stay exact where features meet (docs/money-and-quota.md): a split order settles per part,
 * money that arrives as the order closes is refunded, refunds carry the caller's key and count what is on its
 * way back, returns have a deadline, the quota entity is told when the order is final. Read once, at the start
 * of each run, next to LEAN_ORDER; a continued run keeps the flag its order started with.
 */
export const EXACT_MONEY = 'exact-money';

/** The quota entity wakes when an unpaid reservation lapses (../quota.ts); runs recorded before holdUntil existed have none. */
export const QUOTA_LAPSE_TIMER = 'quota-lapse-timer';

/**
 * The quota entity, after the year: committed holds whose order may still give quota back keep it open (until
 * their order closes them, or a bounded time after the commit). Asked only where the entity used to end, so
 * old runs end as recorded.
 */
export const QUOTA_OPEN_FOR_COMMITTED = 'quota-open-for-committed';

/** Every patch id of the order workflow, in the order they shipped. */
export const ORDER_PATCHES = [
  CONFIRM_NOTIFIED_PAYMENT,
  CONFIRMATION_OUTWAITS_PROCESSING,
  CONFIRM_FAILED_NOTIFICATION,
  CANCEL_THROUGH_CALL_REMOTE,
  FAILED_REFUND_WAITS_FOR_OPERATOR,
  IDENTITY_ON_RETRANSMISSION,
  STALE_CUSTOMS_ANSWER,
  CORRECTION_IN_FLIGHT,
  STUCK_REASON_PER_SCOPE,
  CONFIGURATION_RETRIES_DECLARE_AND_REFUND,
  QUOTA_HELD_FOR_PAYMENT,
  CONTINUE_AS_NEW_WHEN_LONG,
  DECIDE_AT_WAKE_TIME,
  LEAN_ORDER,
  IDENTITY_CHECK_GATE,
  REFUNDS_SETTLE_LATER,
  CEB_CUSTOMS,
  EXACT_MONEY,
] as const;

/** Every patch id of the quota entity. */
export const QUOTA_PATCHES = [QUOTA_LAPSE_TIMER, DECIDE_AT_WAKE_TIME, QUOTA_OPEN_FOR_COMMITTED] as const;

/** Every patch id in workflows/, each once. */
export const PATCHES: readonly string[] = [...new Set<string>([...ORDER_PATCHES, ...QUOTA_PATCHES])];

/** Whether the order runs with the behaviour of `patchId`: orders started lean always do. */
export function since(o: OrderState, patchId: string): boolean {
  return o.lean || patched(patchId);
}

/**
 * The time checkout's requests carry. A local activity's input is recorded only when its workflow task
 * completes, so a task that is tried again (its worker died) sends the request anew. A lean order takes the
 * workflow's start then, the same in every try, so the repeat is identical and Alipay+ answers it
 * idempotently. (Not `runStartTime`: the SDK sets it to the current workflow task's time.)
 */
export function checkoutTime(o: OrderState): number {
  return o.lean ? workflowInfo().startTime.getTime() : Date.now();
}
