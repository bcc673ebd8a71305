import { sleep } from '@temporalio/workflow';
import { formatCny } from '../../domain/limits';
import { compensate } from './compensation';
import { cancelUnpaidPayment } from './payment';
import { end, publishPending, wait } from './progress';
import { releaseQuota } from './quota';
import { callRemote } from './remote-call';
import { recordedPayerRealNameVerified, type OrderState } from './state';
import { CONFIRMATION_OUTWAITS_PROCESSING, CONFIRM_NOTIFIED_PAYMENT, since } from './versions';

// Step 6, defence in depth: a result that came by notification is confirmed once by an authenticated
// pull before anything reaches customs, so a forged notification that slipped past the receiver's
// signature check and the update's validator ends the order instead.

const SECOND = 1000;
/** A notified payment that inquiryPayment still calls PROCESSING is asked about again after these gaps. */
const CONFIRMATION_RETRY_GAPS = [10 * SECOND, 30 * SECOND, 60 * SECOND, 120 * SECOND, 300 * SECOND];

/** Whether the order may go on; when it may not, the order has been wound up. */
export async function confirmNotifiedPayment(o: OrderState): Promise<boolean> {
  // Behind a patch: orders that were paid before this change replay their histories without the extra call.
  if (!(o.payment.learnedFrom === 'NOTIFICATION' && since(o, CONFIRM_NOTIFIED_PAYMENT))) return true;
  wait(o, 'Alipay+ to confirm the notified payment (inquiryPayment)');
  const p = o.payment;
  const inquire = () =>
    callRemote(o, 'inquiryPayment', 'Alipay+ inquiryPayment', (via) =>
      via.alipayPlus('Steps 4-6: confirm the notified payment').inquirePayment({ paymentRequestId: p.paymentRequestId }),
    );
  let r = await inquire();
  // PROCESSING right after a notification can be Alipay+'s read lagging its write: ask again before concluding.
  for (const gap of CONFIRMATION_RETRY_GAPS) {
    if (r.status !== 'PROCESSING' || !since(o, CONFIRMATION_OUTWAITS_PROCESSING)) break;
    publishPending(o);
    await sleep(gap, { summary: 'Steps 4-6: confirm the notified payment again' });
    r = await inquire();
  }
  const differs = [
    r.status !== 'SUCCESS' && `Alipay+ reports the payment as ${r.status}`,
    r.paymentId !== p.paymentId && `Alipay+ reports payment ${r.paymentId}, the notification named ${p.paymentId}`,
    // Results recorded before the activity returned the amount have none; compare it when present.
    r.paymentAmountFen !== undefined &&
      r.paymentAmountFen !== p.amountFen &&
      `Alipay+ reports ${formatCny(r.paymentAmountFen)} paid for an order of ${formatCny(p.amountFen)}`,
    r.customsDeclarationFen !== undefined &&
      r.customsDeclarationFen !== p.customsDeclarationFen &&
      `Alipay+ allows ${formatCny(r.customsDeclarationFen)} to be declared, the notification said ${formatCny(p.customsDeclarationFen ?? 0)}`,
    // Orders before identity-check-gate compared the old sandbox's field, as their recorded results carry it.
    !o.identityGate &&
      recordedPayerRealNameVerified(r) !== undefined &&
      recordedPayerRealNameVerified(r) !== o.legacyPayerRealNameVerified &&
      `Alipay+ reports the payer as ${recordedPayerRealNameVerified(r) ? '' : 'not '}real-name verified, unlike the notification`,
  ].find((x): x is string => typeof x === 'string');
  if (!differs) return true;

  const reason = `NOTIFICATION_NOT_CONFIRMED: the notified payment was not confirmed by inquiryPayment: ${differs}`;
  const refunded = 'The payment could not be confirmed with Alipay+, so it has been refunded.';
  // The money is there: refund it, as for any terminal failure after payment.
  if (r.status === 'SUCCESS') return compensate(o, reason, refunded).then(() => false);
  // Nothing was paid: close a payment still open, so it cannot be paid for an order that has ended.
  if (r.status === 'PROCESSING' && !(await cancelUnpaidPayment(o))) {
    return compensate(o, reason, refunded).then(() => false); // the buyer paid meanwhile
  }
  p.status = r.status === 'FAIL' ? 'FAIL' : 'CANCELLED';
  await releaseQuota(o);
  end(o, 'FAILED', reason, 'The payment could not be confirmed with Alipay+, so the order was cancelled.');
  return false;
}
