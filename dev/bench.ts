import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { Listr } from 'listr2';
import { projectRoot } from '../platform/paths';
import { DEFAULTS, QUICK, type BenchOptions } from './bench/options';
import { plotSvg } from './bench/plot';
import { plotData } from './bench/plot-data';
import { buildReport, markdownSummary } from './bench/report';
import { benchPhases, newState } from './bench/run';

// `npm run bench`: one run on one local stack measures the no-op baseline, the orders unloaded and at an
// offered rate, the highest rate sustained, the cost of each path in Actions and events, and the worker's
// CPU and memory per order; then judges the targets. docs/testing.md says what each figure means.

const positive = (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a number above 0');
  return n;
};

const program = new Command('bench')
  .description('measures the orchestrator on a local stack; writes report.json, summary.md and bench.svg')
  .option('--rate <per-second>', `orders per second in the load phase (default ${DEFAULTS.rate})`, positive)
  .option('--seconds <n>', `length of the load phase (default ${DEFAULTS.seconds})`, positive)
  .option('--unloaded-rate <per-second>', `orders per second in the unloaded phase (default ${DEFAULTS.unloadedRate})`, positive)
  .option('--unloaded-seconds <n>', `length of the unloaded phase (default ${DEFAULTS.unloadedSeconds})`, positive)
  .option('--baseline-seconds <n>', `length of the no-op baseline (default ${DEFAULTS.baselineSeconds})`, positive)
  .option('--baseline-concurrency <n>', `no-op workflows in flight in the baseline (default ${DEFAULTS.baselineConcurrency})`, positive)
  .option(
    '--drain-seconds <n>',
    `longest wait after the load phase for its orders to be released (default ${DEFAULTS.drainSeconds})`,
    positive,
  )
  .option('--step-start <per-second>', `step mode's first rate (default ${DEFAULTS.stepStart})`, positive)
  .option('--step-factor <x>', `step mode's rate multiplier (default ${DEFAULTS.stepFactor})`, positive)
  .option('--step-seconds <n>', `length of each step (default ${DEFAULTS.stepSeconds})`, positive)
  .option('--step-max <per-second>', `step mode's highest rate (default ${DEFAULTS.stepMax})`, positive)
  .option('--no-step', 'skip step mode')
  .option('--no-cost', 'skip the cost-path orders and their Action counts')
  .option('--quick', 'a smoke run of about 3 minutes: shorter phases, 5 orders/s for 15 s')
  .option('--out <dir>', `results go into <dir>/<ISO timestamp>/ (default ${DEFAULTS.outDir})`)
  .parse();

type Flags = Partial<
  Record<'rate' | 'seconds' | 'unloadedRate' | 'unloadedSeconds' | 'baselineSeconds' | 'baselineConcurrency' | 'drainSeconds', number>
> &
  Partial<Record<'stepStart' | 'stepFactor' | 'stepSeconds' | 'stepMax', number>> & {
    step: boolean;
    cost: boolean;
    quick?: boolean;
    out?: string;
  };

function optionsFrom(flags: Flags): BenchOptions {
  const { quick, out, step, cost, ...numbers } = flags;
  const given = Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS, ...(quick ? QUICK : {}), ...given, step, cost, outDir: out ?? DEFAULTS.outDir };
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main() {
  const options = optionsFrom(program.opts<Flags>());
  const resultsDir = resolve(projectRoot(), options.outDir, new Date().toISOString().replace(/:/g, '-'));
  mkdirSync(resultsDir, { recursive: true });
  const state = newState(options, resultsDir);
  console.log(`bench: results in ${relative(process.cwd(), resultsDir) || resultsDir}`);
  // A log (no TTY) gets a line per change of title, so there the titles change at most every 5 s.
  const throttleMs = process.stdout.isTTY ? 0 : 5_000;
  try {
    await new Listr(
      benchPhases(options).map((phase) => ({
        title: phase.title,
        enabled: phase.enabled,
        task: async (_ctx: unknown, task: { title: string }) => {
          const started = Date.now();
          let shown = 0;
          let last = '';
          await phase.run(state, (line) => {
            last = line;
            if (Date.now() - shown >= throttleMs) {
              shown = Date.now();
              task.title = `${phase.title} | ${line}`;
            }
          });
          task.title = `${phase.title}${last ? ` | ${last}` : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)`;
        },
      })),
      { fallbackRenderer: 'verbose', fallbackRendererOptions: { logTitleChange: true }, exitOnError: true },
    ).run();
  } finally {
    // The stack is thrown away: the parts that would drain gracefully are killed, the rest stopped.
    const stack = state.stack;
    if (stack) {
      // A profiled worker (WORKER_CPU_PROF) writes its profiles only on a graceful exit.
      const workerSignal = process.env.WORKER_CPU_PROF ? 'SIGTERM' : 'SIGKILL';
      await Promise.all([stack.stopWorker(workerSignal), stack.stopReceiver('SIGKILL'), stack.stopServer('SIGKILL')]);
      await stack.stop();
    }
  }
  const report = buildReport(state, gitCommit());
  const summary = markdownSummary(report, relative(projectRoot(), resultsDir));
  writeFileSync(join(resultsDir, 'report.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(resultsDir, 'summary.md'), summary);
  const svg = await plotSvg(plotData(report, options.binSeconds, `npm run bench, ${report.startedAt}, run ${report.runId}`));
  writeFileSync(join(resultsDir, 'bench.svg'), svg);
  console.log(`\n${summary}`);
  console.log(`plot: ${join(relative(process.cwd(), resultsDir) || resultsDir, 'bench.svg')}`);
}

main().then(
  // A cost-path drive that did not reach its end may still be polling its order: the run is over all the same.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
