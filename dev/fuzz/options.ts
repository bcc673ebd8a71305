import { z } from 'zod';
import type { FuzzOptions } from './run';

// FUZZ_RUNS, FUZZ_SEED and FUZZ_ONLY, for `npm run fuzz` and the fuzz test in `npm test`.

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

export function fuzzOptionsFromEnv(env: NodeJS.ProcessEnv, defaultRuns: number): FuzzOptions {
  const s = settings.parse(env);
  return {
    runs: s.FUZZ_RUNS ?? defaultRuns,
    // A new seed each run unless one is given; it is printed, so any run can be repeated.
    seed: s.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31),
    only: s.FUZZ_ONLY?.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  };
}
