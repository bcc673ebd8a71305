import { z } from 'zod';
import type { FuzzOptions } from './run';
import type { SeedPlan } from './seeds';

// FUZZ_RUNS, FUZZ_SEED and FUZZ_ONLY, for `npm run fuzz`, the fuzz test in `npm test` and `npm run fuzz:ci`.

const settings = z.object({
  FUZZ_RUNS: z.coerce.number().int().min(1).max(1_000_000).optional(),
  FUZZ_SEED: z.coerce
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .optional(),
  /** Comma-separated boundary names, e.g. "codec server,CLI". */
  FUZZ_ONLY: z.string().optional(),
});

const onlyOf = (list: string | undefined) =>
  list
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);

/** `npm run fuzz`, the exploration: a new seed each run unless one is given; it is printed, so any run can be repeated. */
export function fuzzOptionsFromEnv(env: NodeJS.ProcessEnv, defaultRuns: number): FuzzOptions {
  const s = settings.parse(env);
  return {
    runs: s.FUZZ_RUNS ?? defaultRuns,
    seed: s.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31),
    only: onlyOf(s.FUZZ_ONLY),
  };
}

/**
 * A run on fixed seeds (seeds.ts), each seed with its share of the cases; nothing is drawn at random. FUZZ_SEED
 * runs that seed alone, FUZZ_RUNS changes the size in all and FUZZ_ONLY the boundaries, to repeat or narrow it.
 */
export function fixedSeedsFromEnv(env: NodeJS.ProcessEnv, plan: SeedPlan): { seeds: number[]; runsPerSeed: number; only?: string[] } {
  const s = settings.parse(env);
  const seeds = s.FUZZ_SEED === undefined ? [...plan.seeds] : [s.FUZZ_SEED];
  return {
    seeds,
    runsPerSeed: Math.max(1, Math.round((s.FUZZ_RUNS ?? plan.runs) / seeds.length)),
    only: onlyOf(s.FUZZ_ONLY),
  };
}
