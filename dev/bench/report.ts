import { cpus, loadavg } from 'node:os';
import type { ActionCount } from './actions';
import { judgeTargets, phaseFigures, resourceFigures, type PhaseFigures, type ResourceFigures, type TargetResult } from './figures';
import { POLL_SCHEDULE_MS, TARGETS } from './options';
import type { BenchState, TimedOrder } from './run';
import { ms, sum } from './stats';

// The report of a run: the figures, kept as JSON, and the Markdown summary of them.

export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[]; node: string; commit?: string };
  options: BenchState['options'];
  runId: string;
  timeline: { name: string; startSeconds: number; endSeconds: number; note?: string }[];
  baseline?: BenchState['baseline'];
  unloaded?: PhaseFigures;
  load?: PhaseFigures;
  steps?: BenchState['steps'];
  highestSustainedRate?: number;
  /** Orders of the load phase not yet released when the drain ended. */
  drainLeft?: number;
  stepsStartedIdle?: boolean;
  cost?: BenchState['cost'];
  sampledLoadOrders?: BenchState['sampledHappy'];
  resources: ResourceFigures;
  targets: TargetResult[];
  orders: TimedOrder[];
  resourceSamples: BenchState['resources'];
}

export function buildReport(s: BenchState, commit: string | undefined): BenchReport {
  const o = s.options;
  const unloaded = phaseFigures(s.orders, 'unloaded', o.unloadedRate, o.unloadedSeconds);
  const load = phaseFigures(s.orders, 'load', o.rate, o.seconds);
  const sustained = s.steps?.filter((x) => x.sustained).map((x) => x.rate);
  const highestSustainedRate = sustained === undefined ? undefined : sustained.length ? Math.max(...sustained) : 0;
  return {
    startedAt: new Date(s.t0).toISOString(),
    durationSeconds: s.now() / 1000,
    machine: { cpus: cpus().length, loadAverageAtStart: s.loadAverageAtStart, loadAverageAtEnd: loadavg(), node: process.version, commit },
    options: o,
    runId: s.runId,
    timeline: s.phases.map((p) => ({
      name: p.name,
      startSeconds: p.start / 1000,
      endSeconds: p.end / 1000,
      ...(p.note && { note: p.note }),
    })),
    baseline: s.baseline,
    unloaded,
    load,
    steps: s.steps,
    highestSustainedRate,
    drainLeft: s.drainLeft,
    stepsStartedIdle: s.stepsStartedIdle,
    cost: s.cost,
    sampledLoadOrders: s.sampledHappy,
    resources: resourceFigures(s),
    targets: judgeTargets(s, load, unloaded, highestSustainedRate),
    orders: s.orders,
    resourceSamples: s.resources,
  };
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const f1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(1));
const pct = (p: { p50: number; p99: number; max: number; n: number }) => `${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.max)}`;

