import { fixedSeedsFromEnv } from './fuzz/options';
import { regressionHint } from './fuzz/regressions';
import { formatReport, runFuzz, startFuzzStack, type FuzzReport } from './fuzz/run';
import { CI_SEEDS } from './fuzz/seeds';

// `npm run fuzz:ci`: the longer fuzz for CI after `npm test`, on fixed seeds (CI_SEEDS: 3,000 cases in 3
// minutes at most), one stack for all of them. Exits 1 when a property fails or the time runs out, with the
// regression entry that keeps each failure. FUZZ_SEED, FUZZ_RUNS and FUZZ_ONLY change the run as for `npm run fuzz`.

async function main() {
  const { seeds, runsPerSeed, only } = fixedSeedsFromEnv(process.env, CI_SEEDS);
  const deadline = Date.now() + CI_SEEDS.minutes * 60_000;
  console.log(`fuzz:ci: ${runsPerSeed} cases on each of FUZZ_SEED=${seeds.join(', ')}, within ${CI_SEEDS.minutes} minutes`);
  const stack = await startFuzzStack();
  console.log(`stack up (logs in ${stack.logDir})`);
  const reports: FuzzReport[] = [];
  try {
    for (const seed of seeds) {
      console.log(`\nFUZZ_SEED=${seed}`);
      const report = await runFuzz({ seed, runs: runsPerSeed, only, deadline, stack });
      console.log(`\n${formatReport(report)}`);
      if (report.failures.length) console.log(`\n${regressionHint(report)}`);
      reports.push(report);
    }
  } finally {
    await stack.stop();
  }
  const failed = reports.filter((r) => r.failures.length);
  const total = reports.reduce((n, r) => n + r.total, 0);
  console.log(
    `\nfuzz:ci: ${total} cases, ${failed.length ? `FAILED on FUZZ_SEED=${failed.map((r) => r.seed).join(', ')}` : 'every property held'}`,
  );
  process.exit(failed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
