import { randomInt } from 'node:crypto';
import { person } from '../../dev/scenarios/orders';
import type { SandboxHelpers } from '../../sandbox/helper-client';

/** A buyer of their own (sequence `seed`, random unless given), so tests do not share a quota. */
export function freshBuyer(seed = randomInt(1000)) {
  return person(seed, `买家${seed}`);
}

/**
 * Waits in real time (bounded) until the sandbox has delivered and the receiver acknowledged the payment
 * notification, so a test that then skips time does not race the workflow's inquiryPayment fallback.
 */
export async function untilNotified(helpers: SandboxHelpers, paymentRequestId: string, acks = 1, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [n] = (await helpers.ledgerOf(paymentRequestId)).notifications;
    const acked = n?.attempts.filter((a) => a.outcome === 'ACKNOWLEDGED').length ?? 0;
    if (acked >= acks) return;
    if (Date.now() > deadline)
      throw new Error(`notification of ${paymentRequestId} not acknowledged ${acks} time(s): ${JSON.stringify(n)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
