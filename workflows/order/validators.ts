import { AMOUNT_IN_FEN, isWholeAmount, wholeFenReason } from '../../domain/amounts';
import { isCustomsCode } from '../../domain/customs-codes';
import { REFUND_WINDOW_MS, formatCny } from '../../domain/limits';
import {
  REFUND_KEY_PATTERN,
  type DeclarationCorrection,
  type OperatorAction,
  type RealNameDecision,
  type RefundRequest,
  type RefundResolution,
  type RefundView,
} from '../../domain/order-api';
import { ruleFailure } from './failures';
import { isRecord, isText } from './input-shapes';
import { partsUnderway } from './part-settlement';
import { refundableFen, type OrderState } from './state';

// The rules each update must keep, checked before it is accepted into the history. Validators are
// synchronous and change nothing; each refusal names the rule it breaks. An update's argument comes from
// outside (any client may send any value), so its shape is checked first: a wrong type is refused by a
// rule too, never with a TypeError (input-shapes.ts). Alipay+'s notifications: notification-validators.ts.

export function refuseWithoutOperator(a: OperatorAction) {
  if (!isRecord(a) || !isText(a.operator) || !isText(a.reason) || !a.operator.trim() || !a.reason.trim())
    throw ruleFailure('OPERATOR_ACTION', 'an operator action names the operator and the reason');
  if (a.operator.length > 128 || a.reason.length > 256)
    throw ruleFailure('FIELD_LENGTH', 'operator is at most 128 characters and reason 256');
}

/** An order being cancelled, refunded in full or ended takes no more operator changes to its documents or steps. */
export function refuseWhenEnding(o: OrderState) {
  if (o.cancelRequest) throw ruleFailure('CANCEL_PENDING', 'the order is already being cancelled');
  if (o.outcome) throw ruleFailure('ORDER_ENDED', `the order has ended: ${o.stage}`);
  if (o.stage === 'COMPENSATING') throw ruleFailure('ORDER_ENDING', 'the order is already being refunded');
}

export function refuseCancel(o: OrderState, a: OperatorAction) {
  refuseWithoutOperator(a);
  refuseWhenEnding(o);
  if (o.stage === 'RELEASED_FOR_DELIVERY') {
    throw ruleFailure('CANCEL_BEFORE_RELEASE', 'the order is released for delivery; refund it instead of cancelling');
  }
  // Customs may still clear an order whose documents it holds, and its quota must then stay counted.
  // Goods held past the detention deadline, or a refused document an operator gives up on, will not be released.
  // A part's share is being refunded (part-settlement.ts): cancelling would interrupt that refund.
  if (
    o.exactMoney &&
    o.stage === 'CLEARANCE' &&
    (o.refunds.some((r) => r.status === 'PENDING' || r.status === 'PROCESSING') || o.stuckReasons.refund)
  ) {
    throw ruleFailure('REFUND_UNDER_WAY', "a part's refund is under way; cancel once it is final");
  }
  const givenUp = o.exactMoney
    ? everyPartUnderwayGivenUp(o)
    : o.cebCustoms && (o.stuck?.code === 'DETENTION_DEADLINE' || o.stuck?.code === 'CUSTOMS_DOCUMENT_REJECTED');
  if (o.stage === 'CLEARANCE' && !givenUp && !(o.documentsFiled === 0 && o.stuck && o.stuck.code !== 'CALL_RETRYING')) {
    throw ruleFailure(
      'CANCEL_IN_CLEARANCE',
      "the order's documents are filed with customs, which may still clear it; wait for customs' decision (a rejection refunds the order) or refund it after release",
    );
  }
  if (!o.order) throw ruleFailure('ORDER_ENDING', 'the order is still being checked');
}

/**
 * Customs will not release any part still on its way: each is held past its deadline or has a refused
 * document. Cancelling then refunds those parts; parts customs released are delivered and stay counted.
 */
