import { ApplicationFailure, condition } from '@temporalio/workflow';
import type { PaymentView } from '../../domain/order-api';
import { finalCode } from './failures';
import { clearStuck, end, markStuck, ordersStarted, publish, publishPending, setStage, wait as setWaiting } from './progress';
import { releaseQuota } from './quota';
import { FinalAnswer, callOnce, callRemote } from './remote-call';
import { iso, recordedPayerRealNameVerified, type OrderState } from './state';
import { CONFIRM_FAILED_NOTIFICATION, checkoutTime, since } from './versions';

// Steps 3 to 6: create the payment (its cashier URL goes back to checkout), then learn its result from
// the notification, or from inquiryPayment polling as the fallback, until the payment expires.

const MINUTE = 60 * 1000;
/** inquiryPayment when no notification came: after 1, 2, 5, then every 10 minutes until expiry. */
const PAYMENT_POLL_GAPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];
const gap = (i: number) => PAYMENT_POLL_GAPS[Math.min(i, PAYMENT_POLL_GAPS.length - 1)];

// Step 3: create the payment for the buyer's terminal; checkout hands its links back to the caller.
export async function createPayment(o: OrderState): Promise<boolean> {
  setStage(o, 'CREATING_PAYMENT', 'Alipay+ to create the payment');
  const expiresAtMs = checkoutTime(o) + o.order.paymentExpiryMinutes * MINUTE;
  try {
    const created = await callOnce(o, 'Alipay+ pay', (via) =>
      via.alipayPlus('Step 3: pay').createPayment({
        paymentRequestId: o.payment.paymentRequestId,
        orderId: o.order.orderId,
        amountFen: o.order.totalFen,
        description: o.order.items
          .map((i) => `${i.name} x${i.quantity}`)
          .join(', ')
          .slice(0, 256),
        expiresAt: iso(expiresAtMs),
        env: { ...o.order.terminal },
      }),
    );
    Object.assign(o.payment, {
      paymentId: created.paymentId,
      paymentUrl: created.paymentUrl,
      // Orders whose pay was answered before terminals were taken have no links in their history.
      ...(created.links && { terminal: { ...o.order.terminal }, links: created.links }),
      status: 'PROCESSING',
      expiresAt: iso(expiresAtMs),
    });
    ordersStarted.add(1);
    return true;
  } catch (error) {
    const f = finalCode(error);
    if (!f) throw error;
    o.checkoutFailure = ApplicationFailure.create({
      type: f.code,
      message: `Alipay+ refused the payment: ${f.message}`,
      nonRetryable: true,
    });
    await releaseQuota(o);
    end(o, 'FAILED', `PAYMENT_NOT_CREATED: ${f.code}`, 'The payment could not be created. Please try again later.');
    return false;
  }
}

// Steps 4 to 6: the notification, or inquiryPayment polling as the fallback, until the payment expires.
export async function awaitPayment(o: OrderState): Promise<boolean> {
  setStage(o, 'AWAITING_PAYMENT', "the buyer's payment (notifyPayment)");
  const expiresAtMs = Date.parse(o.payment.expiresAt!);
  do await pollUntilPaidOrExpired(o, expiresAtMs);
  while (!(await notifiedFailureStands(o)));
  if (o.payment.status === 'PROCESSING') {
    // Expired: one last look, since the buyer may have paid at the last moment, then cancel.
    await inquirePayment(o);
    if (o.payment.status === 'PROCESSING' && o.exactMoney) {
      await closeOpenPayment(o);
    } else if (o.payment.status === 'PROCESSING') {
      if (await cancelUnpaidPayment(o)) {
        o.payment.status = 'CANCELLED';
        publish(o);
      } else {
        await inquirePayment(o); // paid after all
      }
    }
  }
  if (o.payment.status === 'SUCCESS') return true;
  await releaseQuota(o);
  const expired = o.payment.status === 'CANCELLED';
  end(
    o,
    'CANCELLED',
    expired ? 'PAYMENT_EXPIRED: the payment was not made before it expired and was cancelled' : 'PAYMENT_FAILED: the payment failed',
    expired ? 'The order was cancelled because it was not paid in time.' : 'The payment did not go through, so the order was cancelled.',
  );
  return false;
}

async function pollUntilPaidOrExpired(o: OrderState, expiresAtMs: number) {
  for (let i = 0; o.payment.status === 'PROCESSING'; i++) {
    const left = expiresAtMs - Date.now();
    if (left <= 0) break;
    publishPending(o);
    const woke = await condition(() => o.payment.status !== 'PROCESSING' || o.pollRequested, Math.min(gap(i), left), {
      summary: 'Steps 4-6: wait for notifyPayment, then inquiryPayment',
    });
    if (woke && o.payment.status !== 'PROCESSING') break;
    o.pollRequested = false;
    await inquirePayment(o);
  }
}

/**
 * A failure that came by notification is confirmed by inquiryPayment, as a success is: only Alipay+'s
 * answer to our own pull ends the order. False when the payment is still open, so waiting goes on.
 */
async function notifiedFailureStands(o: OrderState): Promise<boolean> {
  if (!(o.payment.status === 'FAIL' && o.payment.learnedFrom === 'NOTIFICATION' && since(o, CONFIRM_FAILED_NOTIFICATION))) return true;
  Object.assign(o.payment, { status: 'PROCESSING', learnedFrom: undefined });
  await inquirePayment(o);
  return (o.payment.status as PaymentView['status']) !== 'PROCESSING';
}