function kinds(c: ActionCount): string {
  return Object.entries(c.byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export function markdownSummary(r: BenchReport, resultsDir: string): string {
  const out: string[] = [];
  const o = r.options;
  out.push(`# Bench ${r.startedAt}`);
  out.push('');
  out.push(
    `Run \`${r.runId}\` on commit ${r.machine.commit ?? '?'}, ${r.machine.cpus} CPUs (shared), Node ${r.machine.node}; ` +
      `${r.durationSeconds.toFixed(0)} s from start to report; load average (1, 5, 15 min) ${r.machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(', ')} at the start, ` +
      `${r.machine.loadAverageAtEnd.map((x) => x.toFixed(2)).join(', ')} at the end (the machine's other work shows in every figure).`,
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(
    table(
      ['target', 'measured', 'result'],
      r.targets.map((t) => [t.target, t.measured, t.pass === undefined ? 'NOT MEASURED' : t.pass ? 'PASS' : 'FAIL']),
    ),
  );
  out.push('');
  out.push('## What ran when');
  out.push('');
  out.push(
    table(
      ['phase', 'from', 'to', 'note'],
      r.timeline.map((p) => [p.name, `${p.startSeconds.toFixed(0)} s`, `${p.endSeconds.toFixed(0)} s`, p.note ?? '']),
    ),
  );
  out.push('');
  out.push(
    'One stack for everything: `temporal server start-dev` (in memory), the sandbox, the notify receiver, the codec server and the order worker, ' +
      'each its own process; the bench drives them from its own process. Customs answers at once; the order waits only for its own polls.',
  );
  out.push('');
  if (r.baseline) {
    const b = r.baseline;
    out.push('## No-op baseline');
    out.push('');
    out.push(
      `**${b.workflowsPerSecond.toFixed(1)} workflows/s**: ${b.completed} workflows of one no-op activity each completed in ${(b.measuredMs / 1000).toFixed(0)} s ` +
        `(after ${(b.warmupMs / 1000).toFixed(0)} s of warm-up), ${b.concurrency} in flight, ${b.failed} failed; worker process of its own, task queue of its own (\`dev/bench/noop-workflow.ts\`).`,
    );
    const noopCpu = Object.entries(b.cpuMsPerWorkflow ?? {});
    if (noopCpu.length) {
      out.push('');
      out.push(
        `CPU per no-op workflow over the measured window: ${noopCpu.map(([name, ms]) => `${name} ${f1(ms)} ms`).join(', ')}; ` +
          `**${f1(sum(noopCpu.map(([, ms]) => ms)))} ms** in all.`,
      );
    }
    out.push('');
  }
  const phases = [r.unloaded, r.load].filter((x): x is PhaseFigures => x !== undefined);
  if (phases.length) {
    out.push('## Orders');
    out.push('');
    out.push(
      'Latencies are p50 / p99 / max. Checkout: `startOrder(...)` until it returned the cashier URL, timed in the bench. ' +
        'The other times come from the sandbox ledger, all on the sandbox clock (paid; notification sent: its first attempt; the first `declare` call to arrive) ' +
        "and from the order's `StageSince` search attribute, the workflow time it became RELEASED_FOR_DELIVERY. " +
        'Each order is one tin (199 CNY) of a buyer taken in turn from 990, so nearly every order also starts its buyer\u2019s quota entity, as a shop whose buyers rarely repeat would see.',
    );
    out.push('');
    const rows: [string, (p: PhaseFigures) => string][] = [
      ['offered', (p) => `${p.offeredRate}/s for ${p.seconds} s: ${p.orders} orders`],
      ['checked out', (p) => `${p.checkedOut} (${p.failed} failed), ${f1(p.achievedCheckoutPerSecond)}/s achieved`],
      ['released for delivery', (p) => `${p.released}/${p.orders}, ${f1(p.achievedReleasePerSecond)}/s from first to last release`],
      ['checkout', (p) => pct(p.checkout)],
      ['paid → notification sent', (p) => pct(p.paidToNotified)],
      ['notification → first declare', (p) => pct(p.notifiedToDeclared)],
      ['declared before its notification was sent (payment found by inquiry)', (p) => String(p.declaredBeforeNotification)],
      ['first declare → released', (p) => pct(p.declaredToReleased)],
      ['paid → released', (p) => pct(p.paidToReleased)],
      [`paid → released, less the ${POLL_SCHEDULE_MS / 1000} s poll schedule`, (p) => pct(p.paidToReleasedOverPolls)],
    ];
    out.push(
      table(
        ['', ...phases.map((p) => (p.phase === 'load' ? `load ${p.offeredRate}/s` : `unloaded ${p.offeredRate}/s`))],
        rows.map(([name, cell]) => [name, ...phases.map(cell)]),
      ),
    );
    out.push('');
    out.push(
      `Against the customs poll schedule: the first review poll is 30 s after the declare call and the first clearance poll 30 s after that, ` +
        `so an order is released no sooner than ${POLL_SCHEDULE_MS / 1000} s after it is declared; the last row is what the pipeline adds to that. ` +
        'A failed checkout is a `startOrder` call that threw or did not return the cashier URL within 30 s (the bench\u2019s deadline); its order is never paid. ' +
        'The unloaded orders\u2019 customs polls (30 s and 60 s after declaring) fall into the load phase, so their release times carry its load. ' +
        'Paid → notification sent includes the sandbox\u2019s own queue: it sends up to 16 notifications at a time and waits for each acknowledgement, ' +
        'which the notify receiver gives only once the order has accepted the update.',
    );
    out.push('');
  }
  if (r.steps) {
    out.push('## Step mode');
    out.push('');
    if (r.stepsStartedIdle === false)
      out.push(
        `Step mode began while the worker was still busy, with ${r.drainLeft ?? '?'} orders of the load phase not yet released: ` +
          'its figures carry that backlog, so they understate what the stack sustains from idle.',
        '',
      );
    out.push(
      table(
        ['offered', 'orders', 'achieved', 'checkout p50 / p99 / max', 'sustained'],
        r.steps.map((x) => [
          `${x.rate}/s`,
          `${x.orders} (${x.failed} failed)`,
          `${f1(x.achievedPerSecond)}/s`,
          pct(x.checkout),
          x.sustained ? 'yes' : `no: ${x.why}`,
        ]),
      ),
    );
    out.push('');
    out.push(
      `**Highest sustained rate: ${r.highestSustainedRate ? `${r.highestSustainedRate} orders/s` : `none of the rates tried, down to ${Math.min(...r.steps.map((x) => x.rate))}/s`}** ` +
        `(checkout p99 ≤ ${TARGETS.stepCheckoutP99Ms} ms and no failed checkout, ` +
        `${o.stepSeconds} s steps)` +
        (r.baseline
          ? `: ${((100 * (r.highestSustainedRate ?? 0)) / r.baseline.workflowsPerSecond).toFixed(0)}% of the no-op baseline.`
          : '.'),
    );
    out.push('');
  }
  if (r.cost) {
    out.push('## Cost per order');
    out.push('');
    out.push(
      'Billable Actions by the rules of [Temporal Cloud Actions](https://docs.temporal.io/cloud/actions) (`dev/bench/actions.ts` says how each event counts), ' +
        "counted on the real histories of one order of each path run on this stack (in `histories/`). Each order has a buyer of its own; its quota share is its quota entity's Actions " +
        'less the entity start and its patch marker, which come once per buyer and year.',
    );
    out.push('');
    out.push(
      table(
        [
          'path',
          'end',
          'history events',
          'order Actions',
          'quota share',
          'Actions per order',
          'order Actions by kind',
          'quota entity (whole)',
        ],
        r.cost.map((c) => [
          c.path,
          c.stage ?? `error: ${c.error}`,
          String(c.order?.events ?? 'n/a'),
          String(c.order?.actions ?? 'n/a'),
          String(c.quotaShare ?? 'n/a'),
          `**${c.actionsPerOrder ?? 'n/a'}**`,
          c.order ? kinds(c.order) : '',
          c.quota ? `${c.quota.actions} Actions, ${c.quota.events} events: ${kinds(c.quota)}` : '',
        ]),
      ),
    );
    out.push('');
    if (r.sampledLoadOrders?.length) {
      out.push(
        `Check on the happy path: orders of the load phase (sharing quota entities) had ` +
          r.sampledLoadOrders.map((x) => `${x.count.actions} Actions / ${x.count.events} events`).join(', ') +
          ' in their own histories.',
      );
      out.push('');
    }
    out.push(
      'Not in a history, so not counted: the status queries a caller makes (an Action each on Temporal Cloud), heartbeats, rejected updates.',
    );
    out.push('');
  }
  const res = r.resources;
  out.push('## Worker resources');
  out.push('');
  const cpuRows = Object.entries(res.cpuMsPerOrder).map(([name, v]) => [name, `${f1(v)} ms`]);
  const unfinished = r.load ? r.load.orders - r.load.released : 0;
  out.push(
    `CPU per order offered in the load phase, over that phase and its drain (${f1(res.windowSeconds)} s, ${res.ordersInWindow ?? 'n/a'} orders offered; ` +
      `/proc/<pid>/stat utime + stime), worker at ${res.workerCpuShare === undefined ? 'n/a' : `${(100 * res.workerCpuShare).toFixed(0)}%`} of one core on average` +
      (unfinished > 0
        ? `. ${unfinished} of those orders were not released in the window (a failed checkout is never paid), so these figures understate what a whole order takes:`
        : ':'),
  );
  out.push('');
  out.push(table(['process', 'CPU per order'], cpuRows));
  out.push('');
  const orderCpuMs = sum(Object.values(res.cpuMsPerOrder));
  const noopCpuMs = sum(Object.values(r.baseline?.cpuMsPerWorkflow ?? {}));
  if (orderCpuMs > 0 && noopCpuMs > 0) {
    // The sustained-rate target (0.3 × the no-op baseline) holds only if an order costs at most 1 / 0.3 no-op workflows.
    out.push(
      `In all, **${f1(orderCpuMs)} ms of CPU per order, as much as ${f1(orderCpuMs / noopCpuMs)} no-op workflows** (${f1(noopCpuMs)} ms each, above). ` +
        `Both saturate the same ${r.machine.cpus} cores, so a sustained rate of 0.3 × the no-op baseline needs an order to cost at most ${f1(1 / 0.3)} no-op workflows.`,
    );
    out.push('');
  }
  out.push(
    `Memory: worker RSS ${f1(res.rssBeforeMiB)} MiB with ${res.cachedBefore ?? 'n/a'} cached workflows before the measured orders, ` +
      `${f1(res.rssAtPeakCacheMiB)} MiB at the sticky cache's peak of ${res.peakCached ?? 'n/a'} (orders and quota entities; \`temporal_sticky_cache_size\`): ` +
      `**${f1(res.kibPerCachedWorkflow)} KiB per cached workflow** (RSS delta over cache delta, GC timing included), ` +
      `or ${f1(res.kibPerOrder)} KiB per order started meanwhile (${res.ordersToPeak ?? 'n/a'} orders, each with its quota entity, as buyers rarely repeat); ` +
      `peak RSS ${f1(res.peakRssMiB)} MiB.`,
  );
  out.push('');
  out.push(`Results: \`${resultsDir}\` (report.json, summary.md, bench.svg, histories/, logs/).`);
  return out.join('\n') + '\n';
}
