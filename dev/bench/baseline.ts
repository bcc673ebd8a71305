import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { Stack } from '../stack';
import { cpuSeconds } from './proc';

// The no-op baseline: how many workflows of one no-op activity each the same server completes per
// second, with a worker process of its own on a task queue of its own.

export interface BaselineResult {
  /** Workflows completed per second in the measured window (after the warm-up). */
  workflowsPerSecond: number;
  completed: number;
  failed: number;
  concurrency: number;
  warmupMs: number;
  measuredMs: number;
  /** Completions per second, by second from the start of the phase, for the plot. */
  completionsAt: number[];
  /** CPU milliseconds per workflow completed in the measured window, by process: what one no-op workflow costs. */
  cpuMsPerWorkflow: Record<string, number>;
}

export interface BaselineOptions {
  seconds: number;
  /** Workflows kept in flight: enough to keep the server and the worker busy. */
  concurrency: number;
}

export interface NoopWorker {
  pid: number;
  stop(): Promise<void>;
}

/** Starts the no-op worker process; resolves once it polls. */
export async function startNoopWorker(stack: Stack, taskQueue: string): Promise<NoopWorker> {
  const log = createWriteStream(join(stack.logDir, 'noop-worker.log'), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'noop-worker.ts')], {
    env: { ...process.env, TEMPORAL_ADDRESS: stack.temporalAddress, BENCH_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the no-op worker did not start within 60 s')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the no-op worker exited with ${code} (log in ${stack.logDir})`)));
  });
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  };
  return { pid: child.pid!, stop };
}

/** Runs no-op workflows closed-loop, `concurrency` at a time, for `seconds`; the first fifth warms up. */
export async function runBaseline(
  stack: Stack,
  worker: NoopWorker,
  taskQueue: string,
  options: BaselineOptions,
  onProgress: (completed: number, perSecond: number) => void,
): Promise<BaselineResult> {
  // The default data converter: the no-op workflow has no payloads worth encrypting, and its worker has no keys.
  const client = new Client({ connection: stack.client.connection, namespace: 'default' });
  const started = Date.now();
  const end = started + options.seconds * 1000;
  const warmupMs = Math.round(options.seconds * 200);
  const completionsAt: number[] = [];
  let completed = 0;
  let failed = 0;
  let seq = 0;
  const loop = async () => {
    while (Date.now() < end) {
      try {
        await client.workflow.execute('noopWorkflow', { taskQueue, workflowId: `noop-${taskQueue}-${seq++}` });
        const at = Date.now();
        if (at <= end) {
          const second = Math.floor((at - started) / 1000);
          completionsAt[second] = (completionsAt[second] ?? 0) + 1;
          if (at - started >= warmupMs) completed++;
        }
      } catch {
        failed++;
      }
    }
  };
  // CPU over the measured window: the server, the no-op worker and this process (the client that starts them).
  const cpuNow = async () => ({
    temporal: await cpuSeconds(stack.pids().temporal),
    'no-op worker': await cpuSeconds(worker.pid),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  let cpuFrom: Record<string, number | undefined> = {};
  const warm = setTimeout(() => void cpuNow().then((c) => (cpuFrom = c)), warmupMs);
  const ticker = setInterval(() => onProgress(completed, completed / Math.max(0.001, (Date.now() - started - warmupMs) / 1000)), 1000);
  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    clearInterval(ticker);
    clearTimeout(warm);
  }
  const cpuTo = await cpuNow();
  const cpuMsPerWorkflow: Record<string, number> = {};
  for (const [name, to] of Object.entries(cpuTo)) {
    const from = cpuFrom[name];
    if (to !== undefined && from !== undefined && completed > 0) cpuMsPerWorkflow[name] = ((to - from) * 1000) / completed;
  }
  const measuredMs = options.seconds * 1000 - warmupMs;
  return {
    workflowsPerSecond: completed / (measuredMs / 1000),
    completed,
    failed,
    concurrency: options.concurrency,
    warmupMs,
    measuredMs,
    completionsAt: Array.from(completionsAt, (n) => n ?? 0),
    cpuMsPerWorkflow,
  };
}
