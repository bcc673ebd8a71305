import { ApplicationFailure } from '@temporalio/workflow';
import { customsYear } from '../../domain/limits';
import { quotaEntity } from './activities';
import { finalCode } from './failures';
import { setStage } from './progress';
import type { OrderState } from './state';

// Steps 1 and 10: the order's share of the buyer's annual quota, held by the per-buyer, per-year entity
// workflow: reserved at checkout, committed at release, released when the order ends otherwise.

export async function reserveQuota(o: OrderState): Promise<boolean> {
  setStage(o, 'RESERVING_QUOTA', "the buyer's annual quota reservation");
  const buyerKey = await quotaEntity('Step 1: key the buyer quota').buyerQuotaKey({
    certificateType: o.order.buyer.certificateType,
    certificateNo: o.order.buyer.certificateNo,
  });
  const year = customsYear(Date.now());
  try {
    await quotaEntity('Step 1: reserve the annual quota').reserveQuota({
      buyerKey,
      year,
      orderId: o.order.orderId,
      amountFen: o.order.totalFen,
    });
  } catch (error) {
    const f = finalCode(error);
    if (!f) throw error;
    o.checkoutFailure = ApplicationFailure.create({ type: f.code, message: f.message, nonRetryable: true });
    return false;
  }
  o.quota = { buyerKey, year, held: 'RESERVED' };
  return true;
}

export async function commitQuota(o: OrderState) {
  await quotaEntity('Step 10: commit the annual quota').commitQuota({
    buyerKey: o.quota!.buyerKey,
    year: o.quota!.year,
    orderId: o.order.orderId,
  });
  o.quota!.held = 'COMMITTED';
}

export async function releaseQuota(o: OrderState) {
  if (o.quota?.held !== 'RESERVED') return;
  await quotaEntity('Release the annual quota').releaseQuota({ buyerKey: o.quota.buyerKey, year: o.quota.year, orderId: o.order.orderId });
  o.quota.held = 'RELEASED';
}
