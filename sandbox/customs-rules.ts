import { z } from 'zod';
import { MINUTE } from './clock';

// The decisions customs will take, set by tests through POST /sandbox/customs/rules.

const outcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('ACCEPT') }),
  z.object({
    decision: z.literal('REJECT'),
    /** 100 for a rejection, a negative code for a processing exception. */
    code: z
      .string()
      .regex(/^(100|-\d{1,3})$/)
      .default('100'),
    description: z.string().min(1).max(256).default('customs rejected the payment document'),
  }),
]);
export type ReviewOutcome = z.infer<typeof outcome>;

/** Review i of a declaration (0 for the first submission, +1 per retransmission) takes outcomes[min(i, last)]. */
export const reviewRule = z.object({
  outcomes: z
    .array(outcome)
    .min(1)
    .default([{ decision: 'ACCEPT' }]),
  /** WAITING_FOR_PROCESSING until this long after a submission, then IN_PROCESS. */
  processingAfterMs: z.number().int().min(0).default(30_000),
  /** The customs answer comes this long after a submission. */
  decisionAfterMs: z
    .number()
    .int()
    .min(0)
    .default(2 * MINUTE),
});
export type ReviewRule = z.infer<typeof reviewRule>;

export const clearanceRule = z.object({
  decision: z.enum(['RELEASE', 'REJECT']).default('RELEASE'),
  reason: z.string().max(256).optional(),
  /** Clearance is decided this long after the three documents are all present. */
  afterMs: z.number().int().min(0).default(MINUTE),
});
export type ClearanceRule = z.infer<typeof clearanceRule>;

/** What Alipay+'s identity check answers for a payment, whoever paid: to make a buyer fail (or pass) it. */
export const identityCheckResult = z.enum(['CHECK_PASSED', 'CHECK_NOT_PASSED']);
export type IdentityCheckResult = z.infer<typeof identityCheckResult>;

export const customsRulesInput = z.object({
  reset: z.boolean().default(false),
  default: reviewRule.optional(),
  /** By customsDeclarationRequestId. */
  declarations: z.record(z.string(), reviewRule).optional(),
  /** By customs order ID: paymentRequestId, or referenceOrderId for a split part. */
  orders: z.record(z.string(), reviewRule).optional(),
  clearance: z
    .object({
      default: clearanceRule.optional(),
      orders: z.record(z.string(), clearanceRule).optional(),
    })
    .optional(),
  /**
   * By paymentRequestId: the identityCheckResult of the payment's first declare with buyerCertificate, in place of
   * comparing the certificate with the payer (e.g. the payer's real-name record in Alipay differs from the buyer's).
   */
  identityChecks: z.record(z.string(), identityCheckResult).optional(),
});

export class CustomsRules {
  private defaultRule = reviewRule.parse({});
  private byDeclaration = new Map<string, ReviewRule>();
  private byOrder = new Map<string, ReviewRule>();
  private defaultClearance = clearanceRule.parse({});
  private clearanceByOrder = new Map<string, ClearanceRule>();
  private identityByPayment = new Map<string, IdentityCheckResult>();

  apply(input: z.infer<typeof customsRulesInput>) {
    if (input.reset) {
      this.defaultRule = reviewRule.parse({});
      this.byDeclaration.clear();
      this.byOrder.clear();
      this.defaultClearance = clearanceRule.parse({});
      this.clearanceByOrder.clear();
      this.identityByPayment.clear();
    }
    if (input.default) this.defaultRule = input.default;
    for (const [id, rule] of Object.entries(input.declarations ?? {})) this.byDeclaration.set(id, rule);
    for (const [id, rule] of Object.entries(input.orders ?? {})) this.byOrder.set(id, rule);
    if (input.clearance?.default) this.defaultClearance = input.clearance.default;
    for (const [id, rule] of Object.entries(input.clearance?.orders ?? {})) this.clearanceByOrder.set(id, rule);
    for (const [id, result] of Object.entries(input.identityChecks ?? {})) this.identityByPayment.set(id, result);
  }

  /** The identity check's answer set for this payment, if a test set one. */
  identityCheckFor(paymentRequestId: string): IdentityCheckResult | undefined {
    return this.identityByPayment.get(paymentRequestId);
  }

  reviewFor(declarationId: string, customsOrderId: string): ReviewRule {
    return this.byDeclaration.get(declarationId) ?? this.byOrder.get(customsOrderId) ?? this.defaultRule;
  }

  clearanceFor(orderNo: string): ClearanceRule {
    return this.clearanceByOrder.get(orderNo) ?? this.defaultClearance;
  }
}
