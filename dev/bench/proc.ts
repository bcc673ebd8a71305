import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

// What the bench reads about the stack's processes: CPU time and RSS from /proc (Linux), and the
// worker's sticky cache size from its Prometheus metrics.

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU seconds the process has used; undefined once it is gone. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces, so count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Resident set size in MiB. */
export async function rssMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The sum of a metric's series in a Prometheus text exposition. */
export function metricValue(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export type ProcessName = 'worker' | 'temporal' | 'sandbox' | 'notify-receiver';
export const PROCESS_NAMES: ProcessName[] = ['worker', 'temporal', 'sandbox', 'notify-receiver'];

export interface ResourceSample {
  /** Milliseconds since the bench's time zero. */
  t: number;
  workerRssMiB?: number;
  /** Workflows in the worker's sticky cache: orders and quota entities. */
  cachedWorkflows?: number;
  cpuSeconds: Partial<Record<ProcessName | 'bench', number>>;
}

export async function sampleResources(t: number, pids: Partial<Record<ProcessName, number>>, metricsUrl: string): Promise<ResourceSample> {
  const metrics = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })
    .then((r) => r.text())
    .catch(() => '');
  const cpu: ResourceSample['cpuSeconds'] = {};
  for (const name of PROCESS_NAMES) cpu[name] = await cpuSeconds(pids[name]);
  const own = process.cpuUsage();
  cpu.bench = (own.user + own.system) / 1e6;
  return {
    t,
    workerRssMiB: await rssMiB(pids.worker),
    cachedWorkflows: metricValue(metrics, 'temporal_sticky_cache_size'),
    cpuSeconds: cpu,
  };
}

/** Samples every `everyMs` until stopped; the samples stay in order of time. */
export function startSampler(now: () => number, pids: () => Partial<Record<ProcessName, number>>, metricsUrl: string, everyMs = 2_000) {
  const samples: ResourceSample[] = [];
  let busy = false;
  const take = async () => {
    if (busy) return;
    busy = true;
    try {
      samples.push(await sampleResources(now(), pids(), metricsUrl));
    } finally {
      busy = false;
    }
  };
  void take();
  const timer = setInterval(() => void take(), everyMs);
  return {
    samples,
    /** A sample now, e.g. at the edge of a phase. */
    take: async () => {
      const s = await sampleResources(now(), pids(), metricsUrl);
      samples.push(s);
      samples.sort((a, b) => a.t - b.t);
      return s;
    },
    stop: () => clearInterval(timer),
  };
}

/** Waits (at most `timeoutMs`) until the worker runs no task: its slots in use read 0 twice, a second apart. */
export async function untilWorkerIdle(metricsUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let idleReads = 0;
  while (Date.now() < deadline) {
    const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.text())
      .catch(() => '');
    idleReads = metricValue(text, 'temporal_worker_task_slots_used') === 0 ? idleReads + 1 : 0;
    if (idleReads >= 2) return true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}
