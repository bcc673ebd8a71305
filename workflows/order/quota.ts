import { ApplicationFailure } from '@temporalio/workflow';
import { customsYear } from '../../domain/limits';
import { quotaAmountFen } from '../../domain/order';
import { finalCode } from './failures';
import { setStage } from './progress';
import { FinalAnswer, callOnce, callRemote } from './remote-call';
import type { OrderState } from './state';
import { QUOTA_HELD_FOR_PAYMENT, checkoutTime, since } from './versions';

const MINUTE = 60 * 1000;
/** How long after the payment expires an unpaid reservation still counts. */
const UNPAID_HOLD_GRACE = 60 * MINUTE;

// Steps 1 and 10: the order's share of the buyer's annual quota, held by the per-buyer, per-year entity
// workflow: reserved at checkout, committed at release, released when the order ends otherwise.

/**
 * What the order counts against the buyer's annual limit: the transaction's dutiable value (goods and
 * freight, without the tax, 财关税〔2016〕18号) for orders that check out with the tax; the total before.
 */
export function quotaFen(o: OrderState): number {
  return quotaAmountFen(o.order, o.cebCustoms);
}

/** What a released order counts: the dutiable value of the parts it delivers, not of those settled (part-settlement.ts). */
export function keptQuotaFen(o: OrderState, wholeFen: number): number {
  return wholeFen - o.customs.reduce((sum, c) => sum + (c.settlement?.quotaFen ?? 0), 0);
}

export async function reserveQuota(o: OrderState): Promise<boolean> {
  setStage(o, 'RESERVING_QUOTA', "the buyer's annual quota reservation");
  const buyerKey = await callOnce(
    o,
    'the buyer quota key',
    (via) =>
      via.quotaEntity('Step 1: key the buyer quota').buyerQuotaKey({
        certificateType: o.order.buyer.certificateType,
        certificateNo: o.order.buyer.certificateNo,
      }),
    { watched: false },
  );
  const now = checkoutTime(o);
  const year = customsYear(now);
  try {
    // Unpaid, the reservation lapses an hour after the payment expires, even if this order stalls.
    const holdUntil = now + o.order.paymentExpiryMinutes * MINUTE + UNPAID_HOLD_GRACE;
    await callOnce(
      o,
      'the quota reservation',
      (via) =>
        via
          .quotaEntity('Step 1: reserve the annual quota')
          .reserveQuota({ buyerKey, year, orderId: o.order.orderId, amountFen: quotaFen(o), holdUntil }),
      { watched: false },
    );
  } catch (error) {
    const f = finalCode(error);
    if (!f) throw error;
    o.checkoutFailure = ApplicationFailure.create({ type: f.code, message: f.message, nonRetryable: true });
    return false;
  }
  o.quota = { buyerKey, year, held: 'RESERVED' };
  return true;
}

/**
 * Step 5: the payment is confirmed, so the reservation holds until it is committed or released, past its
 * unpaid hold. False when the hold had lapsed and the quota has no room left: the order must refund.
 */
export async function holdQuotaForPayment(o: OrderState): Promise<boolean> {
  // Orders reserved before unpaid holds lapsed have nothing to mark.
  if (!o.quota || !since(o, QUOTA_HELD_FOR_PAYMENT)) return true;
  const { buyerKey, year } = o.quota;
  try {
    await callRemote(
      o,
      'quotaMarkPaid',
      'the quota hold for the payment',
      (via) =>
        via.quotaEntity('Step 5: hold the annual quota for the payment').markQuotaPaid({
          buyerKey,
          year,
          orderId: o.order.orderId,
          amountFen: quotaFen(o),
        }),
      { watched: false },
    );
    return true;
  } catch (error) {
    if (!(error instanceof FinalAnswer)) throw error;
    o.quota.held = 'RELEASED'; // the entity holds nothing for this order
    return false;
  }
}

export async function commitQuota(o: OrderState) {
  const { buyerKey, year } = o.quota!;
  await callRemote(
    o,
    'quotaCommit',
    'the quota commit',
    (via) =>
      via.quotaEntity('Step 10: commit the annual quota').commitQuota({
        buyerKey,
        year,
        orderId: o.order.orderId,
        // A split order counts only the parts it delivers.
        amountFen: o.exactMoney ? keptQuotaFen(o, quotaFen(o)) : quotaFen(o),
        // The order closes its hold when final (closeQuotaHold), so the entity stays open until then.
        ...(o.exactMoney && { untilClosed: true }),
      }),
    { watched: false },
  );
  o.quota!.held = 'COMMITTED';
}

/**
 * The order is final for the quota (the refund window closed, every refund and return settled): its entity
 * need no longer stay open for it. Only orders that committed with `untilClosed` (exact-money).
 */
export async function closeQuotaHold(o: OrderState) {
  if (!o.exactMoney || o.quota?.held !== 'COMMITTED') return;
  const { buyerKey, year } = o.quota;
  try {
    await callRemote(
      o,
      'quotaClose',
      'the quota hold closed',
      (via) => via.quotaEntity('Step 10: close the annual quota hold').closeQuotaHold({ buyerKey, year, orderId: o.order.orderId }),
      { watched: false },
    );
  } catch (error) {
    if (!(error instanceof FinalAnswer && error.handling === 'ALREADY_DONE')) throw error;
  }
}

export async function releaseQuota(o: OrderState) {
  if (o.quota?.held !== 'RESERVED') return;
  const { buyerKey, year } = o.quota;
  try {
    await callRemote(
      o,
      'quotaRelease',
      'the quota release',
      (via) => via.quotaEntity('Release the annual quota').releaseQuota({ buyerKey, year, orderId: o.order.orderId }),
      { watched: false },
    );
  } catch (error) {
    if (!(error instanceof FinalAnswer && error.handling === 'ALREADY_DONE')) throw error;
  }
  o.quota.held = 'RELEASED';
}

/** Step 10, a return customs accepted: the buyer's year total is adjusted by the returned goods' dutiable value. */
export async function giveQuotaBack(o: OrderState, returnId: string, amountFen: number) {
  const { buyerKey, year } = o.quota!;
  await callRemote(
    o,
    'quotaReturn',
    'the quota given back for a return',
    (via) =>
      via.quotaEntity('Step 10: give the annual quota back for returned goods').returnQuota({
        buyerKey,
        year,
        orderId: o.order.orderId,
        returnId,
        amountFen,
      }),
    { watched: false },
  );
}
