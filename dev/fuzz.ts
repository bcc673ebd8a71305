import { fuzzOptionsFromEnv } from './fuzz/options';
import { regressionHint } from './fuzz/regressions';
import { formatReport, runFuzz } from './fuzz/run';

// `npm run fuzz`, the exploration: 10,000 generated cases across the boundaries (FUZZ_RUNS to change it), from a
// new seed it prints (FUZZ_SEED to repeat a run). Exits 1 when a property fails, with fast-check's counterexample
// and the regression entry that keeps it (test/fuzz/fuzz-regressions.test.ts). The gates run fixed seeds.

async function main() {
  const options = fuzzOptionsFromEnv(process.env, 10_000);
  console.log(`fuzz: ${options.runs} cases, FUZZ_SEED=${options.seed}${options.only?.length ? `, only ${options.only.join(', ')}` : ''}`);
  const report = await runFuzz(options);
  console.log(`\n${formatReport(report)}`);
  if (report.failures.length) console.log(`\n${regressionHint(report)}`);
  process.exit(report.failures.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