export async function inquirePayment(o: OrderState) {
  const r = await callRemote(o, 'inquiryPayment', 'Alipay+ inquiryPayment', (via) =>
    via.alipayPlus('Steps 4-6: inquiryPayment').inquirePayment({ paymentRequestId: o.payment.paymentRequestId }),
  );
  if (o.payment.status !== 'PROCESSING') return; // a notification got here first
  if (r.status === 'SUCCESS') recordPaid(o, { ...r, payerRealNameVerified: recordedPayerRealNameVerified(r), learnedFrom: 'INQUIRY' });
  else if (r.status === 'FAIL' || r.status === 'CANCELLED') o.payment.status = r.status;
}

/** Closes a payment that must no longer be paid; false when Alipay+ says it was paid meanwhile. */
export async function cancelUnpaidPayment(o: OrderState): Promise<boolean> {
  try {
    await callRemote(o, 'cancelPayment', 'Alipay+ cancelPayment', (via) =>
      via.alipayPlus('Step 5: cancel the unpaid payment').cancelPayment({ paymentRequestId: o.payment.paymentRequestId }),
    );
    return true;
  } catch (error) {
    if (error instanceof FinalAnswer && error.code === 'INVALID_ORDER_STATUS') return false;
    throw error;
  }
}

const CLOSE_RETRY_GAPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, 60 * MINUTE];

/**
 * Closes a payment that must no longer take money (expired, or its order cancelled) and learns how it ended:
 * CANCELLED, or SUCCESS when the buyer paid meanwhile (the caller goes on, or refunds). Alipay+ refuses the
 * cancel (INVALID_ORDER_STATUS) while it processes a payment, and the inquiry may then still say PROCESSING:
 * the order tries again on a durable timer, and never ends while its payment may still take money.
 */
export async function closeOpenPayment(o: OrderState): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const answer = await cancelPaymentOnce(o);
    if (answer !== 'REFUSED') {
      o.payment.status = 'CANCELLED';
      break;
    }
    // Refused: the payment exists, and is paid or being paid.
    if (o.payment.status === 'NOT_CREATED') o.payment.status = 'PROCESSING';
    await inquirePayment(o);
    if (o.payment.status !== 'PROCESSING') break;
    const wait = CLOSE_RETRY_GAPS[Math.min(attempt, CLOSE_RETRY_GAPS.length - 1)];
    if (attempt >= 2) {
      const why = `Alipay+ neither cancels payment ${o.payment.paymentRequestId} (INVALID_ORDER_STATUS) nor reports it paid`;
      markStuck(o, 'PAYMENT_NOT_CLOSED', `${why}; tried again in ${wait / MINUTE} minutes or on poll-now`, 'payment');
    }
    setWaiting(o, `Alipay+ to close payment ${o.payment.paymentRequestId}: cancelPayment again in ${wait / MINUTE} minutes`);
    publishPending(o);
    // A notification may tell the outcome first.
    await condition(() => o.pollRequested || o.payment.status !== 'PROCESSING', wait, { summary: 'Wait, then cancel the payment again' });
    o.pollRequested = false;
    if (o.payment.status !== 'PROCESSING') break;
  }
  clearStuck(o, 'payment');
  publish(o);
}

/**
 * One cancelPayment. A payment whose creation was interrupted may not exist (ORDER_NOT_EXIST): nothing can
 * be paid then, and money a lost pay request still takes reaches the closed order's receiver (late-payment.ts).
 */
async function cancelPaymentOnce(o: OrderState): Promise<'CANCELLED' | 'NEVER_CREATED' | 'REFUSED'> {
  try {
    await callRemote(o, 'cancelPayment', 'Alipay+ cancelPayment', (via) =>
      via.alipayPlus('Cancel the payment').cancelPayment({ paymentRequestId: o.payment.paymentRequestId }),
    );
    return 'CANCELLED';
  } catch (error) {
    if (!(error instanceof FinalAnswer)) throw error;
    return error.code === 'ORDER_NOT_EXIST' ? 'NEVER_CREATED' : 'REFUSED';
  }
}

/** Step 5: the payment succeeded, as the notification or an inquiry says. */
export function recordPaid(
  o: OrderState,
  r: {
    paymentId: string;
    paymentTime?: string;
    customsDeclarationFen?: number;
    settlementQuote?: PaymentView['settlementQuote'];
    /** Only in results recorded before identity-check-gate. */
    payerRealNameVerified?: boolean;
    learnedFrom: 'NOTIFICATION' | 'INQUIRY';
  },
) {
  o.paidAtMs = r.paymentTime ? Date.parse(r.paymentTime) : Date.now();
  Object.assign(o.payment, {
    status: 'SUCCESS',
    paymentId: r.paymentId,
    paidAt: iso(o.paidAtMs),
    customsDeclarationFen: r.customsDeclarationFen ?? o.order.totalFen,
    settlementQuote: r.settlementQuote,
    learnedFrom: r.learnedFrom,
  });
  if (!o.identityGate) o.legacyPayerRealNameVerified = r.payerRealNameVerified;
  publish(o);
}
