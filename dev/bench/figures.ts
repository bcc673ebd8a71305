import { POLL_SCHEDULE_MS, TARGETS } from './options';
import type { PROCESS_NAMES, ResourceSample } from './proc';
import type { BenchState, TimedOrder } from './run';
import { percentiles, type Percentiles } from './stats';

// The figures of a run, worked out from what the phases recorded, and the targets judged on them.

export interface PhaseFigures {
  phase: string;
  offeredRate: number;
  seconds: number;
  orders: number;
  checkedOut: number;
  failed: number;
  /** Checkouts completed per second, from the first start to the last return. */
  achievedCheckoutPerSecond: number;
  released: number;
  /** Orders released per second, from the first release to the last. */
  achievedReleasePerSecond: number;
  checkout: Percentiles;
  paidToNotified: Percentiles;
  /** Orders declared after the notification was sent; the others have no such span. */
  notifiedToDeclared: Percentiles;
  /** Paid orders declared before the sandbox sent their notification: they found the payment by inquiry. */
  declaredBeforeNotification: number;
  declaredToReleased: Percentiles;
  paidToReleased: Percentiles;
  /** paid → released less the customs poll schedule (30 s + 30 s): what the pipeline itself adds. */
  paidToReleasedOverPolls: Percentiles;
}

type TimeKey = 'paidAt' | 'notifiedAt' | 'declaredAt' | 'releasedAt';

/** From one step to the next, for the orders that reached both. */
const spans = (xs: TimedOrder[], from: TimeKey, to: TimeKey) =>
  xs.flatMap((x) => {
    const [a, b] = [x[from], x[to]];
    return a === undefined || b === undefined ? [] : [b - a];
  });

export function phaseFigures(orders: TimedOrder[], phase: string, offeredRate: number, seconds: number): PhaseFigures | undefined {
  const xs = orders.filter((x) => x.phase === phase);
  if (xs.length === 0) return undefined;
  const done = xs.filter((x) => x.checkoutMs !== undefined);
  const first = Math.min(...xs.map((x) => x.startedAt));
  const lastReturn = Math.max(...done.map((x) => x.startedAt + x.checkoutMs!));
  const releases = xs.flatMap((x) => (x.releasedAt === undefined ? [] : [x.releasedAt]));
  const releaseSpan = (Math.max(...releases) - Math.min(...releases)) / 1000;
  const paidToReleased = spans(xs, 'paidAt', 'releasedAt');
  return {
    phase,
    offeredRate,
    seconds,
    orders: xs.length,
    checkedOut: done.length,
    failed: xs.length - done.length,
    achievedCheckoutPerSecond: done.length / Math.max(0.001, (lastReturn - first) / 1000),
    released: releases.length,
    achievedReleasePerSecond: releases.length > 1 ? (releases.length - 1) / releaseSpan : NaN,
    checkout: percentiles(done.map((x) => x.checkoutMs!)),
    paidToNotified: percentiles(spans(xs, 'paidAt', 'notifiedAt')),
    notifiedToDeclared: percentiles(spans(xs, 'notifiedAt', 'declaredAt').filter((v) => v >= 0)),
    declaredBeforeNotification: xs.filter((x) => x.declaredAt !== undefined && (x.notifiedAt === undefined || x.notifiedAt > x.declaredAt))
      .length,
    declaredToReleased: percentiles(spans(xs, 'declaredAt', 'releasedAt')),
    paidToReleased: percentiles(paidToReleased),
    paidToReleasedOverPolls: percentiles(paidToReleased.map((v) => v - POLL_SCHEDULE_MS)),
  };
}

export interface ResourceFigures {
  /** The window CPU is measured over: the load phase and its drain. */
  windowSeconds?: number;
  ordersInWindow?: number;
  /** CPU milliseconds per order of the load phase, by process. */
  cpuMsPerOrder: Partial<Record<(typeof PROCESS_NAMES)[number] | 'bench', number>>;
  /** Share of one core the worker used over the window. */
  workerCpuShare?: number;
  rssBeforeMiB?: number;
  cachedBefore?: number;
  rssAtPeakCacheMiB?: number;
  peakCached?: number;
  /** (RSS at the peak of the sticky cache − RSS before the measured orders) / (cached workflows added). */
  kibPerCachedWorkflow?: number;
  /** Orders started from the sample before the measured orders to the peak; each brings its quota entity. */
  ordersToPeak?: number;
  /** The same RSS delta per order started: an order and, as buyers rarely repeat, its quota entity. */
  kibPerOrder?: number;
  peakRssMiB?: number;
}

