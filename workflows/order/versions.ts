import { patched, workflowInfo } from '@temporalio/workflow';
import type { OrderState } from './state';

// Versions of the order workflow that change the commands it issues (docs/replay-and-versioning.md).

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
