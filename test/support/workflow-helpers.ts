import { randomInt } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { person } from '../../dev/scenarios/orders';
import type { SandboxHelpers } from '../../sandbox/helper-client';
import type { ActivityStub } from './temporal';

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

/** A stub that answers the next `count` calls with a final (F) answer of this code, then lets calls through. */
export function finalAnswers(code: string, count = 1): ActivityStub {
  let left = count;
  return (real, ...args) => {
    if (left <= 0) return real(...args);
    left -= 1;
    return Promise.reject(ApplicationFailure.create({ type: code, message: `${code} (injected by the test)`, nonRetryable: true }));
  };
}

/** A stub that holds the next call in flight until the test releases it, then makes the real call. */
export function holdNextCall() {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const released = new Promise<void>((r) => (release = r));
  let held = false;
  const stub: ActivityStub = async (real, ...args) => {
    if (!held) {
      held = true;
      arrive();
      await released;
    }
    return real(...args);
  };
  return { stub, arrived, release };
}

/** The stub for this order's calls only; other orders' calls go to the real activity. */
export function forOrder(orderId: string, stub: ActivityStub): ActivityStub {
  return (real, ...args) => (JSON.stringify(args).includes(orderId) ? stub(real, ...args) : real(...args));
}
