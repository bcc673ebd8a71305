import type { Client } from '@temporalio/client';
import { orderStatus } from '../../client/orders';
import type { OrderStatus, Stage } from '../../domain/order-api';

export interface WaitOptions {
  /** Give up after this long, in real time. 180 s unless given. */
  timeoutMs?: number;
  /** With a `sleep` that skips time: give up, too, once the sleeps add up to this much skipped time. */
  skippedTimeoutMs?: number;
  /** Between two looks. 1 s unless given. */
  intervalMs?: number;
  /** How to wait between looks; a time-skipping test environment passes its `sleep`, which skips time. */
  sleep?: (ms: number) => Promise<void>;
  /** Each status seen, e.g. to show progress. */
  onStatus?: (status: OrderStatus) => void;
  /** What else is known of an order the wait gave up on (its payment's ledger, its workflow's state); in the error. */
  explain?: (orderId: string) => Promise<string>;
}

/** The order did not reach what a wait was for in time. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  constructor(
    readonly orderId: string,
    readonly what: string,
    /** How long it waited, in words. */
    readonly waited: string,
    /** The last status seen, if any, and the last query error when the last look failed. */
    readonly last: OrderStatus | undefined,
    readonly lastError: unknown,
    /** What `explain` said, if the wait had one. */
    readonly known?: string,
  ) {
    const tail = lastError ? `; last query error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : '';
    super(
      `order ${orderId} did not reach ${what} within ${waited}; last stage ${last?.stage ?? '(none)'}${known ? `\n  known: ${known}\n ` : ','} last status: ${JSON.stringify(last)}${tail}`,
    );
  }
}

/** A look must not hang: a query to an order whose worker is down waits for a worker. */
const QUERY_TIMEOUT_MS = 5_000;
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls the order's status query until `done` holds and returns that status. A failed look is tried
 * again; on timeout it throws naming `what`, the last status and the last query error.
 */
export async function waitForStatus(
  client: Client,
  orderId: string,
  what: string,
  done: (s: OrderStatus) => boolean,
  { timeoutMs = 180_000, skippedTimeoutMs = Infinity, intervalMs = 1_000, sleep = realSleep, onStatus, explain }: WaitOptions = {},
): Promise<OrderStatus> {
  const started = Date.now();
  let slept = 0;
  let last: OrderStatus | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => orderStatus(client, orderId));
      lastError = undefined;
      onStatus?.(last);
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    const waited =
      Date.now() - started >= timeoutMs
        ? `${timeoutMs / 1000} s`
        : slept >= skippedTimeoutMs
          ? `${skippedTimeoutMs / 1000} s of skipped time`
          : null;
    if (waited) {
      const known = explain && (await explain(orderId).catch((e: unknown) => `explaining failed: ${String(e)}`));
      throw new WaitTimeoutError(orderId, what, waited, last, lastError, known);
    }
    await sleep(intervalMs);
    slept += intervalMs;
  }
}

/** Polls until the order is in `stage`; the common case of `waitForStatus`. */
export function waitForStage(client: Client, orderId: string, stage: Stage, options?: WaitOptions): Promise<OrderStatus> {
  return waitForStatus(client, orderId, stage, (s) => s.stage === stage, options);
}
