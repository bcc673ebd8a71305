import { z } from 'zod';

// Faults a test asks for through POST /sandbox/faults: shares of U results, HTTP 500s, traffic limits,
// dropped or duplicated notifications, and added latency. `next` injects an exact count, for tests
// that must not depend on chance. `afterEffect` makes the fault hit after the call took effect, the
// case where only idempotency keys prevent a second payment, declaration or refund. `finalWindows`
// answer every call on one path with a signed F for a while, as Alipay+ does when a merchant's key or
// configuration is wrong until someone fixes it.

const share = z.number().min(0).max(1).default(0);
const kind = z.enum(['U', 'HTTP_500', 'TRAFFIC_LIMIT']);

export const faultConfig = z.object({
  uResultRate: share,
  http500Rate: share,
  trafficLimitRate: share,
  dropNotificationRate: share,
  duplicateNotificationRate: share,
  latencyMs: z.number().int().min(0).max(30_000).default(0),
  /** Limit the random faults to these API paths. Default: every Alipay+ path. */
  paths: z.array(z.string()).optional(),
  afterEffect: z.boolean().default(false),
  next: z
    .array(
      z.object({
        kind,
        count: z.number().int().min(1).max(1000),
        path: z.string().optional(),
        afterEffect: z.boolean().default(false),
      }),
    )
    .default([]),
  /** From when the config is set (sandbox clock), every call on `path` is answered F `resultCode` for `durationMs`, and nothing takes effect. */
  finalWindows: z
    .array(
      z.object({
        resultCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be an Alipay+ result code such as INVALID_SIGNATURE'),
        path: z.string().startsWith('/aps/', 'must be an Alipay+ API path'),
        durationMs: z
          .number()
          .int()
          .min(1)
          .max(24 * 3_600_000),
      }),
    )
    .default([]),
  seed: z.number().int().default(42),
});
export type FaultConfig = z.infer<typeof faultConfig>;
export type FaultKind = z.infer<typeof kind>;

export interface Fault {
  kind: FaultKind;
  afterEffect: boolean;
}

/** Small deterministic PRNG (mulberry32) so a seeded fault run repeats exactly. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private config: FaultConfig = faultConfig.parse({});
  private rand = seededRandom(42);
  /** When the config was set: its final windows open then. */
  private setAt = 0;
  readonly injected: { at: number; path: string; kind: FaultKind | 'F'; afterEffect: boolean; resultCode?: string }[] = [];

  set(config: FaultConfig, now: number) {
    this.config = config;
    this.rand = seededRandom(config.seed);
    this.setAt = now;
  }

  /** The F result code a call on `path` gets now, while a final window on it is open. */
  finalFor(path: string, now: number): string | null {
    const open = this.config.finalWindows.find((w) => w.path === path && now >= this.setAt && now < this.setAt + w.durationMs);
    if (!open) return null;
    this.injected.push({ at: now, path, kind: 'F', afterEffect: false, resultCode: open.resultCode });
    return open.resultCode;
  }

  /** Added latency for a call, limited to `paths` when they are set. */
  latencyFor(path: string) {
    return !this.config.paths || this.config.paths.includes(path) ? this.config.latencyMs : 0;
  }

  /** The fault for one API call, if any. */
  forCall(path: string, now: number): Fault | null {
    const queued = this.config.next.find((f) => f.count > 0 && (!f.path || f.path === path));
    let fault: Fault | null = null;
    if (queued) {
      queued.count -= 1;
      fault = { kind: queued.kind, afterEffect: queued.afterEffect };
    } else if (!this.config.paths || this.config.paths.includes(path)) {
      const r = this.rand();
      const { uResultRate: u, http500Rate: h, trafficLimitRate: t } = this.config;
      if (r < u) fault = { kind: 'U', afterEffect: this.config.afterEffect };
      else if (r < u + h) fault = { kind: 'HTTP_500', afterEffect: this.config.afterEffect };
      else if (r < u + h + t) fault = { kind: 'TRAFFIC_LIMIT', afterEffect: this.config.afterEffect };
    }
    if (fault) this.injected.push({ at: now, path, ...fault });
    return fault;
  }

  /** What happens to one notification attempt. */
  forNotification(): 'DROP' | 'DUPLICATE' | null {
    const r = this.rand();
    if (r < this.config.dropNotificationRate) return 'DROP';
    if (r < this.config.dropNotificationRate + this.config.duplicateNotificationRate) return 'DUPLICATE';
    return null;
  }
}
