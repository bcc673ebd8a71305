import type { PlotData, PlotPoint } from './plot';
import { PROCESS_NAMES } from './proc';
import type { BenchReport } from './report';
import { percentiles } from './stats';

// The plot's series, from a report: per time bin, latency percentiles and rates; per resource sample,
// the processes' CPU and the worker's memory.

/** Numbers the points of each series into segments, a new one after each gap longer than `gap` seconds. */
function segmented(points: PlotPoint[], gap: number): PlotPoint[] {
  const last = new Map<string, { t: number; segment: number }>();
  return points.map((p) => {
    const prev = last.get(p.series);
    const segment = prev === undefined ? 0 : p.t - prev.t > gap + 1e-9 ? prev.segment + 1 : prev.segment;
    last.set(p.series, { t: p.t, segment });
    return { ...p, segment };
  });
}

export function plotData(r: BenchReport, binSeconds: number, title: string): PlotData {
  const bin = (ms: number) => Math.floor(ms / 1000 / binSeconds) * binSeconds;
  const end = bin(r.durationSeconds * 1000);
  const byBin = (pairs: [number, number][]) => {
    const m = new Map<number, number[]>();
    for (const [t, v] of pairs) m.set(bin(t), [...(m.get(bin(t)) ?? []), v]);
    return [...m.entries()].sort(([a], [b]) => a - b);
  };

  const latency: PlotPoint[] = [];
  const percentileSeries = (name: string, pairs: [number, number][]) => {
    for (const [t, ys] of byBin(pairs)) {
      const p = percentiles(ys);
      // The scale is logarithmic: a 0 ms span (same millisecond) is drawn at 1 ms.
      latency.push({ t, series: `${name} p50`, value: Math.max(1, p.p50) }, { t, series: `${name} p99`, value: Math.max(1, p.p99) });
    }
  };
  percentileSeries(
    'checkout',
    r.orders.flatMap((x) => (x.checkoutMs === undefined ? [] : [[x.startedAt, x.checkoutMs] as [number, number]])),
  );
  percentileSeries(
    'notification → declare',
    r.orders.flatMap((x) =>
      x.notifiedAt === undefined || x.declaredAt === undefined || x.declaredAt < x.notifiedAt
        ? []
        : [[x.notifiedAt, x.declaredAt - x.notifiedAt] as [number, number]],
    ),
  );

  const throughput: PlotPoint[] = [];
  /** Events per second in each bin from `from` to `to`, 0 where there were none. */
  const rate = (series: string, times: number[], from = 0, to = end) => {
    const counts = new Map(byBin(times.map((t) => [t, 1])).map(([t, ys]) => [t, ys.length]));
    for (let t = bin(from); t <= to; t += binSeconds) throughput.push({ t, series, value: (counts.get(t) ?? 0) / binSeconds });
  };
  const times = (f: (x: BenchReport['orders'][number]) => number | undefined) =>
    r.orders.flatMap((x) => {
      const t = f(x);
      return t === undefined ? [] : [t];
    });
  rate(
    'orders offered',
    times((x) => x.startedAt),
  );
  rate(
    'checkouts returned',
    times((x) => (x.checkoutMs === undefined ? undefined : x.startedAt + x.checkoutMs)),
  );
  rate(
    'checkouts failed',
    times((x) => (x.checkoutMs === undefined ? x.startedAt : undefined)),
  );
  rate(
    'first declare calls',
    times((x) => x.declaredAt),
  );
  rate(
    'orders released',
    times((x) => x.releasedAt),
  );
  const baseline = r.timeline.find((p) => p.name === 'no-op baseline');
  if (r.baseline && baseline) {
    const start = baseline.startSeconds * 1000;
    const done = r.baseline.completionsAt.flatMap((n, second) => Array.from({ length: n }, () => start + second * 1000 + 500));
    rate('no-op workflows completed', done, start, bin(baseline.endSeconds * 1000));
  }

  const cpu: PlotPoint[] = [];
  const memory: PlotPoint[] = [];
  const samples = r.resourceSamples;
  samples.forEach((s, i) => {
    const t = s.t / 1000;
    if (s.workerRssMiB !== undefined) memory.push({ t, series: 'RSS, MiB', value: s.workerRssMiB });
    if (s.cachedWorkflows !== undefined) memory.push({ t, series: 'cached workflows (sticky cache)', value: s.cachedWorkflows });
    const prev = samples[i - 1];
    if (!prev || s.t <= prev.t) return;
    for (const name of [...PROCESS_NAMES, 'bench'] as const) {
      const [a, b] = [prev.cpuSeconds[name], s.cpuSeconds[name]];
      if (a !== undefined && b !== undefined)
        cpu.push({ t, series: name === 'temporal' ? 'temporal server' : name, value: (100 * (b - a)) / ((s.t - prev.t) / 1000) });
    }
  });

  const phases = r.timeline
    .filter((p) => !p.name.startsWith('step ') || p.name === 'step mode')
    .map((p) => ({ name: p.name, start: p.startSeconds, end: p.endSeconds }));
  return { latency: segmented(latency, binSeconds), throughput, cpu, memory, phases, title };
}
