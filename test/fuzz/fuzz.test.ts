import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Stack } from '../../dev/stack';
import { fixedSeedsFromEnv } from '../../dev/fuzz/options';
import { regressionHint } from '../../dev/fuzz/regressions';
import { formatReport, runFuzz, startFuzzStack } from '../../dev/fuzz/run';
import { GATE_SEEDS } from '../../dev/fuzz/seeds';

// `npm run fuzz` at a smaller size, on fixed seeds (GATE_SEEDS: 600 cases on two seeds), so the gate passes or fails
// by the code and never by a seed drawn at random: every boundary, every property. FUZZ_SEED runs one seed of your
// own instead, FUZZ_RUNS sets the size in all.

const { seeds, runsPerSeed, only } = fixedSeedsFromEnv(process.env, GATE_SEEDS);

describe('fuzzed boundaries keep their properties', () => {
  let stack: Stack;
  before(async () => {
    stack = await startFuzzStack();
    console.log(`stack up (logs in ${stack.logDir})`);
  });
  after(() => stack?.stop());

  for (const seed of seeds) {
    test(`FUZZ_SEED=${seed}`, { timeout: 10 * 60_000 }, async () => {
      console.log(`fuzz: ${runsPerSeed} cases, FUZZ_SEED=${seed}`);
      const report = await runFuzz({ seed, runs: runsPerSeed, only, stack, log: (line) => console.log(`  ${line}`) });
      const text = formatReport(report);
      console.log(text);
      // FUZZ_ONLY narrows the run to a few boundaries' shares.
      const least = only?.length ? 1 : Math.min(runsPerSeed, 100);
      assert.ok(report.total >= least, `only ${report.total} cases ran`);
      assert.deepEqual(
        report.failures.map((f) => `${f.boundary}: ${f.property}`),
        [],
        `${text}\n\n${regressionHint(report)}`,
      );
    });
  }
});
