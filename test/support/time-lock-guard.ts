import { setTimeout as wait } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

// The time-skipping test server skips time only while nothing holds a lock on it: each workflow task and
// each activity in flight holds one, and the environment holds one that `sleep` lets go for the skip. A
// workflow that is terminated, or ends, while a task of it is in flight never gives its lock back
// (temporalio/sdk-java#1138; test/workflow/time-lock-guard.test.ts shows it), nor does a task whose
// completion the server refused (temporalio/sdk-java#3088; skip-gate.ts), and from then on every skip
// waits in real time: a file's 30 s steps each take 30 s and its waits run out. The guard watches the
// server's clock while a skip is under way and, when it has only kept pace with real time for
// `stalledAfterMs`, gives back one lock in the leaked one's place and says so.

/** Longer than any lock held by right: a workflow task times out after 10 s, an activity attempt after 30 s. */
const STALLED_AFTER_MS = 45_000;
/** How often the guard reads the server's clock during a skip. */
const LOOK_EVERY_MS = 5_000;
/** Whether the server's clock moved faster than real time between two looks: time was skipped. */
const skipped = (serverMs: number, realMs: number) => serverMs > realMs * 1.5 + 100;

export interface TimeLockGuard {
  /** How many leaked locks it gave back. */
  released(): number;
}

export interface TimeLockGuardOptions {
  stalledAfterMs?: number;
  lookEveryMs?: number;
  /** Where it says it gave a lock back; stderr unless given. */
  warn?: (line: string) => void;
}

type Look = { server: number; real: number };

/**
 * Replaces `env.sleep` with one that gives back a lock the test server leaked; see the file's comment. It
 * reads the clock when a skip starts and ends and every `lookEveryMs` in between, and adds up the real time
 * of skips, one after the other, in which the clock did not skip.
 */
export function guardTimeLocks(env: TestWorkflowEnvironment, options: TimeLockGuardOptions = {}): TimeLockGuard {
  const { stalledAfterMs = STALLED_AFTER_MS, lookEveryMs = LOOK_EVERY_MS, warn = (line) => console.error(line) } = options;
  const testService = env.connection.testService;
  if (!testService) throw new Error('guardTimeLocks needs the time-skipping test server');
  const skip = env.sleep;
  let released = 0;
  let stalledMs = 0;
  const look = async (): Promise<Look> => ({ server: await env.currentTimeMs(), real: Date.now() });

  /** Counts the time between two looks in a skip; gives a lock back once the clock has kept real pace too long. */
  async function observe(from: Look, to: Look) {
    const realMs = to.real - from.real;
    if (skipped(to.server - from.server, realMs)) stalledMs = 0;
    else stalledMs += realMs;
    if (stalledMs < stalledAfterMs) return;
    await testService!.unlockTimeSkipping({});
    released++;
    warn(
      `time-lock guard: the test server's clock kept real pace for ${Math.round(stalledMs / 1000)} s of skipping, so a ` +
        `lock on its time leaked (temporalio/sdk-java#1138); gave one back (${released} so far)`,
    );
    stalledMs = 0;
  }

  /** Looks every `lookEveryMs` until the skip ends, so one long skip that stalls is caught within it. */
  async function watch(first: Look, signal: AbortSignal): Promise<Look> {
    let last = first;
    for (;;) {
      try {
        await wait(lookEveryMs, undefined, { signal });
      } catch {
        return last; // the skip ended
      }
      const now = await look();
      await observe(last, now);
      last = now;
    }
  }

  env.sleep = async (duration) => {
    const first = await look();
    const ended = new AbortController();
    // A failed look (the server going as a file ends) must not outlive the skip as an unhandled rejection.
    const watching = watch(first, ended.signal).catch((error: unknown) => {
      warn(`time-lock guard: stopped watching a skip: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    try {
      await skip(duration);
    } finally {
      ended.abort();
    }
    const last = await watching;
    if (last) await observe(last, await look());
  };
  return { released: () => released };
}
