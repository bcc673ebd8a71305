import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  .option('--verbose', 'print every sequence, passing or not', false)
  .option('--batch <n>', 'sequences per process: a long run goes on in a fresh process after each batch', int, 250)
  .option('--result-file <file>', "(a batch's own) where the batch writes what it found");

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
  batch: number;
  resultFile?: string;
}

/** What one batch found, as its parent adds it up. */
interface BatchResult {
  done: number;
  /** Stacks replaced after a hung skip (each time, the sequence ran again on the fresh one). */
  replaced: number;
  failing: { seed: number; invariants: InvariantId[] }[];
}

async function main() {
  const o = cli.parse().opts<Options>();
  if (!o.resultFile && o.runs > o.batch) return runInBatches(o);
  const replay = `npm run model --${o.restarts ? ' --restarts' : ''} --max-commands ${o.maxCommands}`;
  console.log(`model: ${o.runs} sequences from seed ${o.seed}, ${o.stacks} stack(s) x ${o.concurrency} at once`);
  const started = Date.now();
  const deadline = started + o.minutes * 60_000;
  const seeds = Array.from({ length: o.runs }, (_, i) => o.seed + i);
  const failures: SequenceResult[] = [];
  const shrunk = new Set<InvariantId>();
  let done = 0;
  let replaced = 0;
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
          {
            maxCommands: o.maxCommands,
            restarts: o.restarts,
            path: o.path,
            shrinkBudget: o.shrink,
            shrunk,
            deadline,
            replaceStack: async (old) => {
              replaced += 1;
              console.log(`a skip hung on stack ${k + 1}: its sequence runs again on a fresh stack (${replaced} replaced so far)`);
              await old.close().catch(() => undefined);
              const fresh = await startWorkflowStack({ restartableWorker: o.restarts });
              stacks[stacks.indexOf(old)] = fresh;
              return fresh;
            },
          },
          onResult,
        ),
      ),
    );
  } finally {
    if (o.resultFile) {
      const result: BatchResult = {
        done,
        replaced,
        failing: failures.map((f) => ({ seed: f.seed, invariants: [...new Set(f.outcome.violations.map((v) => v.invariant))] })),
      };
      writeFileSync(o.resultFile, JSON.stringify(result));
    }
    report(done, started, failures, replaced);
    // Calls still on their way when a stack stops fail UNAVAILABLE: the report is already out.
    await Promise.allSettled(stacks.map((s) => s.close()));
  }
  process.exit(failures.length ? 1 : 0);
}

function report(done: number, started: number, failures: SequenceResult[], replaced: number) {
  summarize(
    done,
    started,
    replaced,
    failures.map((f) => ({ seed: f.seed, invariants: [...new Set(f.outcome.violations.map((v) => v.invariant))] })),
  );
}

function summarize(done: number, started: number, replaced: number, failing: BatchResult['failing'], prefix = '') {
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${prefix}${done} sequences in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(2)}/s), ${failing.length} failing, ${replaced} stack(s) replaced after a hung skip`,
  );
  const byInvariant = new Map<InvariantId, number[]>();
  for (const f of failing) for (const v of f.invariants) byInvariant.set(v, [...(byInvariant.get(v) ?? []), f.seed]);
  for (const [id, seedsOf] of byInvariant)
    console.log(`  ${id} ${INVARIANTS[id]}: ${seedsOf.length} seeds, e.g. ${seedsOf.slice(0, 5).join(', ')}`);
}

/**
 * A long run, one batch per process: a process that has run many sequences has died of the SDK's workflow
 * stack traces (the source-map parser's wasm memory fills), so each batch starts fresh, on the seeds after the last.
 */
async function runInBatches(o: Options): Promise<void> {
  const started = Date.now();
  const deadline = started + o.minutes * 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'model-batches-'));
  let done = 0;
  const failing: BatchResult['failing'] = [];
  let replaced = 0;
  for (let first = 0; first < o.runs && Date.now() < deadline; first += o.batch) {
    const runs = Math.min(o.batch, o.runs - first);
    const resultFile = join(dir, `batch-${first}.json`);
    const minutesLeft = Math.max(1, Math.ceil((deadline - Date.now()) / 60_000));
    const args = [
      '--runs',
      runs,
      '--seed',
      o.seed + first,
      '--concurrency',
      o.concurrency,
      '--stacks',
      o.stacks,
      '--max-commands',
      o.maxCommands,
    ];
    const flags = [...(o.restarts ? ['--restarts'] : []), ...(o.verbose ? ['--verbose'] : [])];
    console.log(`batch: seeds ${o.seed + first} to ${o.seed + first + runs - 1}`);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          __filename,
          ...args.map(String),
          '--shrink',
          String(o.shrink),
          '--minutes',
          String(minutesLeft),
          ...flags,
          '--result-file',
          resultFile,
        ],
        { stdio: 'inherit' },
      );
      child.once('exit', resolve);
    });
    if (!existsSync(resultFile)) {
      console.log(`batch from seed ${o.seed + first} ended (exit ${code}) without its result: counted as not run`);
      continue;
    }
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as BatchResult;
    done += result.done;
    replaced += result.replaced;
    failing.push(...result.failing);
  }
  rmSync(dir, { recursive: true, force: true });
  summarize(done, started, replaced, failing, 'all batches: ');
  process.exit(failing.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