function everyPartUnderwayGivenUp(o: OrderState): boolean {
  const underway = partsUnderway(o);
  return (
    underway.length > 0 &&
    underway.every((c) => ['DETENTION_DEADLINE', 'CUSTOMS_DOCUMENT_REJECTED'].includes(o.stuckReasons[`customs:${c.orderNo}`]?.code ?? ''))
  );
}

export function refuseRealNameDecision(o: OrderState, d: RealNameDecision) {
  refuseWithoutOperator(d);
  if (typeof d.approved !== 'boolean') throw ruleFailure('REVIEW_DECISION', 'approved must be true or false');
  refuseWhenEnding(o); // a cancel accepted in the same task leaves the stage at REAL_NAME_REVIEW until it runs
  if (o.stage !== 'REAL_NAME_REVIEW' || o.realNameDecision) {
    throw ruleFailure('REAL_NAME_REVIEW_NOT_PENDING', `the order is not waiting for a real-name review; it is ${o.stage}`);
  }
}

export function refusePollNow(o: OrderState, a: OperatorAction) {
  refuseWithoutOperator(a);
  // A stuck call is retried on poll-now in any stage: a refund, a quota update, an e-port filing.
  if (!['AWAITING_PAYMENT', 'CUSTOMS_REVIEW', 'CLEARANCE'].includes(o.stage) && !(o.stuck && !o.outcome)) {
    throw ruleFailure(
      'NOTHING_TO_POLL',
      `only an order awaiting payment, customs review or clearance, or a stuck one, is polled; it is ${o.stage}`,
    );
  }
}

export function refuseRefundResolution(o: OrderState, r: RefundResolution) {
  refuseWithoutOperator(r);
  if (r.action !== 'RETRY' && r.action !== 'SETTLED_OUTSIDE_ALIPAY') {
    throw ruleFailure('REFUND_RESOLUTION', 'action is RETRY or SETTLED_OUTSIDE_ALIPAY');
  }
  if (o.outcome) throw ruleFailure('ORDER_ENDED', `the order has ended: ${o.stage}`);
  if (o.stuckReasons.refund?.code !== 'REFUND_FAILED' || o.refundResolution !== undefined) {
    throw ruleFailure('NO_FAILED_REFUND', 'the order is not waiting for a decision on a refused refund');
  }
}

/** The rules an operator's correction must keep (seed 003: only four fields may change on a retransmission). */
export function refuseCorrection(o: OrderState, c: DeclarationCorrection) {
  if (!isRecord(c)) throw ruleFailure('OPERATOR_ACTION', 'a correction names the declaration, the operator and the reason');
  const allowed = ['declarationId', 'merchantCustomsCode', 'merchantCustomsName', 'customsCode', 'amountFen', 'operator', 'reason'];
  const other = Object.keys(c).filter((k) => !allowed.includes(k));
  if (other.length > 0) {
    throw ruleFailure(
      'RETRANSMIT_MUTABLE_FIELDS',
      `only merchantCustomsCode, merchantCustomsName, customsCode and amountFen may change on a retransmission, not ${other.join(', ')}`,
    );
  }
  if (!isText(c.operator) || !isText(c.reason) || !c.operator.trim() || !c.reason.trim()) {
    throw ruleFailure('OPERATOR_ACTION', 'a correction names the operator and the reason');
  }
  refuseWhenEnding(o); // a rejected declaration stays REJECTED once the order is cancelled or refunded
  const d = o.declarations.find((x) => x.declarationId === c.declarationId);
  if (!d) throw ruleFailure('UNKNOWN_DECLARATION', `this order has no declaration ${c.declarationId}`);
  if (d.status === 'ACCEPTED') throw ruleFailure('DECLARATION_ACCEPTED', `customs already accepted ${c.declarationId}`);
  if (d.status === 'NOT_SENT') throw ruleFailure('DECLARATION_NOT_SENT', `${c.declarationId} has not been declared yet`);
  // Typed as a customs code, but it arrives from outside: check it as the string it may be.
  const customsCode = c.customsCode as string | undefined;
  if (customsCode !== undefined && !isCustomsCode(customsCode)) {
    throw ruleFailure('CUSTOMS_CODE_TABLE', `${customsCode} is not a customs code (ZONGSHU, ZHENGZHOU, NINGBO, SHANGHAI_CBT)`);
  }
  for (const [field, value, max] of [
    ['merchantCustomsCode', c.merchantCustomsCode, 128],
    ['merchantCustomsName', c.merchantCustomsName, 256],
  ] as const) {
    if (value !== undefined && (!isText(value) || value.trim() === '' || value.length > max)) {
      throw ruleFailure('FIELD_LENGTH', `${field} must have 1 to ${max} characters`);
    }
  }
  if (c.amountFen !== undefined) {
    if (!isWholeAmount(c.amountFen, 1)) throw ruleFailure(AMOUNT_IN_FEN, wholeFenReason('amountFen', 1));
    const others = o.declarations.filter((x) => x !== d).reduce((s, x) => s + x.amountFen, 0);
    const limit = o.payment.customsDeclarationFen!;
    if (others + c.amountFen > limit) {
      throw ruleFailure(
        'DECLARED_AMOUNT_LIMIT',
        `the declarations would total ${formatCny(others + c.amountFen)}, more than the ${formatCny(limit)} that may be declared for the payment`,
      );
    }
  }
}

