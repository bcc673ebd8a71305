import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzOptionsFromEnv } from '../../dev/fuzz/options';
import { formatReport, runFuzz } from '../../dev/fuzz/run';

// `npm run fuzz` at a smaller size (FUZZ_RUNS, 600 unless set): every boundary, every property.

test('fuzzed boundaries keep their properties', { timeout: 10 * 60_000 }, async () => {
  const options = fuzzOptionsFromEnv(process.env, 600);
  console.log(`fuzz: ${options.runs} cases, FUZZ_SEED=${options.seed}`);
  const report = await runFuzz({ ...options, log: (line) => console.log(`  ${line}`) });
  const text = formatReport(report);
  console.log(text);
  assert.ok(report.total >= Math.min(options.runs, 100), `only ${report.total} cases ran`);
  assert.deepEqual(
    report.failures.map((f) => `${f.boundary}: ${f.property}`),
    [],
    text,
  );
});
