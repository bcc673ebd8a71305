// The time-skipping test server strands a run whose workflow task cancels a timer that fired while the
// task was with the worker: it refuses the completion ("invalid history builder state for action",
// temporalio/sdk-java#2606) and never times the task out or sends it again (temporalio/sdk-java#3088).
// The order then waits forever, and the lock on time its task held leaks (time-lock-guard.ts).
//
// Such a task is typically an update: a payment notification the sandbox delivers, resolving a
// `condition` whose timeout timer it cancels. A skip that fires that timer meanwhile strands the order.
// The gate keeps the two apart: a notification is sent only while no skip is under way, and a skip starts
// only once the notifications under way have been answered (the receiver answers after the update).
// Notifications run together; a skip runs alone, since two at once unbalance the server's one lock on
// time. Whoever waited first goes first, so neither kind starves the other.

/**
 * How far past a round step a wait's skip lands. A workflow starts its timers a moment after a skip lands
 * (its task's time), for round durations, so a skip of a round step tends to land just before one is due:
 * the timer then fires in real time right after, while a notification or the test's next update may be
 * with the worker, which the test server cannot take when that task cancels the timer (see above). The
 * odd offset fires those timers inside the skip; it is up to 7 s, longer than a loaded worker's task takes.
 */
export const landingOffsetMs = (stepMs: number) => Math.min(Math.round(stepMs / 4), 7_000) + 13;

type Kind = 'skip' | 'delivery';

interface Waiter {
  kind: Kind;
  admit: () => void;
}

export class SkipGate {
  private mode: Kind | null = null;
  private active = 0;
  private readonly queue: Waiter[] = [];

  /** Runs a skip of the test server's clock once no notification is under way. */
  skip<T>(run: () => Promise<T>): Promise<T> {
    return this.hold('skip', run);
  }

  /** Runs a notification's delivery once no skip is under way. */
  deliver<T>(run: () => Promise<T>): Promise<T> {
    return this.hold('delivery', run);
  }

  /** What holds the gate now, and how many wait: for a report on a stalled order. */
  state(): string {
    return `${this.mode ?? 'idle'}${this.active ? ` x${this.active}` : ''}, ${this.queue.length} waiting`;
  }

  private async hold<T>(kind: Kind, run: () => Promise<T>): Promise<T> {
    const free = this.mode === null || (kind === 'delivery' && this.mode === kind);
    if (free && this.queue.length === 0) {
      this.mode = kind;
      this.active++;
    } else {
      await new Promise<void>((admit) => this.queue.push({ kind, admit }));
    }
    try {
      return await run();
    } finally {
      this.release();
    }
  }

  private release() {
    if (--this.active > 0) return;
    this.mode = null;
    const next = this.queue[0]?.kind;
    if (!next) return;
    // The first skip goes in alone; the deliveries at the head of the queue go in together.
    this.mode = next;
    do {
      this.active++;
      this.queue.shift()!.admit();
    } while (next === 'delivery' && this.queue[0]?.kind === next);
  }
}
