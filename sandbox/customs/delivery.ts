// Receipts, like real ones, arrive late, twice and out of order. A delivery plan says when each
// receipt goes out; tests choose the faults, so every plan is reproducible.

export interface Outgoing {
  /** The company the receipt is for (its customs code). */
  to: string;
  messageType: string;
  orderNo: string;
  returnStatus: string;
  xml: string;
}

export interface Delivery extends Outgoing {
  /** Milliseconds after the receipts were produced. */
  afterMs: number;
}

export interface DeliveryFaults {
  /** Every receipt is this late. */
  delayMs?: number;
  /** Indexes (in production order) of receipts sent a second time, `duplicateAfterMs` after the first. */
  duplicate?: readonly number[];
  duplicateAfterMs?: number;
  /** Reverse the production order (the last produced is delivered first). */
  reverse?: boolean;
  /** Milliseconds between successive receipts. */
  spacingMs?: number;
}

export function deliveryPlan(receipts: readonly Outgoing[], faults: DeliveryFaults = {}): Delivery[] {
  const spacing = faults.spacingMs ?? 1_000;
  const order = faults.reverse ? [...receipts].reverse() : [...receipts];
  const plan: Delivery[] = order.map((r, i) => ({ ...r, afterMs: (faults.delayMs ?? 0) + i * spacing }));
  for (const i of faults.duplicate ?? []) {
    const original = receipts[i];
    const first = plan.find((d) => d.xml === original?.xml);
    if (first) plan.push({ ...first, afterMs: first.afterMs + (faults.duplicateAfterMs ?? spacing / 2) });
  }
  return plan.sort((a, b) => a.afterMs - b.afterMs);
}
