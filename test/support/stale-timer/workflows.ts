import { condition, defineQuery, setHandler, sleep } from '@temporalio/workflow';
import { waitUntil } from '../../../workflows/wake-time';

// Two workflows that decide right after a 4 s timer whether it was due: one with Date.now(), as the order
// and quota loops did, and one with the time waitUntil() gives (workflows/wake-time.ts).

export const pingQuery = defineQuery<string>('ping');
export const TIMER_MS = 4_000;

export interface Decision {
  decided: 'at the timer' | 'before the timer was due';
  /** Date.now() right after the timer fired was still before the time it was set for: the SDK defect. */
  clockWasStale: boolean;
}

async function decideAfterTimer(wait: (due: number, start: number) => Promise<number>): Promise<Decision> {
  setHandler(pingQuery, () => 'pong');
  const start = Date.now();
  const due = start + TIMER_MS;
  const at = await wait(due, start);
  const clockWasStale = Date.now() < due;
  if (at < due) {
    await sleep(1_000);
    return { decided: 'before the timer was due', clockWasStale };
  }
  return { decided: 'at the timer', clockWasStale };
}

export async function decideWithDateNow(): Promise<Decision> {
  return decideAfterTimer(async () => {
    await condition(() => false, TIMER_MS);
    return Date.now();
  });
}

export async function decideWithWaitUntil(): Promise<Decision> {
  return decideAfterTimer(async (due, start) => (await waitUntil(due, start, () => false, 'the timer')).at);
}
