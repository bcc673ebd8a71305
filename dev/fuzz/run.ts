import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../stack';
import { CLI, fuzzCli } from './cli';
import { CODEC, fuzzCodec } from './codec';
import { fuzzEnv } from './env';
import { MemoryWatch, http, mb, type FuzzContext, type PropertyOutcome, type Replay } from './harness';
import { RECEIVER, fuzzReceiver } from './receiver';
import { SANDBOX, fuzzSandbox } from './sandbox-api';
import { START_ORDER, fuzzStartOrder } from './start-order';
import { VALIDATORS, fuzzValidators } from './validators';

// `npm run fuzz`: generated and mutated input at every boundary of the product, on the local stack
// (temporal server start-dev, the worker, the sandbox, the notify receiver and the codec server, each
// its own process on loopback).

/** How the run's cases are shared among the boundaries. */
export const SHARES = { [START_ORDER]: 0.12, [CLI]: 0.08, [VALIDATORS]: 0.2, [RECEIVER]: 0.25, [SANDBOX]: 0.15, [CODEC]: 0.2 } as const;

/**
 * How much a server's resident memory may grow over the run, past its baseline after the warm-up.
 * A case's body is at most ~200 KB and cases run one at a time, so a server that keeps nothing per
 * request needs a few MB more at most; V8 grows its heap in steps of up to ~16 MB and does not always
 * give it back. 64 MB is four such steps: a server that keeps every body it saw, or a 64 MB probe
 * body, passes it.
 */
export const MEMORY_BOUND_BYTES = 64 << 20;

export interface FuzzOptions {
  runs: number;
  seed: number;
  log?: (line: string) => void;
  /** Only these boundaries (names as in the report); all when empty. */
  only?: string[];
  /** One counterexample of one property to run alone, from its path (a regression test). */
  replay?: Replay;
  /** When the run must end (epoch ms); a property still running then fails. */
  deadline?: number;
  /** A stack to run on, which is left running: several runs can share one. Without it the run starts its own. */
  stack?: Stack;
}

export interface FuzzReport {
  seed: number;
  /** The run's size: with the seed, what gives each boundary the same cases again. */
  runs: number;
  only?: string[];
  outcomes: PropertyOutcome[];
  /** Cases run per boundary. */
  counts: Record<string, number>;
  total: number;
  memory: { baseline: Record<string, number>; peak: Record<string, number> };
  failures: PropertyOutcome[];
  /** How each boundary's cases ended. */
  tallies: Record<string, Record<string, number>>;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const log = o.log ?? ((line: string) => console.log(line));
  const stack: Stack = o.stack ?? (await startFuzzStack());
  if (!o.stack) log(`stack up (logs in ${stack.logDir})`);
  const servers = () => {
    const p = stack.pids();
    return { 'notify-receiver': p['notify-receiver'], sandbox: p.sandbox, 'codec-server': p['codec-server'] };
  };
  const ctx: FuzzContext = {
    seed: o.seed,
    outcomes: [],
    tallies: {},
    requestTimeoutMs: 15_000,
    batch: 100,
    memory: new MemoryWatch(servers, MEMORY_BOUND_BYTES),
    log,
    replay: o.replay,
    deadline: o.deadline,
  };
  const env = fuzzEnv(stack, ctx);
  const want = (b: string) => !o.only?.length || o.only.includes(b);
  const share = (b: keyof typeof SHARES) => (want(b) ? Math.max(1, Math.round(o.runs * SHARES[b])) : 0);
  try {
    await warmUp(stack);
    await ctx.memory.sample('baseline, after the warm-up');
    if (want(START_ORDER)) await fuzzStartOrder(env, share(START_ORDER));
    if (want(CLI)) await fuzzCli(env, share(CLI));
    if (want(VALIDATORS)) await fuzzValidators(env, share(VALIDATORS));
    if (want(SANDBOX)) await fuzzSandbox(env, share(SANDBOX));
    if (want(CODEC)) await fuzzCodec(env, share(CODEC));
    // Last: the stale-time replays and the oversized body may leave it needing a restart on main.
    if (want(RECEIVER)) {
      const r = share(RECEIVER);
      await fuzzReceiver(env, { generated: Math.round(r * 0.8), stale: r - Math.round(r * 0.8) });
    }
    await ctx.memory.sample('end of the run');
  } finally {
    if (!o.stack) await stack.stop();
  }
  const over = ctx.memory.overBound();
  ctx.outcomes.push({
    boundary: 'all servers',
    property: `memory stays within baseline + ${mb(MEMORY_BOUND_BYTES)} (${ctx.memory.samples.length} samples)`,
    cases: 0,
    ...(over.length && { failure: over.join('\n') }),
  });
  const counts: Record<string, number> = {};
  for (const x of ctx.outcomes) counts[x.boundary] = (counts[x.boundary] ?? 0) + x.cases;
  delete counts['all servers'];
  const peak: Record<string, number> = {};
  for (const s of ctx.memory.samples) for (const [k, v] of Object.entries(s.rss)) if (v !== undefined) peak[k] = Math.max(peak[k] ?? 0, v);
  return {
    seed: o.seed,
    runs: o.runs,
    only: o.only,
    outcomes: ctx.outcomes,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    memory: { baseline: ctx.memory.baseline, peak },
    failures: ctx.outcomes.filter((x) => x.failure),
    tallies: ctx.tallies,
  };
}

/** The local stack a fuzz run goes to, its processes' logs in a folder of their own. */
export function startFuzzStack(): Promise<Stack> {
  return startStack({ logDir: mkdtempSync(join(tmpdir(), 'alipay-fuzz-')) });
}

/** A few ordinary requests to each server first, so the memory baseline is of a server that has run. */
async function warmUp(stack: Stack) {
  for (let i = 0; i < 20; i++) {
    await Promise.all([
      http({ url: `${new URL(stack.notifyUrl).origin}/healthz`, method: 'GET', timeoutMs: 5_000 }),
      http({ url: `${stack.sandboxUrl}/sandbox/clock`, method: 'GET', timeoutMs: 5_000 }),
      http({ url: `${stack.codecUrl}/healthz`, method: 'GET', timeoutMs: 5_000 }),
    ]);
  }
}

/** The report as the terminal shows it: one row per property, the count per boundary, the total. */
export function formatReport(r: FuzzReport): string {
  const rows = r.outcomes.map((x) => [x.boundary, x.property, String(x.cases), x.failure ? 'FAILED' : 'ok']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['boundary', 'property', 'cases', 'result'], ...rows].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const byBoundary = Object.entries(r.counts).map(([b, n]) => `${b.padEnd(24)} ${String(n).padStart(6)}`);
  const memory = Object.keys(r.memory.baseline).map(
    (k) => `${k.padEnd(24)} ${mb(r.memory.baseline[k])} -> peak ${mb(r.memory.peak[k] ?? 0)}`,
  );
  return [
    line(['boundary', 'property', 'cases', 'result']),
    ...rows.map(line),
    '',
    'cases per boundary:',
    ...byBoundary,
    `${'total'.padEnd(24)} ${String(r.total).padStart(6)}`,
    '',
    'how the cases ended (the most frequent first):',
    ...Object.entries(r.tallies).map(
      ([b, t]) =>
        `${b.padEnd(24)} ${Object.entries(t)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 8)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    ),
    '',
    'server memory (rss, baseline -> peak):',
    ...memory,
    '',
    `seed: FUZZ_SEED=${r.seed} (FUZZ_RUNS=${r.runs})`,
    ...r.failures.map((f) => `\nFAILED ${f.boundary}: ${f.property}\n${f.failure}`),
  ].join('\n');
}
