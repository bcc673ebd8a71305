// The limits of the sandbox's HTTP server. Each refusal they cause names the limit it enforced.

export interface SandboxLimits {
  /**
   * The largest request body, in bytes. The orchestrator's Alipay+ requests are 1–3 KB (pay carries two URLs of at
   * most 2,048 characters and no goods). The largest a published request may be is a pay with 100 `goods` whose
   * names are 256 CJK characters: about 110 KB. The e-port's order document of 100 items of 256 CJK characters is
   * about 90 KB, and the test helpers' bodies are smaller still. 128 KiB takes all of them, and nothing much bigger.
   */
  bodyLimitBytes: number;
  /**
   * Requests being read or answered at once; one more is answered 503. The worker runs at most 100 activities at
   * a time (the SDK's default) and the tests and the bench add a few helper calls: 256 leaves room for them.
   */
  maxInFlight: number;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body; it must be at least headersTimeoutMs. */
  requestTimeoutMs: number;
  /**
   * A connection silent this long is closed, answer or not. It is long because a call may legitimately be
   * slow: injected latency (up to 30 s) and `clock/advance`, which waits for the notifications it sends.
   */
  idleTimeoutMs: number;
  /** How often node:http checks the header and request timeouts. */
  timeoutCheckIntervalMs: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  bodyLimitBytes: 128 * 1024,
  maxInFlight: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  timeoutCheckIntervalMs: 1_000,
};

/** The limits in force: the defaults, with what the caller set. */
export function sandboxLimits(over: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`sandbox limit ${name} must be a whole number from 1, not ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error('sandbox limit headersTimeoutMs must not exceed requestTimeoutMs');
  return limits;
}

/** Counts requests from their headers until their answer is sent or their connection is gone. */
export class InFlight {
  private count = 0;

  constructor(readonly max: number) {}

  get current(): number {
    return this.count;
  }

  /** Takes a place; false when none is left. `release` is idempotent. */
  tryEnter(): { release: () => void } | null {
    if (this.count >= this.max) return null;
    this.count += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.count -= 1;
      },
    };
  }
}
