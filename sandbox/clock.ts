// The sandbox's clock. Every rule that involves time (the 5-minute retransmission gap, review delays,
// notification retries, payment expiry, the refund window) reads it, never Date.now() directly.
//
// It is a source plus an offset. The source is the real clock by default; a test on Temporal's
// time-skipping server passes a source that reads the server's time, so both clocks agree.

export type TimeSource = () => number | Promise<number>;

export class SandboxClock {
  private offsetMs = 0;

  constructor(private readonly source: TimeSource = Date.now) {}

  async now(): Promise<number> {
    return (await this.source()) + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
