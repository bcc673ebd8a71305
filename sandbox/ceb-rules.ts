import { z } from 'zod';
import { MINUTE } from './clock';

// What the sandbox's CEB customs will do with an order, set by tests through POST /sandbox/ceb/rules:
// the inventory list's path per filing attempt, how fast the path moves, and how receipts are delivered.

const inventoryPath = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('RELEASE') }),
  z.object({ kind: z.literal('MANUAL_REVIEW') }),
  z.object({ kind: z.literal('INSPECT_THEN_RELEASE') }),
  z.object({
    kind: z.literal('DETAIN'),
    code: z.enum(['501', '502', '503', '599']).optional(),
    reason: z.string().min(1).max(256).optional(),
  }),
  z.object({ kind: z.literal('REJECT'), reason: z.string().min(1).max(256) }),
  z.object({ kind: z.literal('RETURN_ABROAD'), reason: z.string().min(1).max(256).optional() }),
]);

export const deliveryFaults = z.object({
  /** Every receipt is this late. */
  delayMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400_000)
    .optional(),
  /** Indexes (in production order, within one batch of receipts) sent a second time. */
  duplicate: z.array(z.number().int().min(0).max(10)).max(10).optional(),
  duplicateAfterMs: z.number().int().min(0).max(86_400_000).optional(),
  /** The batch's receipts are delivered last first. */
  reverse: z.boolean().optional(),
  spacingMs: z.number().int().min(0).max(86_400_000).optional(),
});

export const cebOrderRule = z.object({
  /** Filing attempt i of the inventory list takes paths[min(i, last)]: e.g. REJECT, then RELEASE. */
  paths: z.array(inventoryPath).min(1).max(10).optional(),
  /** Time between the states that follow the list's 120 (stored). */
  stepAfterMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400_000)
    .optional(),
  /** How this order's receipts are delivered. */
  delivery: deliveryFaults.optional(),
});
export type CebOrderRule = z.infer<typeof cebOrderRule>;

export const cebRulesInput = z.object({
  reset: z.boolean().default(false),
  default: cebOrderRule.optional(),
  /** By customs orderNo (the order id, or a split part's reference id). */
  orders: z.record(z.string().min(1).max(60), cebOrderRule).optional(),
});

export const DEFAULT_STEP_AFTER_MS = 2 * MINUTE;

export class CebRules {
  private defaults: CebOrderRule = {};
  private readonly byOrder = new Map<string, CebOrderRule>();

  constructor(private readonly stepAfterMsDefault = DEFAULT_STEP_AFTER_MS) {}

  apply(input: z.infer<typeof cebRulesInput>) {
    if (input.reset) {
      this.defaults = {};
      this.byOrder.clear();
    }
    if (input.default) this.defaults = input.default;
    for (const [orderNo, rule] of Object.entries(input.orders ?? {})) this.byOrder.set(orderNo, rule);
  }

  private of(orderNo: string): CebOrderRule {
    return { ...this.defaults, ...this.byOrder.get(orderNo) };
  }

  pathFor(orderNo: string, attempt: number) {
    const paths = this.of(orderNo).paths ?? [{ kind: 'RELEASE' as const }];
    return paths[Math.min(attempt, paths.length - 1)];
  }

  stepAfterMs(orderNo: string): number {
    return this.of(orderNo).stepAfterMs ?? this.stepAfterMsDefault;
  }

  deliveryFor(orderNo: string) {
    return this.of(orderNo).delivery ?? {};
  }
}