export function resourceFigures(s: BenchState): ResourceFigures {
  const out: ResourceFigures = { cpuMsPerOrder: {} };
  const w = s.cpuWindow;
  if (w && w.to.t > w.from.t && w.orders > 0) {
    out.windowSeconds = (w.to.t - w.from.t) / 1000;
    out.ordersInWindow = w.orders;
    for (const [name, after] of Object.entries(w.to.cpuSeconds)) {
      const before = w.from.cpuSeconds[name as keyof ResourceSample['cpuSeconds']];
      if (after !== undefined && before !== undefined)
        out.cpuMsPerOrder[name as keyof ResourceFigures['cpuMsPerOrder']] = ((after - before) * 1000) / w.orders;
    }
    const wcpu = (w.to.cpuSeconds.worker ?? NaN) - (w.from.cpuSeconds.worker ?? NaN);
    out.workerCpuShare = wcpu / out.windowSeconds;
  }
  const before = s.memoryBefore;
  const until = w?.to.t ?? Infinity;
  const inWindow = s.resources.filter((x) => before && x.t >= before.t && x.t <= until && x.cachedWorkflows !== undefined);
  const peak = inWindow.reduce<ResourceSample | undefined>((a, x) => (!a || x.cachedWorkflows! > a.cachedWorkflows! ? x : a), undefined);
  if (before && peak && before.workerRssMiB !== undefined && peak.workerRssMiB !== undefined) {
    out.rssBeforeMiB = before.workerRssMiB;
    out.cachedBefore = before.cachedWorkflows;
    out.rssAtPeakCacheMiB = peak.workerRssMiB;
    out.peakCached = peak.cachedWorkflows;
    const added = (peak.cachedWorkflows ?? 0) - (before.cachedWorkflows ?? 0);
    if (added > 0) out.kibPerCachedWorkflow = ((peak.workerRssMiB - before.workerRssMiB) * 1024) / added;
    out.ordersToPeak = s.orders.filter((x) => x.startedAt > before.t && x.startedAt <= peak.t).length;
    if (out.ordersToPeak > 0) out.kibPerOrder = ((peak.workerRssMiB - before.workerRssMiB) * 1024) / out.ordersToPeak;
  }
  const rss = s.resources.flatMap((x) => (x.workerRssMiB === undefined ? [] : [x.workerRssMiB]));
  if (rss.length) out.peakRssMiB = Math.max(...rss);
  return out;
}

export interface TargetResult {
  target: string;
  measured: string;
  /** undefined: not measured in this run. */
  pass?: boolean;
}

const fmtMs = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');

export function judgeTargets(
  s: BenchState,
  load: PhaseFigures | undefined,
  unloaded: PhaseFigures | undefined,
  highestSustained: number | undefined,
): TargetResult[] {
  const o = s.options;
  const happy = s.cost?.find((c) => c.path === 'happy');
  const loadLabel =
    o.rate === TARGETS.loadRate && o.seconds === TARGETS.loadSeconds
      ? `${o.rate}/s for ${o.seconds} s`
      : `${o.rate}/s for ${o.seconds} s (target: 10/s for 60 s)`;
  const unloadedLabel = o.unloadedRate === TARGETS.unloadedRate ? `${o.unloadedRate}/s` : `${o.unloadedRate}/s (target: 1/s)`;
  const t: TargetResult[] = [];
  t.push(
    happy?.actionsPerOrder !== undefined
      ? {
          target: `happy path: at most ${TARGETS.happyActions} billable Actions per order (order + quota share)`,
          measured: `${happy.actionsPerOrder} (${happy.order!.actions} + ${happy.quotaShare})`,
          pass: happy.actionsPerOrder <= TARGETS.happyActions,
        }
      : { target: `happy path: at most ${TARGETS.happyActions} billable Actions per order`, measured: 'not measured' },
  );
  t.push(
    happy?.order
      ? {
          target: `happy path: at most ${TARGETS.happyEvents} history events per order`,
          measured: String(happy.order.events),
          pass: happy.order.events <= TARGETS.happyEvents,
        }
      : { target: `happy path: at most ${TARGETS.happyEvents} history events per order`, measured: 'not measured' },
  );
  if (load) {
    t.push({
      target: `${loadLabel}: every order released`,
      measured: `${load.released}/${load.orders}`,
      pass: load.released === load.orders,
    });
    t.push({
      target: `${loadLabel}: checkout p99 ≤ ${TARGETS.loadCheckoutP99Ms} ms`,
      measured: fmtMs(load.checkout.p99),
      pass: load.failed === 0 && load.checkout.p99 <= TARGETS.loadCheckoutP99Ms,
    });
    t.push({
      target: `${loadLabel}: notification → declare p99 ≤ ${TARGETS.loadNotifyToDeclareP99Ms} ms`,
      measured: `${fmtMs(load.notifiedToDeclared.p99)} (${load.notifiedToDeclared.n} of ${load.orders} orders declared after a notification)`,
      pass: load.notifiedToDeclared.n === load.orders && load.notifiedToDeclared.p99 <= TARGETS.loadNotifyToDeclareP99Ms,
    });
  }
  if (unloaded) {
    t.push({
      target: `unloaded at ${unloadedLabel}: checkout p99 ≤ ${TARGETS.unloadedCheckoutP99Ms} ms`,
      measured: fmtMs(unloaded.checkout.p99),
      pass: unloaded.failed === 0 && unloaded.checkout.p99 <= TARGETS.unloadedCheckoutP99Ms,
    });
  }
  const baseline = s.baseline?.workflowsPerSecond;
  const bar = baseline === undefined ? undefined : TARGETS.sustainedShareOfBaseline * baseline;
  t.push(
    s.steps && bar !== undefined
      ? {
          target: `highest sustained rate ≥ ${TARGETS.sustainedShareOfBaseline} × the no-op baseline (${bar.toFixed(1)}/s)`,
          measured: highestSustained
            ? `${highestSustained}/s${s.steps.every((x) => x.sustained) ? ` (sustained at every step, ${o.stepMax}/s max)` : ''}`
            : `none sustained, down to ${Math.min(...s.steps.map((x) => x.rate))}/s`,
          pass: (highestSustained ?? 0) >= bar,
        }
      : { target: `highest sustained rate ≥ ${TARGETS.sustainedShareOfBaseline} × the no-op baseline`, measured: 'not measured' },
  );
  return t;
}
