import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Stack } from '../../dev/stack';
import { runRegression, type FuzzRegression } from '../../dev/fuzz/regressions';
import { formatReport, startFuzzStack } from '../../dev/fuzz/run';
import { START_ORDER } from '../../dev/fuzz/start-order';

// Every failure the fuzz found, as a named test: its seed, on the boundary it hit, so it fails again if the
// defect comes back. `npm run fuzz` prints the entry to add here for each failure it finds; an entry with a
// replay runs the shrunk counterexample alone, one without runs all the cases the seed gave that boundary.

export const REGRESSIONS: FuzzRegression[] = [
  // Found in CI at 600 cases: orderProblems threw a bare RangeError from the tax ("dutiable value must be whole fen,
  // not negative") instead of naming the field. Fixed by 187c704; unit tests in test/unit/order-input.test.ts and
  // test/unit/amount-rules.test.ts. The 50th startOrder case set items.2.unitPriceFen to -884544707:
  { name: 'a negative unit price is refused by its field, not a bare RangeError', seed: 1603429241, runs: 600, boundary: START_ORDER },
  // The 18th startOrder case set freightFen to -359523006:
  { name: 'a negative freight is refused by its field, not a bare RangeError', seed: 1947426561, runs: 600, boundary: START_ORDER },
];

describe('failures the fuzz found stay fixed', () => {
  let stack: Stack;
  before(async () => {
    stack = await startFuzzStack();
    console.log(`stack up (logs in ${stack.logDir})`);
  });
  after(() => stack?.stop());

  for (const r of REGRESSIONS) {
    test(`${r.name} (FUZZ_SEED=${r.seed}, ${r.boundary})`, { timeout: 10 * 60_000 }, async () => {
      const report = await runRegression(r, stack, (line) => console.log(`  ${line}`));
      const text = formatReport(report);
      assert.ok(report.counts[r.boundary] > 0, `no case of ${r.boundary} ran:\n${text}`);
      assert.deepEqual(
        report.failures.map((f) => `${f.boundary}: ${f.property}`),
        [],
        text,
      );
    });
  }
});
