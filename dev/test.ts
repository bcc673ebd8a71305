import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { run } from 'node:test';
import { spec, type TestEvent } from 'node:test/reporters';
import { Command } from 'commander';
import { z } from 'zod';
import { projectRoot } from '../platform/paths';
import { LAYERS, findTestFiles, slowestFirst, splitAlone } from './test/files';
import { prepareRun } from './test/prepare';
import { stopDescendants } from './test/processes';
import { RunSummary } from './test/summary';
import { timingsBefore, timingsPath, writeTimings } from './test/timings';

// The test runner of `npm test` and `npm run test:<layer>`: node:test runs each file in a process of its
// own, TEST_CONCURRENCY files at a time, the slowest first by the last runs' timings, after bundling the
// workflows once and starting the stack the end-to-end files share (dev/test/prepare.ts). It prints the spec
// reporter's output, then the slowest files and the totals; it exits 1 when a test failed or was cancelled.
// node:test's own CLI cannot do this in node 20: it sorts the files it is given by name.

/** A hung file fails the run instead of stalling it; node 20's --test-timeout bounded each file the same way. */
const FILE_TIMEOUT_MS = 10 * 60_000;

const settings = z.object({
  /**
   * Test files running at once: one a core. At 4 on 2 cores, a fresh-clone run took 10.5 minutes, but files
   * that hold real-time bounds (a skip within 180 s, the stale-timer control) failed by starvation.
   */
  TEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
});

const program = new Command('test')
  .description('runs test files concurrently, the slowest first; exits 1 when a test fails or is cancelled')
  .argument('[paths...]', `test files, folders or globs (default: ${LAYERS.join(' ')})`)
  .option('--test-name-pattern <regexp>', 'run only the tests whose name matches (repeatable)', (v, all: string[]) => [...all, v], [])
  .parse();

async function main() {
  const started = Date.now();
  const env = settings.safeParse(process.env);
  if (!env.success) throw new Error(z.prettifyError(env.error));
  const concurrency = env.data.TEST_CONCURRENCY;
  const root = projectRoot();
  const paths = program.args.length > 0 ? program.args : LAYERS.map((l) => join(root, l));
  const before = timingsBefore(root);
  const files = slowestFirst(findTestFiles(root, process.cwd(), paths), before);
  const { testNamePattern } = program.opts<{ testNamePattern: string[] }>();

  console.log(
    `${files.length} test file${files.length === 1 ? '' : 's'}, ${concurrency} at a time, the slowest first (TEST_CONCURRENCY sets how many)`,
  );
  const undo = await prepareRun(root, files, (line) => console.log(line));
  const preparedMs = Date.now() - started;
  console.log();
  const summary = new RunSummary(root);
  // Interrupted, it stops its files' processes (each stops its stacks in its after hooks) and its shared stack,
  // so no test server or worker outlives it.
  const interrupted = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the test files and the shared stack`);
      interrupted.abort();
    });
  const runFiles = async (some: string[], atOnce: number) => {
    if (some.length === 0 || interrupted.signal.aborted) return;
    const events = run({
      files: some.map((f) => join(root, f)),
      concurrency: atOnce,
      signal: interrupted.signal,
      timeout: FILE_TIMEOUT_MS,
      testNamePatterns: testNamePattern.length > 0 ? testNamePattern : undefined,
    });
    events.on('data', (event: TestEvent) => summary.add(event));
    await pipeline(events, new spec(), process.stdout, { end: false });
  };
  try {
    const { together, alone } = splitAlone(files);
    await runFiles(together, concurrency);
    if (alone.length > 0) console.log(`\nthen, one at a time: ${alone.join(', ')}`);
    await runFiles(alone, 1);
  } finally {
    await undo();
  }

  console.log(`\n${summary.report(concurrency, preparedMs)}`);
  // node:test does not stop the process of a file that timed out: nothing the run started outlives it.
  const left = await stopDescendants();
  if (left > 0 || interrupted.signal.aborted) console.error(`stopped ${left} process(es) the test files left running`);
  if (!interrupted.signal.aborted) writeTimings(root, timingsPath(root), before, summary.timings());
  // Exits now: a handle the shared stack's client left open must not hold the run.
  process.exit(interrupted.signal.aborted ? 130 : summary.failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