export function refuseRefund(o: OrderState, r: RefundRequest) {
  if (!isRecord(r) || !isText(r.requestedBy) || !isText(r.reason) || !r.requestedBy.trim() || !r.reason.trim()) {
    throw ruleFailure('OPERATOR_ACTION', 'a refund names who asks for it and why');
  }
  if (r.reason.length > 256) throw ruleFailure('FIELD_LENGTH', 'reason must have at most 256 characters');
  if (!isWholeAmount(r.amountFen, 1)) throw ruleFailure(AMOUNT_IN_FEN, wholeFenReason('amountFen', 1));
  if (r.idempotencyKey !== undefined && (!isText(r.idempotencyKey) || !REFUND_KEY_PATTERN.test(r.idempotencyKey))) {
    throw ruleFailure('REFUND_KEY', 'idempotencyKey is 1 to 64 letters, digits, or . _ : -');
  }
  const earlier = refundWithKey(o, r.idempotencyKey);
  if (earlier) {
    // The same request again is answered with its refund (the handler); the same key for another is refused.
    if (earlier.amountFen === r.amountFen && earlier.reason === r.reason && earlier.requestedBy === r.requestedBy) return;
    throw ruleFailure(
      'REFUND_KEY_REUSED',
      `the key ${r.idempotencyKey} was used for refund ${earlier.refundRequestId} of ${formatCny(earlier.amountFen)} by ${earlier.requestedBy.slice(0, 128)}; a new refund needs a new key`,
    );
  }
  if (o.stage !== 'RELEASED_FOR_DELIVERY') {
    throw ruleFailure('REFUND_AFTER_RELEASE', `refunds are taken once the order is released for delivery; it is ${o.stage}`);
  }
  if (!o.refundWindowOpen || Date.now() > o.paidAtMs! + REFUND_WINDOW_MS) {
    throw ruleFailure('REFUND_WINDOW', `refunds are accepted within 90 days of the payment on ${o.payment.paidAt}`);
  }
  const left = refundableFen(o);
  if (r.amountFen > left) {
    throw ruleFailure(
      'REFUND_NOT_ABOVE_PAYMENT',
      `${formatCny(r.amountFen)} is more than the ${formatCny(left)} that can still be refunded of the ${formatCny(o.payment.amountFen)} paid`,
    );
  }
}

/** The refund an exact-money order made for the caller's key, if any. */
export function refundWithKey(o: OrderState, key: unknown): RefundView | undefined {
  return o.exactMoney && typeof key === 'string' ? o.refunds.find((x) => x.idempotencyKey === key) : undefined;
}
