import { condition } from '@temporalio/workflow';
import { compensate } from './compensation';
import { publishPending, setStage } from './progress';
import type { OrderState } from './state';

// Step 4: where real-name authentication is required, the buyer must pass it before the order goes on.
// Step 2 (the merchant's check of the name and the GB 11643 ID number) ran in the input rules at checkout.
// Alipay+'s part is the identity check: declare with buyerCertificate answers identityCheckResult, and
// CHECK_NOT_PASSED ends the order with a refund before customs reviews it (declaration.ts).

const HOUR = 60 * 60 * 1000;
/** A manual real-name review that nobody decides within this time ends the order with a refund. */
const REAL_NAME_REVIEW_DEADLINE = 72 * HOUR;

/** Whether the order may go on to customs; when it may not, the payment has been refunded. */
export async function passRealNameGate(o: OrderState): Promise<boolean> {
  if (!o.order.realNameRequired) return true;
  // Orders before identity-check-gate also required the sandbox's payerRealNameVerified, as their histories recorded it.
  if (!o.identityGate && o.legacyPayerRealNameVerified !== true) {
    await compensate(
      o,
      'PAYER_NOT_REAL_NAME_VERIFIED: customs does not accept a payment from an Alipay account that is not real-name verified',
      'Your Alipay account is not real-name verified, which customs requires for cross-border orders. Your payment has been refunded.',
    );
    return false;
  }
  if (o.order.buyer.certificateType === 'PASSPORT') return manualRealNameReview(o);
  return true;
}

/** A passport has no check digit to verify: an operator reviews the buyer's identity before customs sees it. */
async function manualRealNameReview(o: OrderState): Promise<boolean> {
  setStage(o, 'REAL_NAME_REVIEW', "an operator's manual real-name review of the passport holder");
  publishPending(o);
  const decided = await condition(() => o.realNameDecision !== undefined, REAL_NAME_REVIEW_DEADLINE, {
    summary: 'Step 2: wait for the manual real-name review',
  });
  if (decided && o.realNameDecision!.approved) return true;
  await compensate(
    o,
    decided
      ? `REAL_NAME_REJECTED: ${o.realNameDecision!.operator}: ${o.realNameDecision!.reason}`
      : `REAL_NAME_REVIEW_TIMEOUT: no review within ${REAL_NAME_REVIEW_DEADLINE / HOUR} hours`,
    "The buyer's identity could not be verified for customs. Your payment has been refunded.",
  );
  return false;
}
