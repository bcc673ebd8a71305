import fc from 'fast-check';
import type { WorkflowStack } from '../support/temporal';
import { gather, retire, settle } from './facts';
import { INVARIANTS, violationsOf, type InvariantId, type Violation } from './invariants';
import { Log, modelBuyer, type ModelState, type Real } from './model';
import { sequences, type Sequence, type SequenceShape } from './sequence';

// One sequence is one fast-check run of its own seed, so any sequence replays from `--seed` (and the
// shrunk one from `--path`). A failing sequence is shrunk within a budget, each try on fresh orders.

export interface SequenceOptions extends SequenceShape {
  seed: number;
  /** fast-check's path of a shrunk counterexample, to replay it. */
  path?: string;
  /** Violations of these invariants do not fail the sequence (they are still reported). */
  tolerated?: ReadonlySet<InvariantId>;
  /** How many shrink tries a failing sequence may take; 0 reports it unshrunk. */
  shrinkBudget: number;
  /** Findings (by first invariant broken) already shrunk: later sequences that show them are not shrunk again. */
  shrunk?: Set<InvariantId>;
}

export interface Outcome {
  commands: string;
  violations: Violation[];
  log: string[];
  refusals: string[];
}

export interface SequenceResult {
  seed: number;
  failed: boolean;
  /** The failing (shrunk) sequence's path and outcome, when it failed; else the first run's outcome. */
  path?: string;
  outcome: Outcome;
  tries: number;
  /** The first run's only finding was a hung skip; this is its rerun on a fresh stack. */
  rerunAfterHungSkip?: boolean;
}

let runs = 0;

/** An error with its causes: a client's ServiceError says "Failed to query Workflow" and keeps the gRPC status in its cause. */
function described(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    parts.push(e instanceof Error ? e.toString() : JSON.stringify(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(' <- ').slice(0, 800);
}

/** Runs the commands on fresh orders of a fresh buyer, settles them, and checks every invariant. */
export async function runOnce(s: WorkflowStack, seed: number, cmds: Sequence): Promise<Outcome> {
  const run = `M${seed}x${++runs}`;
  const real: Real = { s, run, buyer: modelBuyer(), log: new Log(process.env.MODEL_TRACE ? run : undefined), refusals: [], checkouts: 0 };
  const model: ModelState = { orders: [] };
  const violations: Violation[] = [];
  try {
    await fc.asyncModelRun(() => ({ model, real }), cmds);
  } catch (error) {
    violations.push({ invariant: 'I0', subject: real.run, detail: described(error) });
  }
  try {
    real.log.push('settling');
    await settle(real, model);
    real.log.push('gathering');
    const facts = await gather(real, model);
    violations.push(...violationsOf(facts.orders, facts.quotas));
  } catch (error) {
    // An order that cannot be looked at (a query that never answers) is a finding, not a crash of the run.
    violations.push({ invariant: 'I0', subject: real.run, detail: `settling or looking at the orders: ${described(error)}` });
  }
  await retire(real, model);
  return { commands: String(cmds), violations, log: [...real.log], refusals: real.refusals };
}

export async function runSequence(s: WorkflowStack, o: SequenceOptions): Promise<SequenceResult> {
  const tolerated = o.tolerated ?? new Set();
  let first: Outcome | undefined;
  let failing: Outcome | undefined;
  let tries = 0;
  let budget = o.shrinkBudget;
  const property = fc.asyncProperty(sequences(o), async (cmds) => {
    // Out of budget: the rest of the shrink passes without running, so shrinking ends.
    if (failing && tries > budget) return true;
    tries += 1;
    const outcome = await runOnce(s, o.seed, cmds);
    first ??= outcome;
    const bad = outcome.violations.filter((v) => !tolerated.has(v.invariant));
    // A shrink keeps to the finding it started from, so the report names one.
    if (bad.length === 0 || (failing && !bad.some((v) => v.invariant === failing!.violations[0].invariant))) return true;
    if (!failing && o.shrunk) {
      if (o.shrunk.has(bad[0].invariant)) budget = 0;
      o.shrunk.add(bad[0].invariant);
    }
    failing = { ...outcome, violations: bad };
    // A stack whose server stopped skipping time fails every try alike: shrinking would only wait.
    if (skipHung(failing)) budget = 0;
    return false;
  });
  const details = await fc.check(property, { seed: o.seed, path: o.path, numRuns: 1, unbiased: true, endOnFailure: o.shrinkBudget === 0 });
  // A property that threw (the harness itself) still reports, as I0.
  const crashed: Outcome = {
    commands: '',
    violations: [{ invariant: 'I0', subject: `seed ${o.seed}`, detail: String(details.errorInstance) }],
    log: [],
    refusals: [],
  };
  return {
    seed: o.seed,
    failed: details.failed,
    path: details.counterexamplePath ?? undefined,
    outcome: failing ?? first ?? crashed,
    tries,
  };
}

/**
 * The test server stopped skipping time: a skip outlived its real-time deadline and nothing else broke. On a
 * long-lived stack this has come after a hundred sequences or so, and every later skip on that server then
 * hung too, while the same seed passes on a fresh stack.
 */
export function skipHung(o: Outcome): boolean {
  return o.violations.length > 0 && o.violations.every((v) => v.invariant === 'I0' && /skipping \d+ ms of time took over/.test(v.detail));
}

/**
 * Runs the seeds, `concurrency` at a time on one stack (each sequence has its own buyer and orders). With
 * `replaceStack`, a sequence whose only finding is a hung skip runs again, once, on a fresh stack, which
 * takes the old one's place; its result is the rerun's, marked as such.
 */
export async function runSeeds(
  stack: WorkflowStack,
  seeds: number[],
  concurrency: number,
  options: Omit<SequenceOptions, 'seed'> & { deadline?: number; replaceStack?: (old: WorkflowStack) => Promise<WorkflowStack> },
  onResult: (r: SequenceResult) => void,
): Promise<void> {
  let s = stack;
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < seeds.length && Date.now() < (options.deadline ?? Infinity); i = next++) {
      let r = await runSequence(s, { ...options, seed: seeds[i] });
      if (r.failed && skipHung(r.outcome) && options.replaceStack && concurrency === 1) {
        s = await options.replaceStack(s);
        r = { ...(await runSequence(s, { ...options, seed: seeds[i] })), rerunAfterHungSkip: true };
      }
      onResult(r);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** A failing sequence as the report shows it: the seed, the path, how to replay it, and what broke. */
export function describeFailure(r: SequenceResult, command = 'npm run model --'): string {
  const lines = [
    `seed ${r.seed}${r.path ? `, path ${r.path}` : ''} (${r.tries} tries${r.rerunAfterHungSkip ? ', rerun on a fresh stack after a hung skip' : ''})`,
    `  replay: ${command} --seed ${r.seed}${r.path ? ` --path ${r.path}` : ''} --runs 1`,
    `  commands: ${r.outcome.commands}`,
    ...r.outcome.violations.map((v) => `  ${v.invariant} (${INVARIANTS[v.invariant]}): ${v.subject}: ${v.detail}`),
    ...r.outcome.log.map((l) => `    | ${l}`),
  ];
  return lines.join('\n');
}
