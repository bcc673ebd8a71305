// How often customs is asked, in the review (step 8) and the clearance (step 9).

import type { OrderTimeouts } from '../../domain/order-api';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** inquireDeclarationRequests and clearance polling: 30 s, 1, 2, 5, then every 10 minutes. */
const CUSTOMS_POLL_GAPS = [30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];

/** A shorter gap an order may ask for (a stack whose customs answers in seconds) is never under a second. */
export const MIN_CUSTOMS_POLL_GAP = SECOND;

/** The gap before poll number `i` (from 0); an order's `customsPollGapMs` shortens each, never lengthens it. */
export function customsPollGap(timeouts: Pick<OrderTimeouts, 'customsPollGapMs'>, i: number): number {
  const gap = CUSTOMS_POLL_GAPS[Math.min(i, CUSTOMS_POLL_GAPS.length - 1)];
  const asked = timeouts.customsPollGapMs;
  if (asked === undefined || !Number.isFinite(asked)) return gap;
  return Math.min(gap, Math.max(asked, MIN_CUSTOMS_POLL_GAP));
}

/** Once an order is stuck it is still polled, hourly, so it unsticks itself if customs moves. */
export const STUCK_POLL_GAP = 60 * MINUTE;

/**
 * The gap through a long wait (inspection, detention, a return's receipt): hourly, or an order's shorter
 * `customsPollGapMs`, whose quick polls would otherwise be spent before a customs that answers in seconds moved.
 */
export function longWaitPollGap(timeouts: Pick<OrderTimeouts, 'customsPollGapMs'>): number {
  const asked = timeouts.customsPollGapMs;
  if (asked === undefined || !Number.isFinite(asked)) return STUCK_POLL_GAP;
  return Math.min(STUCK_POLL_GAP, Math.max(asked, MIN_CUSTOMS_POLL_GAP));
}
