// The fixed seeds of the fuzz runs that gate a change: the same cases every run, so a run passes or fails by
// the code, never by the seed it drew. `npm run fuzz` draws new seeds to explore, and a failure it finds is
// kept as a named regression (test/fuzz/fuzz-regressions.test.ts).

/** Seeds and the run's size, shared among them. */
export interface SeedPlan {
  seeds: readonly number[];
  /** Cases in all, shared among the seeds (each seed shares its part among the boundaries). */
  runs: number;
}

/** The fuzz in `npm test` (test/fuzz/fuzz.test.ts): 600 cases on two seeds. */
export const GATE_SEEDS: SeedPlan = { seeds: [20262401, 20262402], runs: 600 };

/**
 * `npm run fuzz:ci` (dev/fuzz-ci.ts), for CI after `npm test`: 3,000 cases on three other seeds, 73 to 81 s in
 * fresh-clone runs, the stack's start included. Its deadline of 3 minutes ends it with a report, within the 4
 * minutes .ci/run gives the step: a property still running then fails.
 */
export const CI_SEEDS: SeedPlan & { minutes: number } = { seeds: [20262411, 20262412, 20262413], runs: 3_000, minutes: 3 };
