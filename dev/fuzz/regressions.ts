import type { Stack } from '../stack';
import type { Replay } from './harness';
import { runFuzz, type FuzzReport } from './run';

// A failure the fuzz found, kept as a named regression test: its seed, on the boundary it hit, and the path to
// its counterexample when fast-check gave one. The list is in REGRESSIONS_FILE; every run that fails prints the
// entry to add there.

/** The test file whose REGRESSIONS list holds every failure found so far. */
export const REGRESSIONS_FILE = 'test/fuzz/fuzz-regressions.test.ts';

export interface FuzzRegression {
  /** What broke, which the test is named after. */
  name: string;
  /** FUZZ_SEED of the run that found it. */
  seed: number;
  /** FUZZ_RUNS of that run: with the seed, the boundary gets the same cases again. */
  runs: number;
  boundary: string;
  /** The counterexample alone, from fast-check's path; without it the boundary runs all the seed's cases. */
  replay?: Replay;
}

/** Runs one regression on a stack of the caller's: the boundary it hit, from its seed. */
export function runRegression(r: FuzzRegression, stack: Stack, log?: (line: string) => void): Promise<FuzzReport> {
  return runFuzz({ seed: r.seed, runs: r.runs, only: [r.boundary], replay: r.replay, stack, log });
}

/** The regressions a failed run asks for, one per failed property of a boundary (the memory bound has no boundary). */
export function regressionsOf(report: FuzzReport): FuzzRegression[] {
  return report.failures
    .filter((f) => f.boundary !== 'all servers')
    .map((f) => ({
      name: `TODO what broke: ${f.boundary}, ${f.property}`,
      seed: report.seed,
      runs: report.runs,
      boundary: f.boundary,
      ...(f.path && { replay: { property: f.property, path: f.path } }),
    }));
}

const quoted = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** One entry of REGRESSIONS as it is written in the test file. */
export function regressionEntry(r: FuzzRegression): string {
  const replay = r.replay ? `, replay: { property: ${quoted(r.replay.property)}, path: ${quoted(r.replay.path)} }` : '';
  return `{ name: ${quoted(r.name)}, seed: ${r.seed}, runs: ${r.runs}, boundary: ${quoted(r.boundary)}${replay} },`;
}

/** What a failed run prints: how to keep each failure as a regression test, and how to run it. */
export function regressionHint(report: FuzzReport): string {
  const found = regressionsOf(report);
  if (found.length === 0) return '';
  return [
    `To keep ${found.length === 1 ? 'this failure' : 'these failures'} as regression tests, add to REGRESSIONS in ${REGRESSIONS_FILE}`,
    "(name each for what broke; a replay runs the shrunk counterexample alone, from the seed and fast-check's path):",
    ...found.map((r) => `  ${regressionEntry(r)}`),
    `Repeat the whole run: FUZZ_SEED=${report.seed} FUZZ_RUNS=${report.runs}${report.only?.length ? ` FUZZ_ONLY=${quoted(report.only.join(','))}` : ''} npm run fuzz`,
    `Run the regressions: node --import tsx --test ${REGRESSIONS_FILE}`,
  ].join('\n');
}
