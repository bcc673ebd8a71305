import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { cliExecutable } from '../../dev/temporal-binaries';
import { pingQuery, type Decision } from '../support/stale-timer/workflows';
import { sleep } from '../support/e2e';

// The SDK defect behind test/fixtures/nondeterminism/: a query that waits for a worker while a timer fires
// reaches the new worker with a history that ends in the fired timer. The SDK applies the timer at the
// previous task's timestamp, so code that reads Date.now() there decides as no replay will. waitUntil()
// (workflows/wake-time.ts) decides at the time the timer was set for instead.

let env: TestWorkflowEnvironment;
const workers = new Set<ChildProcess>();

before(async () => {
  env = await TestWorkflowEnvironment.createLocal({ server: { executable: cliExecutable(), ip: '127.0.0.1' } });
});
after(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await env?.teardown();
});

/** A worker process, created and ready to poll; it polls once `go()` is called. */
function readyWorker(taskQueue: string): Promise<{ child: ChildProcess; go: () => void }> {
  const address = env.connection.options.address;
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('../support/stale-timer/worker.ts'), address, taskQueue], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  workers.add(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (String(d).includes('READY')) resolve({ child, go: () => child.stdin.write('go\n') });
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
  });
}

async function kill(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  workers.delete(child);
}

/**
 * Runs the workflow through a worker kill, queries sent while no worker polls, and the timer firing
 * meanwhile. The next worker is created beforehand and polls 7 s after the start: after the timer fired,
 * and before the workflow task leaves the dead worker's sticky queue (10 s after it was scheduled), so it
 * takes a waiting query first.
 */
async function runThroughStaleTimer(workflowType: 'decideWithDateNow' | 'decideWithWaitUntil') {
  const taskQueue = `stale-timer-${workflowType}-${Date.now()}`;
  const first = await readyWorker(taskQueue);
  first.go();
  const second = await readyWorker(taskQueue);
  const handle = await env.client.workflow.start<() => Promise<Decision>>(workflowType, { taskQueue, workflowId: `${taskQueue}-wf` });
  const startedAt = Date.now();
  await sleep(1_000);
  await kill(first.child);
  // The server refuses a query when it saw no poller for a while; one accepted waits for the next worker.
  const queries: Promise<string>[] = [];
  while (Date.now() < startedAt + 7_000) {
    queries.push(env.client.withDeadline(Date.now() + 60_000, () => handle.query(pingQuery)).catch(() => 'refused'));
    await sleep(1_000);
  }
  second.go();
  try {
    const answers = await Promise.all(queries);
    const result = await handle.result();
    const history = await handle.fetchHistory();
    const replay = await Worker.runReplayHistory({ workflowsPath: require.resolve('../support/stale-timer/workflows') }, history).then(
      () => 'replayed',
      (error: Error) => `failed: ${error.message}`,
    );
    return { answers, result, replay };
  } finally {
    await kill(second.child);
  }
}

test(
  'control: deciding with Date.now() after the timer writes a history that does not replay (the SDK defect)',
  { timeout: 120_000 },
  async (t) => {
    const r = await runThroughStaleTimer('decideWithDateNow');
    t.diagnostic(`queries: ${r.answers.join(', ')}; result: ${JSON.stringify(r.result)}; replay: ${r.replay.slice(0, 160)}`);
    assert.ok(r.answers.includes('pong'), 'a query waited for the new worker');
    // If this fails, the SDK no longer applies the fired timer at a stale time: the test below then proves nothing.
    assert.equal(r.result.clockWasStale, true, 'right after the timer fired, Date.now() was before the time it was set for');
    assert.equal(r.result.decided, 'before the timer was due');
    assert.match(r.replay, /Nondeterminism/);
  },
);

test('waitUntil: the same run decides at the timer, and its history replays', { timeout: 120_000 }, async (t) => {
  const r = await runThroughStaleTimer('decideWithWaitUntil');
  t.diagnostic(`queries: ${r.answers.join(', ')}; result: ${JSON.stringify(r.result)}; replay: ${r.replay.slice(0, 160)}`);
  assert.ok(r.answers.includes('pong'), 'a query waited for the new worker');
  // Whether this run met the stale clock depends on the SDK: the patch marker waitUntil records at the
  // first wake changed what it did in every run so far (clockWasStale false). Either way it decides at
  // the timer and replays, which is what the order needs.
  assert.equal(r.result.decided, 'at the timer');
  assert.equal(r.replay, 'replayed');
});
