// The bench's phases and the targets it judges, with their defaults. The defaults fit in 5 minutes on
// 2 cores: about 15 s to start the stack, 15 s of baseline, 20 s unloaded, 60 s of load, about 65 s for
// the last orders to pass the customs poll schedule (90 s at most), then the steps, about 10 s each.

export interface BenchOptions {
  baselineSeconds: number;
  /** No-op workflows kept in flight during the baseline. */
  baselineConcurrency: number;
  unloadedRate: number;
  unloadedSeconds: number;
  /** The load phase: orders per second, for this long. */
  rate: number;
  seconds: number;
  /** How long after the load phase's last start to wait for its orders to be released. */
  drainSeconds: number;
  step: boolean;
  stepStart: number;
  stepFactor: number;
  stepMax: number;
  stepSeconds: number;
  /** Runs one order of each path and counts its Actions and events. */
  cost: boolean;
  /** The width of the plot's time bins. */
  binSeconds: number;
  /** The results go into a new folder under this one. */
  outDir: string;
}

export const DEFAULTS: BenchOptions = {
  baselineSeconds: 15,
  baselineConcurrency: 32,
  unloadedRate: 1,
  unloadedSeconds: 20,
  rate: 10,
  seconds: 60,
  drainSeconds: 90,
  step: true,
  stepStart: 5,
  stepFactor: 1.5,
  stepMax: 120,
  stepSeconds: 10,
  cost: true,
  binSeconds: 5,
  outDir: 'bench-results',
};

/** A smoke run of about 3 minutes: shorter phases; the customs poll schedule still takes its minute. */
export const QUICK: Partial<BenchOptions> = { baselineSeconds: 6, unloadedSeconds: 10, rate: 5, seconds: 15, stepSeconds: 5 };

/** The targets of issue 10. */
export const TARGETS = {
  happyActions: 20,
  happyEvents: 60,
  loadRate: 10,
  loadSeconds: 60,
  loadCheckoutP99Ms: 1000,
  loadNotifyToDeclareP99Ms: 1000,
  unloadedRate: 1,
  unloadedCheckoutP99Ms: 200,
  sustainedShareOfBaseline: 0.3,
  /** Step mode's limit: the rate is sustained while checkout p99 stays within it. */
  stepCheckoutP99Ms: 1000,
};

/** The order's first customs review poll is 30 s after declaring, and the first clearance poll 30 s later. */
export const POLL_SCHEDULE_MS = 60_000;
