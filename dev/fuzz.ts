import { fuzzOptionsFromEnv } from './fuzz/options';
import { formatReport, runFuzz } from './fuzz/run';

// `npm run fuzz`: 10,000 generated cases across the boundaries (FUZZ_RUNS to change it), from a seed
// it prints (FUZZ_SEED to repeat a run). Exits 1 when a property fails, with fast-check's counterexample.

async function main() {
  const options = fuzzOptionsFromEnv(process.env, 10_000);
  console.log(`fuzz: ${options.runs} cases, FUZZ_SEED=${options.seed}${options.only?.length ? `, only ${options.only.join(', ')}` : ''}`);
  const report = await runFuzz(options);
  console.log(`\n${formatReport(report)}`);
  process.exit(report.failures.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
