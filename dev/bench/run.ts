import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { SandboxLedger } from '../../sandbox/helper-client';
import { LOCAL_REFUND_SETTLE_DELAY_MS, LOCAL_RETRANSMIT_GAP_MS, sleep } from '../scenarios/run';
import { startStack, type Stack } from '../stack';
import { runBaseline, startNoopWorker, type BaselineResult, type NoopWorker } from './baseline';
import { costOf, sampledOrderCosts, startCostPaths, type CostDrive, type CostPathResult } from './cost';
import { offerOrders, type OrderSample } from './load';
import { TARGETS, type BenchOptions } from './options';
import { CUSTOMS_AT_ONCE, OrderFactory } from './orders';
import { ledgerTimes, releaseTimes, releasedCount } from './pipeline';
import { startSampler, untilWorkerIdle, type ResourceSample } from './proc';
import { percentiles } from './stats';
import { runSteps, type StepResult } from './step';

// The bench's phases, in the order they run, on one stack. Each phase is a step of the progress display;
// what they measure goes into one BenchState, which the report reads.

export interface PhaseWindow {
  name: string;
  /** Milliseconds since the bench started. */
  start: number;
  end: number;
  note?: string;
}

/** An order of a measured phase, with the times of its steps (milliseconds since the bench started). */
export interface TimedOrder extends OrderSample {
  paidAt?: number;
  notifiedAt?: number;
  declaredAt?: number;
  releasedAt?: number;
}

export interface BenchState {
  options: BenchOptions;
  runId: string;
  /** Epoch milliseconds of the bench's time zero. */
  t0: number;
  /** The machine's load average when the bench started: other work on it shows in every figure. */
  loadAverageAtStart: number[];
  now: () => number;
  resultsDir: string;
  stack?: Stack;
  phases: PhaseWindow[];
  orders: TimedOrder[];
  baseline?: BaselineResult;
  steps?: StepResult[];
  cost?: CostPathResult[];
  sampledHappy?: Awaited<ReturnType<typeof sampledOrderCosts>>;
  resources: ResourceSample[];
  /** The edges of the window CPU per order is measured over: the load phase's start and the drain's end. */
  cpuWindow?: { from: ResourceSample; to: ResourceSample; orders: number };
  /** The sample before the first measured orders, for memory per cached workflow. */
  memoryBefore?: ResourceSample;
  ledger?: SandboxLedger;
  /** Orders of the load phase not yet released when the drain ended. */
  drainLeft?: number;
  /** Whether the worker was idle when step mode began; if not, the steps carried the load phase's backlog. */
  stepsStartedIdle?: boolean;
}

export interface Phase {
  title: string;
  enabled: boolean;
  run(state: BenchState, progress: (line: string) => void): Promise<void>;
}

export function newState(options: BenchOptions, resultsDir: string): BenchState {
  const t0 = Date.now();
  return {
    options,
    runId: randomBytes(2).toString('hex').toUpperCase(),
    t0,
    loadAverageAtStart: loadavg(),
    now: () => Date.now() - t0,
    resultsDir,
    phases: [],
    orders: [],
    resources: [],
  };
}

/** Runs `fn` as a named window of the timeline. */
async function window<T>(s: BenchState, name: string, fn: () => Promise<T>, note?: string): Promise<T> {
  const w: PhaseWindow = { name, start: s.now(), end: NaN, ...(note && { note }) };
  s.phases.push(w);
  try {
    return await fn();
  } finally {
    w.end = s.now();
  }
}

/** The no-op baseline's own task queue: its worker polls nothing else, and no order worker polls it. */
const NOOP_TASK_QUEUE = 'bench-noop';

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

/** One line about the orders of a phase so far. */
function ordersLine(samples: OrderSample[], total: number) {
  const done = samples.filter((x) => x.checkoutMs !== undefined);
  const failed = samples.filter((x) => x.checkoutMs === undefined && x.error).length;
  const p99 = percentiles(done.map((x) => x.checkoutMs!)).p99;
  return `${samples.length}/${total} started, ${done.length} checked out${failed ? `, ${failed} failed` : ''}, checkout p99 ${Number.isFinite(p99) ? Math.round(p99) : '-'} ms`;
}

