import { Command, InvalidArgumentError } from 'commander';
import { INVARIANTS, type InvariantId } from '../test/model/invariants';
import { describeFailure, runSeeds, type SequenceResult } from '../test/model/run';
import { startWorkflowStack, type WorkflowStack } from '../test/support/temporal';

// `npm run model`: many random sequences of orders against the real workflows on the time-skipping test
// server, each checked against the invariants (test/model/invariants.ts). Bounded in count and time; all
// traffic stays on loopback. A failing seed prints the command that replays it.

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
};

const cli = new Command('model')
  .option('--runs <n>', 'sequences to run', int, 200)
  .option('--seed <n>', 'the first seed; sequence i runs seed + i', int, Date.now() % 1_000_000_000)
  .option('--path <path>', "replay fast-check's shrunk path of the seed (with --runs 1)")
  .option('--concurrency <k>', 'sequences at once on each stack (their calls interleave; skips take turns)', int, 1)
  .option('--stacks <n>', 'stacks (test server, sandbox, worker) side by side in this process', int, 2)
  .option('--max-commands <n>', 'longest sequence', int, 10)
  .option('--shrink <n>', 'shrink tries for the first sequence of each finding (others are not shrunk)', int, 40)
  .option('--minutes <n>', 'stop starting sequences after this many minutes', int, 60)
  .option('--restarts', 'include worker restarts in the sequences', false)
  .option('--verbose', 'print every sequence, passing or not', false);

interface Options {
  runs: number;
  seed: number;
  path?: string;
  concurrency: number;
  stacks: number;
  maxCommands: number;
  shrink: number;
  minutes: number;
  restarts: boolean;
  verbose: boolean;
}

async function main() {
  const o = cli.parse().opts<Options>();
  const replay = `npm run model --${o.restarts ? ' --restarts' : ''} --max-commands ${o.maxCommands}`;
  console.log(`model: ${o.runs} sequences from seed ${o.seed}, ${o.stacks} stack(s) x ${o.concurrency} at once`);
  const started = Date.now();
  const deadline = started + o.minutes * 60_000;
  const seeds = Array.from({ length: o.runs }, (_, i) => o.seed + i);
  const failures: SequenceResult[] = [];
  const shrunk = new Set<InvariantId>();
  let done = 0;
  const onResult = (r: SequenceResult) => {
    done += 1;
    if (r.failed) {
      failures.push(r);
      console.log(`\nFAIL ${describeFailure(r, replay)}\n`);
    } else if (o.verbose) console.log(`pass ${describeFailure(r, replay)}`);
    if (done % 10 === 0) console.log(`${done} sequences, ${failures.length} failing, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };
  const stacks: WorkflowStack[] = [];
  try {
    for (let i = 0; i < o.stacks; i++) stacks.push(await startWorkflowStack({ restartableWorker: o.restarts }));
    const perStack = stacks.map((_, k) => seeds.filter((_s, i) => i % stacks.length === k));
    await Promise.all(
      stacks.map((s, k) =>
        runSeeds(
          s,
          perStack[k],
          o.concurrency,
          { maxCommands: o.maxCommands, restarts: o.restarts, path: o.path, shrinkBudget: o.shrink, shrunk, deadline },
          onResult,
        ),
      ),
    );
  } finally {
    report(done, started, failures);
    // Calls still on their way when a stack stops fail UNAVAILABLE: the report is already out.
    await Promise.allSettled(stacks.map((s) => s.close()));
  }
  process.exit(failures.length ? 1 : 0);
}

function report(done: number, started: number, failures: SequenceResult[]) {
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n${done} sequences in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(2)}/s), ${failures.length} failing`);
  const byInvariant = new Map<InvariantId, number[]>();
  for (const f of failures)
    for (const v of new Set(f.outcome.violations.map((x) => x.invariant))) byInvariant.set(v, [...(byInvariant.get(v) ?? []), f.seed]);
  for (const [id, seedsOf] of byInvariant)
    console.log(`  ${id} ${INVARIANTS[id]}: ${seedsOf.length} seeds, e.g. ${seedsOf.slice(0, 5).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
