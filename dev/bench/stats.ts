// Percentiles of latency samples, in milliseconds.

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** The nearest-rank percentile: p99 of 20 samples is the largest, so a short phase is never flattered. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

/** Milliseconds as text: "840 ms", "1.25 s", "61.2 s". */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v < 1000) return `${Math.round(v)} ms`;
  return v < 10_000 ? `${(v / 1000).toFixed(2)} s` : `${(v / 1000).toFixed(1)} s`;
}

export function sum(values: readonly (number | undefined)[]): number {
  return values.reduce<number>((a, v) => a + (v ?? 0), 0);
}
