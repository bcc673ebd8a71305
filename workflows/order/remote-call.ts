import { condition, isCancellation } from '@temporalio/workflow';
import { finalAnswerHandling, stepDecidesOtherwise, type FinalAnswerHandling, type RemoteCall } from '../../domain/final-answers';
import { asActivities, asLocalActivities, type Parties } from './activities';
import { STUCK_POLL_GAP } from './customs-polling';
import { finalCode } from './failures';
import { clearStuck, markStuck, publishPending, watch } from './progress';
import { CONFIGURATION_RETRIES_DECLARE_AND_REFUND, since } from './versions';
import type { OrderState } from './state';

// Every call an order makes once money may have been taken goes through `callRemote`: a final answer
// never fails the workflow. The table in domain/final-answers.ts decides, per call and code, whether
// the step handles the answer, the call's purpose is met already, or the order waits stuck and retries.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
/** A configuration mistake is often fixed within minutes: retry soon, then on the stuck cadence. */
const CONFIGURATION_RETRY_GAPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE];

/**
 * The gap before retry number `attempt` (from 0): hourly for two days, every 6 hours for the next twelve,
 * then daily. A call stuck for a year is retried about 450 times, so the history stays bounded.
 */
function retryGap(configuration: boolean, attempt: number): number {
  const early = configuration ? CONFIGURATION_RETRY_GAPS : [];
  if (attempt < early.length) return early[attempt];
  const stuckFor = attempt - early.length;
  return stuckFor < 48 ? STUCK_POLL_GAP : stuckFor < 96 ? 6 * HOUR : 24 * HOUR;
}

/** A final answer the calling step handles: it has a branch for it, or the call's purpose is met already. */
export class FinalAnswer extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly handling: Extract<FinalAnswerHandling, 'STEP_DECIDES' | 'ALREADY_DONE'>,
  ) {
    super(message);
  }
}

/**
 * Makes one call and returns its answer; a final answer throws. A local activity first: it runs in the
 * workflow task and costs one marker in the history. One that has not succeeded in a few quick attempts
 * (Alipay+ down, say) goes out as an activity, which Temporal retries with no history events, watched so
 * the order shows as stuck while it keeps failing.
 */
export async function callOnce<T>(o: OrderState, what: string, run: (via: Parties) => Promise<T>, { watched = true } = {}): Promise<T> {
  if (o.lean) {
    try {
      return await run(asLocalActivities);
    } catch (error) {
      // A final answer is the call's answer; anything else that outlasted the quick attempts goes out as an activity.
      if (finalCode(error) || isCancellation(error)) throw error;
    }
    publishPending(o);
  }
  return watched ? watch(o, run(asActivities), what) : run(asActivities);
}

/**
 * Runs one call until it answers with something its step can use. Throws `FinalAnswer` for the answers the
 * table leaves to the step; an operator's poll-now retries a stuck call at once.
 */
export async function callRemote<T>(
  o: OrderState,
  call: RemoteCall,
  what: string,
  run: (via: Parties) => Promise<T>,
  { watched = true }: { watched?: boolean } = {},
): Promise<T> {
  const scope = `answer:${what}`;
  for (let attempt = 0; ; attempt++) {
    try {
      // The quota entity runs on the same Temporal and is not watched: its calls never were.
      const result = await callOnce(o, what, run, { watched });
      if (attempt > 0) clearStuck(o, scope);
      return result;
    } catch (error) {
      const f = finalCode(error);
      if (!f) throw error;
      let handling = finalAnswerHandling(call, f.code);
      // Before this patch, declare and refund handed their configuration answers to the step too.
      if (handling === 'RETRY_WHEN_CONFIGURED' && stepDecidesOtherwise(call) && !since(o, CONFIGURATION_RETRIES_DECLARE_AND_REFUND)) {
        handling = 'STEP_DECIDES';
      }
      if (handling === 'STEP_DECIDES' || handling === 'ALREADY_DONE') {
        if (attempt > 0) clearStuck(o, scope);
        throw new FinalAnswer(f.code, f.message, handling);
      }
      const configuration = handling === 'RETRY_WHEN_CONFIGURED';
      const gap = retryGap(configuration, attempt);
      markStuck(
        o,
        configuration ? 'CONFIGURATION' : 'UNEXPECTED_ANSWER',
        `${what} answered ${f.code} (${f.message}); ` +
          (configuration
            ? `check the keys and the client configuration; retried in ${gap / MINUTE} minutes`
            : `an operator must look; retried in ${gap / MINUTE} minutes or on poll-now`),
        scope,
      );
      o.pollRequested = false;
      publishPending(o);
      await condition(() => o.pollRequested, gap, { summary: `Retry ${what} after ${f.code}` });
      o.pollRequested = false;
    }
  }
}
