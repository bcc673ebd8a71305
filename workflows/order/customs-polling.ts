// How often customs is asked, in the review (step 8) and the clearance (step 9).

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** inquireDeclarationRequests and clearance polling: 30 s, 1, 2, 5, then every 10 minutes. */
const CUSTOMS_POLL_GAPS = [30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];

/** The gap before poll number `i` (from 0). */
export const customsPollGap = (i: number) => CUSTOMS_POLL_GAPS[Math.min(i, CUSTOMS_POLL_GAPS.length - 1)];

/** Once an order is stuck it is still polled, hourly, so it unsticks itself if customs moves. */
export const STUCK_POLL_GAP = 60 * MINUTE;