export function benchPhases(o: BenchOptions): Phase[] {
  let factory: OrderFactory;
  let sampler: ReturnType<typeof startSampler>;
  let costDrives: CostDrive[] = [];
  let noopWorker: NoopWorker | undefined;

  return [
    {
      title: 'start the stack: Temporal dev server, sandbox, notify receiver, codec server, worker',
      enabled: true,
      run: async (s, progress) => {
        await window(s, 'stack start', async () => {
          s.stack = await startStack({
            logDir: join(s.resultsDir, 'logs'),
            retransmitGapMs: LOCAL_RETRANSMIT_GAP_MS,
            // Refunds settle within seconds, as the history recorder has them, so the refund cost paths reach their end.
            refundSettleDelayMs: LOCAL_REFUND_SETTLE_DELAY_MS,
          });
        });
        factory = new OrderFactory(s.runId);
        await s.stack!.helpers.customsRules(CUSTOMS_AT_ONCE);
        sampler = startSampler(s.now, () => s.stack!.pids(), s.stack!.metricsUrl);
        s.resources = sampler.samples;
        progress(`stack up in ${secs(s.now())}; logs in ${join(s.resultsDir, 'logs')}`);
      },
    },
    {
      title: 'cost paths: one order of each path; and the no-op worker',
      enabled: true,
      run: async (s, progress) => {
        const stack = s.stack!;
        await window(
          s,
          'cost paths started, no-op worker',
          async () => {
            // The cost-path orders also warm the order worker up, so the first measured checkout is not its first.
            const worker = startNoopWorker(stack, NOOP_TASK_QUEUE);
            if (o.cost) {
              costDrives = startCostPaths(stack, factory.prefix('C'));
              // Until each is declared (or 20 s): after that they wait on their 30 s customs timers, nearly idle.
              const deadline = Date.now() + 20_000;
              for (;;) {
                const ledger = await stack.helpers.ledger();
                const declared = costDrives.filter((d) => ledger.declarations.some((x) => x.paymentRequestId === d.orderId)).length;
                progress(`${declared}/${costDrives.length} cost-path orders declared`);
                if (declared === costDrives.length || Date.now() > deadline) break;
                await sleep(1_000);
              }
            }
            noopWorker = await worker;
          },
          'the cost-path orders go on in the background: status queries each second, their customs polls 30 s and 60 s later',
        );
      },
    },
    {
      title: `no-op baseline: ${o.baselineSeconds} s, ${o.baselineConcurrency} workflows in flight`,
      enabled: true,
      run: async (s, progress) => {
        await window(s, 'no-op baseline', async () => {
          try {
            s.baseline = await runBaseline(
              s.stack!,
              noopWorker!,
              NOOP_TASK_QUEUE,
              { seconds: o.baselineSeconds, concurrency: o.baselineConcurrency },
              (n, perSecond) => progress(`${n} workflows completed, ${perSecond.toFixed(1)}/s`),
            );
          } finally {
            await noopWorker?.stop();
          }
        });
        progress(`${s.baseline!.completed} workflows completed, ${s.baseline!.workflowsPerSecond.toFixed(1)}/s`);
      },
    },
    {
      title: `unloaded: ${o.unloadedRate} order/s for ${o.unloadedSeconds} s`,
      enabled: true,
      run: async (s, progress) => {
        s.memoryBefore = await sampler.take();
        const total = Math.round(o.unloadedRate * o.unloadedSeconds);
        const samples = await window(s, 'unloaded', () =>
          offerOrders({
            stack: s.stack!,
            phase: 'unloaded',
            rate: o.unloadedRate,
            seconds: o.unloadedSeconds,
            nextOrder: () => factory.order('U'),
            now: s.now,
            onProgress: (x) => progress(ordersLine(x, total)),
          }),
        );
        s.orders.push(...samples);
      },
    },
    {
      title: `load: ${o.rate} orders/s for ${o.seconds} s`,
      enabled: true,
      run: async (s, progress) => {
        const from = await sampler.take();
        const total = Math.round(o.rate * o.seconds);
        const samples = await window(
          s,
          `load ${o.rate}/s`,
          () =>
            offerOrders({
              stack: s.stack!,
              phase: 'load',
              rate: o.rate,
              seconds: o.seconds,
              nextOrder: () => factory.order('L'),
              now: s.now,
              onProgress: (x) => progress(ordersLine(x, total)),
            }),
          `${o.seconds} s of starts, then the checkouts still in flight (each at most 30 s)`,
        );
        s.orders.push(...samples);
        s.cpuWindow = { from, to: from, orders: samples.length };
      },
    },
    {
      title: `drain: wait (at most ${o.drainSeconds} s after the last start) until every order of the load phase is released`,
      enabled: true,
      run: async (s, progress) => {
        const load = s.orders.filter((x) => x.phase === 'load');
        const lastStart = Math.max(...load.map((x) => x.startedAt));
        const expected = load.filter((x) => x.paid).length;
        await window(
          s,
          'drain',
          async () => {
            for (;;) {
              const released = await releasedCount(s.stack!.client, factory.prefix('L')).catch(() => -1);
              const left = lastStart + o.drainSeconds * 1000 - s.now();
              progress(`${released}/${load.length} orders of the load phase released; gives up in ${secs(Math.max(0, left))}`);
              s.drainLeft = load.length - Math.max(0, released);
              if (released >= expected || left <= 0) break;
              await sleep(2_000);
            }
          },
          'no new orders: the load phase\u2019s orders pass their customs polls (30 s, then 30 s)',
        );
        s.cpuWindow!.to = await sampler.take();
      },
    },
    {
      title: `step mode: from ${o.stepStart}/s, \u00d7${o.stepFactor} each ${o.stepSeconds} s step, until checkout p99 passes ${TARGETS.stepCheckoutP99Ms} ms`,
      enabled: o.step,
      run: async (s, progress) => {
        // A load phase that was not drained leaves work behind; the steps wait a little for it, then note it.
        progress('waiting (at most 15 s) for the worker to be idle');
        s.stepsStartedIdle = await untilWorkerIdle(s.stack!.metricsUrl, 15_000);
        const result = await window(
          s,
          'step mode',
          () =>
            runSteps(
              s.stack!,
              {
                startRate: o.stepStart,
                factor: o.stepFactor,
                maxRate: o.stepMax,
                seconds: o.stepSeconds,
                p99LimitMs: TARGETS.stepCheckoutP99Ms,
              },
              (i) => factory.order(`S${i}`),
              s.now,
              (rate, samples, done) => {
                const passed = done.filter((x) => x.sustained).map((x) => `${x.rate}/s`);
                progress(
                  `${rate}/s: ${ordersLine(samples, Math.round(rate * o.stepSeconds))}` +
                    (passed.length ? `; sustained ${passed.join(', ')}` : ''),
                );
              },
            ),
          'each step\u2019s orders are paid too; their customs polls fall into later steps',
        );
        s.steps = result.steps;
        s.orders.push(...result.samples);
        // Each step as a window of its own, for the timeline and the plot.
        for (const st of result.steps) s.phases.push({ name: `step ${st.rate}/s`, start: st.startedAt, end: st.endedAt });
      },
    },
    {
      title: 'cost per order: each path\u2019s history and its quota entity\u2019s, by Temporal Cloud\u2019s Action rules',
      enabled: o.cost,
      run: async (s, progress) => {
        await window(s, 'cost histories', async () => {
          progress('waiting for the cost-path orders to reach the end of their paths');
          s.cost = await costOf(s.stack!, costDrives, 90_000, join(s.resultsDir, 'histories'));
          progress('counting a few orders of the load phase');
          const released = [...(await releaseTimes(s.stack!.client, factory.prefix('L'))).keys()].sort();
          const picks = [0, Math.floor(released.length / 2), released.length - 1].map((i) => released[i]).filter(Boolean);
          s.sampledHappy = await sampledOrderCosts(s.stack!, [...new Set(picks)]);
        });
      },
    },
    {
      title: 'collect: the sandbox ledger and the release times',
      enabled: true,
      run: async (s) => {
        sampler.stop();
        const ledger = await s.stack!.helpers.ledger();
        s.ledger = ledger;
        const times = ledgerTimes(ledger);
        const released = await releaseTimes(s.stack!.client, `B${s.runId}-`);
        const rel = (t: number | undefined) => (t === undefined ? undefined : t - s.t0);
        for (const x of s.orders) {
          const t = times.get(x.orderId);
          x.paidAt = rel(t?.paidAt);
          x.notifiedAt = rel(t?.notifiedAt);
          x.declaredAt = rel(t?.declaredAt);
          x.releasedAt = rel(released.get(x.orderId));
        }
      },
    },
  ];
}
