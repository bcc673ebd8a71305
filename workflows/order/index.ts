import { ApplicationFailure, CancellationScope, allHandlersFinished, condition, isCancellation, patched } from '@temporalio/workflow';
import { DEFAULT_TIMEOUTS, type OrderStatus, type OrderTimeouts } from '../../domain/order-api';
import { orderInputSchema, orderProblems, type OrderInput } from '../../domain/order';
import { QUOTA_EXCEEDED } from '../../domain/quota-api';
import { clearCustoms, releaseForDelivery } from './clearance';
import { cancelByOperator, refundQuotaLapsed } from './compensation';
import { cancelUnreleasedParts } from './part-settlement';
import { resume, type Continuation, type ContinuedStep } from './continuation';
import { reviewCustoms } from './customs-review';
import { declare } from './declaration';
import { registerHandlers } from './handlers';
import { awaitPayment, createPayment } from './payment';
import { confirmNotifiedPayment } from './payment-confirmation';
import { end, publishPending, setStage } from './progress';
import { holdQuotaForPayment, reserveQuota } from './quota';
import { passRealNameGate } from './real-name';
import { OrderState, orderStatus } from './state';
import { CEB_CUSTOMS, EXACT_MONEY, IDENTITY_CHECK_GATE, LEAN_ORDER, REFUNDS_SETTLE_LATER } from './versions';

// One order, from checkout to the end of its refund window. Every wait is a durable timer and every
// Alipay+ call an activity with a deterministic idempotency key, so a crash anywhere changes nothing.
//
// Where each of the ten documented steps lives:
//   1 checkout, the buyer's annual quota ......... here (input rules) and quota.ts
//   2 the merchant's real-name check ............. the input rules (domain/order.ts), real-name.ts for passports
//   3 pay (the cashier URL goes back to checkout). payment.ts
//   4 real-name required? the buyer must pass ..... real-name.ts
//   5 the payment succeeds ..................... payment.ts, quota.ts (the quota held for the payment)
//   6 the notification (or inquiryPayment) ...... handlers.ts, payment.ts, payment-confirmation.ts
//   7 declare to customs through Alipay+ ......... declaration.ts
//   8 the customs review, retransmissions ........ customs-review.ts
//   9 the three-document match ................... clearance.ts; on the e-port's messages customs-clearance.ts,
//                                                   customs-filing.ts, customs-receipts.ts
//  10 release for delivery, the refund window .... clearance.ts, quota.ts; returns goods-return.ts
// Final answers from Alipay+, the e-port and the quota: remote-call.ts, by the table in domain/final-answers.ts.
// Long waits continue as new with the order's state: continuation.ts.
// Refunds and cancellation: compensation.ts. Where the order stands: progress.ts. Its data: state.ts.
// How calls are made: activities.ts and remote-call.ts; which behaviour an order runs with: versions.ts.

export async function orderWorkflow(
  input: OrderInput,
  timeouts: OrderTimeouts = DEFAULT_TIMEOUTS,
  continued?: Continuation,
): Promise<OrderStatus> {
  const o = new OrderState(input, timeouts);
  o.lean = patched(LEAN_ORDER);
  o.identityGate = patched(IDENTITY_CHECK_GATE);
  o.settleLater = patched(REFUNDS_SETTLE_LATER);
  // A run continued from an older order keeps that order's customs path: its documents are filed already.
  o.cebCustoms = continued ? continued.state.cebCustoms === true : patched(CEB_CUSTOMS);
  o.exactMoney = continued ? continued.state.exactMoney === true : patched(EXACT_MONEY);
  registerHandlers(o);

  if (continued) {
    // A run continued from a long one: the order passed checkout, and carries on where that run stopped.
    o.order = orderInputSchema.parse(input);
    resume(o, continued);
  } else {
    // Orders on the e-port's messages check out with the tax in the total and the customs fields.
    const problems = orderProblems(input, { customsMessages: o.cebCustoms });
    if (problems) return reject(o, 'INVALID_ORDER', problems);
    o.order = orderInputSchema.parse(input);
    if (!(await reserveQuota(o))) return reject(o, QUOTA_EXCEEDED, o.checkoutFailure!.message);
    // Step 2: the merchant's real-name check. The input schema checked the name and the GB 11643 ID number.
    setStage(o, 'REAL_NAME_CHECK');
  }

  try {
    await o.flowScope.run(() => (continued ? fromCustoms(o, continued.step) : afterCheckout(o)));
  } catch (error) {
    if (!(o.cancelRequest && isCancellation(error))) throw error;
    await CancellationScope.nonCancellable(() => cancelled(o));
  }
  publishPending(o);
  await condition(allHandlersFinished);
  return orderStatus(o);
}

/** Steps 3 to 10. Each step returns false when the order ended on its way (refunded, cancelled, failed). */
async function afterCheckout(o: OrderState) {
  if (!(await createPayment(o))) return;
  if (!(await awaitPayment(o))) return;
  setStage(o, 'PAID');
  if (!(await confirmNotifiedPayment(o))) return;
  if (!(await holdQuotaForPayment(o))) return refundQuotaLapsed(o);
  if (!(await passRealNameGate(o))) return;
  if (!(await declare(o))) return;
  await fromCustoms(o, 'CUSTOMS_REVIEW');
}

/** Steps 8 to 10, where a long wait may continue the order as new. */
async function fromCustoms(o: OrderState, step: ContinuedStep) {
  if (step === 'CUSTOMS_REVIEW' && !(await reviewCustoms(o))) return;
  if (!(await clearCustoms(o))) return;
  await releaseForDelivery(o);
}

/**
 * An operator's cancel. When customs released some parts of a split order, only the others are refunded
 * and the order goes on to deliver the released ones (part-settlement.ts).
 */
async function cancelled(o: OrderState) {
  if (!(o.exactMoney && o.customs.some((c) => c.state === 'RELEASED'))) return cancelByOperator(o);
  await cancelUnreleasedParts(o, o.cancelRequest!);
  await releaseForDelivery(o);
}

/** Ends an order whose input or quota is refused, before any effect: the workflow fails with the rule. */
async function reject(o: OrderState, rule: string, message: string): Promise<never> {
  o.checkoutFailure ??= ApplicationFailure.create({ type: rule, message, nonRetryable: true });
  end(o, 'REJECTED', message, message);
  publishPending(o);
  await condition(allHandlersFinished);
  throw o.checkoutFailure;
}
