import type { OrderInput } from '../../domain/order';
import type { CustomsRules } from '../../sandbox/helper-client';
import { person, sampleOrder, type Buyer } from '../scenarios/orders';

// The bench's orders: one tin each, spread over many buyers as real traffic is, so that no quota entity
// is a hot spot the real world would not have.

/** Customs answers at once: the order's own poll schedule (30 s, then 30 s) is all the waiting there is. */
export const CUSTOMS_AT_ONCE: CustomsRules = {
  reset: true,
  default: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 0, decisionAfterMs: 0 },
  clearance: { default: { decision: 'RELEASE', afterMs: 0 } },
};

/** Buyers 0 to 989 take the load; the cost paths each get one of 990 to 999, with a quota entity of its own. */
const LOAD_BUYERS = 990;
export const costPathBuyer = (i: number): Buyer => person(LOAD_BUYERS + i, `成本${i}`);

/** Order ids `B<run>-<phase>-<n>`; the buyers go round, so a buyer has an order every 990. */
export class OrderFactory {
  private next = 0;
  constructor(readonly runId: string) {}

  prefix(phase: string) {
    return `B${this.runId}-${phase}-`;
  }

  order(phase: string): OrderInput {
    const n = this.next++;
    return sampleOrder({
      prefix: this.prefix(phase),
      name: String(n).padStart(5, '0'),
      buyer: person(n % LOAD_BUYERS, `买家${n % LOAD_BUYERS}`),
    });
  }
}
