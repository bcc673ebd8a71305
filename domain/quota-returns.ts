import { isWholeAmount, wholeFenReason } from './amounts';
import { formatCny } from './limits';
import { HOLD_CLOSED, RETURN_EXCEEDS_COMMITTED, RETURN_NOT_COMMITTED, type QuotaReturn, type QuotaState } from './quota-api';
import { countedFen } from './quota-holds';

// Goods returned within 30 days of customs release give the buyer's annual quota back: the year's total is
// adjusted for them (海关总署公告2018年第194号; docs/customs.md, "Returns and the annual quota").

/** NEW: the entity takes it; TAKEN: the same return again, which changes nothing; else why it is refused. */
export type ReturnVerdict = 'NEW' | 'TAKEN' | { rule: string; message: string };

const INVALID_RETURN = 'INVALID_RETURN';
const refused = (rule: string, message: string) => ({ rule, message: `${rule}: ${message}` });

export function judgeReturn(state: QuotaState, { orderId, returnId, amountFen }: QuotaReturn): ReturnVerdict {
  if (typeof returnId !== 'string' || returnId.length === 0) return refused(INVALID_RETURN, 'a return names its returnId');
  if (!isWholeAmount(amountFen, 1)) return refused(INVALID_RETURN, wholeFenReason('amountFen', 1));
  const owner = Object.entries(state.orders).find(([, h]) => h.returns?.[returnId] !== undefined);
  if (owner) {
    const [ownerId, hold] = owner;
    if (ownerId !== orderId) return refused(INVALID_RETURN, `return ${returnId} was taken for order ${ownerId}`);
    const taken = hold.returns![returnId];
    if (taken !== amountFen) {
      return refused(INVALID_RETURN, `return ${returnId} of order ${orderId} gave back ${formatCny(taken)}, not ${formatCny(amountFen)}`);
    }
    return 'TAKEN';
  }
  const hold = state.orders[orderId] as QuotaState['orders'][string] | undefined;
  if (hold?.closed) return refused(HOLD_CLOSED, `order ${orderId} is final for the quota: no return of it follows`);
  if (hold?.status !== 'COMMITTED') {
    const why = hold ? 'its quota is reserved: the order was not released' : 'the entity holds nothing for it';
    return refused(
      RETURN_NOT_COMMITTED,
      `order ${orderId} has no committed quota in ${state.year} (${why}); only a released order's return gives quota back`,
    );
  }
  if (amountFen > countedFen(hold)) {
    return refused(
      RETURN_EXCEEDS_COMMITTED,
      `order ${orderId} counts ${formatCny(countedFen(hold))} of the quota; a return cannot give back ${formatCny(amountFen)}`,
    );
  }
  return 'NEW';
}

/** Records a return judged NEW. */
export function takeReturn(state: QuotaState, { orderId, returnId, amountFen }: QuotaReturn) {
  const hold = state.orders[orderId];
  hold.returns = { ...hold.returns, [returnId]: amountFen };
}
