import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_CUSTOMS_POLL_GAP, STUCK_POLL_GAP, customsPollGap, longWaitPollGap } from '../../workflows/order/customs-polling';

// An order asks customs 30 s, 1, 2, 5, then 10 minutes apart; a stack whose customs answers in seconds
// may shorten the gaps, never lengthen them, and never below a second.

const gaps = (timeouts: { customsPollGapMs?: number }) => [0, 1, 2, 3, 4, 5, 50].map((i) => customsPollGap(timeouts, i) / 1000);

test('unset, the gaps are 30 s, 1, 2, 5, then 10 minutes', () => {
  assert.deepEqual(gaps({}), [30, 60, 120, 300, 600, 600, 600]);
});

test('customsPollGapMs shortens every gap to itself', () => {
  assert.deepEqual(gaps({ customsPollGapMs: 2_000 }), [2, 2, 2, 2, 2, 2, 2]);
});

test('customsPollGapMs never lengthens a gap', () => {
  assert.deepEqual(gaps({ customsPollGapMs: 90_000 }), [30, 60, 90, 90, 90, 90, 90]);
});

test('customsPollGapMs is never under a second, and a value that is not a number is ignored', () => {
  assert.equal(customsPollGap({ customsPollGapMs: 0 }, 0), MIN_CUSTOMS_POLL_GAP);
  assert.equal(customsPollGap({ customsPollGapMs: -5 }, 3), MIN_CUSTOMS_POLL_GAP);
  assert.equal(customsPollGap({ customsPollGapMs: Number.NaN }, 0), 30_000);
  assert.equal(customsPollGap({ customsPollGapMs: Number.POSITIVE_INFINITY }, 4), 600_000);
});

test('through a long wait (inspection, detention, a return receipt) the gap is hourly, or the shorter customsPollGapMs', () => {
  assert.equal(longWaitPollGap({}), STUCK_POLL_GAP);
  assert.equal(longWaitPollGap({ customsPollGapMs: 1_000 }), 1_000);
  assert.equal(longWaitPollGap({ customsPollGapMs: 0 }), MIN_CUSTOMS_POLL_GAP);
  assert.equal(longWaitPollGap({ customsPollGapMs: 5 * STUCK_POLL_GAP }), STUCK_POLL_GAP);
  assert.equal(longWaitPollGap({ customsPollGapMs: Number.NaN }), STUCK_POLL_GAP);
});
