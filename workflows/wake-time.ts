import { condition, patched } from '@temporalio/workflow';
import { DECIDE_AT_WAKE_TIME } from './order/versions';

export interface Woken {
  /** `wake()` came true before the timer fired. */
  woke: boolean;
  /** The time to decide what comes next at. */
  at: number;
}

/**
 * Waits until `wake()` comes true or the clock reaches `wakeAt`, counting from the decision time `from`.
 * When the timer fired, the next decisions are made at `wakeAt`, not at Date.now(): a query that a cold
 * worker answers can make the SDK apply a fired timer at the previous task's timestamp, which no replay
 * sees (test/fixtures/nondeterminism/README.md), while `wakeAt` is the same in the live run and every replay.
 * `patchImplied`: the caller runs a version that implies the patch, so it records no marker.
 */
export async function waitUntil(wakeAt: number, from: number, wake: () => boolean, summary: string, patchImplied = false): Promise<Woken> {
  const woke = await condition(wake, Math.max(wakeAt - from, 1), { summary });
  if (woke) return { woke, at: Date.now() };
  return { woke, at: patchImplied || patched(DECIDE_AT_WAKE_TIME) ? wakeAt : Date.now() };
}
