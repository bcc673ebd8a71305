import { createHmac } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { AesGcmCodec, newKeySpec, parseKeyring } from '../../platform/aes-gcm-codec';
import { ORDER_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { workflowBundleForTests } from '../../dev/prebuilt-bundle';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../../activities';
import { cebFilingPort } from '../../activities/customs';
import { startNotifyReceiver, type NotifyReceiver } from '../../notify-receiver/server';
import type { WaitOptions } from '../../dev/scenarios/wait-for-status';
import { testServerExecutable } from '../../dev/temporal-binaries';
import { EPortClient } from '../../eport/client';
import { SettlementFileClient } from '../../alipay-plus/settlement-file';
import { startSandboxFixture, testCebSettings, CLIENT_ID, type SandboxFixture } from './sandbox';
import { SkipGate, landingOffsetMs } from './skip-gate';
import { stallReport } from './stall-report';
import { guardTimeLocks, type TimeLockGuard, type TimeLockGuardOptions } from './time-lock-guard';

let runtimeInstalled = false;

/** The stack's buyer key secret: the quota entity's id is keyed by an HMAC of the buyer's certificate. */
export const TEST_BUYER_KEY_SECRET = 'test-secret';

/** The buyer key the stack's worker derives for an ID card (activities/quota.ts buyerQuotaKey). */
export const testBuyerKey = (certificateNo: string) =>
  createHmac('sha256', TEST_BUYER_KEY_SECRET).update(`ID_CARD:${certificateNo}`).digest('hex').slice(0, 32);

/** The test server knows no custom search attributes until they are added, as on a real cluster. */
async function registerSearchAttributes(env: TestWorkflowEnvironment) {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ORDER_SEARCH_ATTRIBUTES.map((k) => [
        k.name,
        k.type === 'DATETIME'
          ? temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
          : k.type === 'KEYWORD_LIST'
            ? temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
            : temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
}

/**
 * The workflow test stack: Temporal's time-skipping test server, the sandbox reading the server's
 * clock (so the 5-minute rule and review delays follow skipped time), the notify receiver, and a
 * worker running the real workflows and the real activities.
 */
export interface WorkflowStack {
  env: TestWorkflowEnvironment;
  f: SandboxFixture;
  receiver: NotifyReceiver;
  taskQueue: string;
  /** The task queue the quota entities run on. */
  quotaTaskQueue: string;
  /**
   * How `waitForStatus` waits on this stack: it skips `stepMs` of the test server's time between looks,
   * and gives up after `maxSteps` looks (or 180 s of real time).
   */
  skipping(stepMs?: number, maxSteps?: number): WaitOptions;
  /**
   * Stand-ins for single activities, by name, for tests that must inject one answer precisely (a final
   * answer, a stale record, a call held in flight). Every other call goes to the real activity.
   */
  stubs: Map<string, ActivityStub>;
  /** The bundle and data converter the worker runs with: what a test replays histories against. */
  workflowBundle: WorkflowBundle;
  dataConverter: DataConverter;
  /**
   * Shuts the orders' worker down and starts another on the same queue, as a deploy does: the orders it
   * ran are replayed from their histories by the new one. Needs `restartableWorker`.
   */
  restartWorker(): Promise<void>;
  /** What gave back the locks on time the test server leaked (time-lock-guard.ts). */
  timeLocks: TimeLockGuard;
  close(): Promise<void>;
}

/** Answers one activity call in place of the real activity, which it may still call. */
export type ActivityStub = (real: (...args: unknown[]) => Promise<unknown>, ...args: unknown[]) => Promise<unknown>;

export interface WorkflowStackOptions {
  /**
   * Refunds are processed this long after they are submitted (10 minutes of skipped time unless set), so
   * tests about other things need not skip to the sandbox's daily cut-off; null keeps the cut-off.
   */
  refundSettleDelayMs?: number | null;
  quotaUpdatesPerRun?: number;
  /** Time between the CEB inventory list's states after 120 in the sandbox's customs; 2 minutes (skipped) unless set. */
  cebStepAfterMs?: number;
  /** The payload keyring (a keyring file's text); a key made for the run unless set. Recorders pass the committed one. */
  payloadKeys?: string;
  /**
   * The orders' worker caches no workflow, so `restartWorker()` can hand every order to the next one: the test
   * server never moves a cached workflow off a stopped worker's sticky queue. Every task then replays its history.
   */
  restartableWorker?: boolean;
  /** How the stack's `env.sleep` watches for a lock the test server leaked (time-lock-guard.ts); defaults unless set. */
  timeLockGuard?: TimeLockGuardOptions;
}

export async function startWorkflowStack(opts: WorkflowStackOptions = {}): Promise<WorkflowStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const stops: Stop[] = [];
  try {
    return await buildStack(opts, stops);
  } catch (error) {
    // Whatever did start is stopped, so a failed start leaves no test server or timer behind.
    await stopAll(stops).catch((e: unknown) => console.error('stopping a workflow stack that failed to start:', e));
    throw error;
  }
}

type Stop = () => Promise<void>;

/**
 * Runs the stops last added first, each once the one before has ended, so nothing outlives what it
 * uses. A stop that fails does not keep the others from running; its error is thrown at the end.
 */
async function stopAll(stops: Stop[]): Promise<void> {
  const failures: unknown[] = [];
  for (let stop = stops.pop(); stop; stop = stops.pop()) {
    try {
      await stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'closing the workflow stack failed');
}

/** Starts the stack, adding to `stops` how to stop each part as soon as it runs. */
async function buildStack(opts: WorkflowStackOptions, stops: Stop[]): Promise<WorkflowStack> {
  // Payloads are encrypted as in production, with a key made for this run.
  const dataConverter = { payloadCodecs: [new AesGcmCodec(parseKeyring(opts.payloadKeys ?? newKeySpec('test')))] };
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable() },
    client: { dataConverter },
  });
  stops.push(() => env.teardown()); // the client connection, the worker's native connection, the test server
  const timeLocks = guardTimeLocks(env, opts.timeLockGuard);
  // Every skip, the tests' own included, waits for the notifications under way, and holds new ones back.
  const gate = new SkipGate();
  const guardedSleep = env.sleep;
  env.sleep = (ms) => gate.skip(() => guardedSleep(ms));
  await registerSearchAttributes(env);
  // A traffic limit backs off 30 s in production; 1 s keeps the retry tests short in real time, and a checkout
  // whose pay meets two traffic limits within one short workflow task.
  const f = await startSandboxFixture({
    timeSource: () => env.currentTimeMs(),
    notificationGate: (attempt) => gate.deliver(attempt),
    trafficLimitBackoffMs: 1_000,
    refundSettleDelayMs: opts.refundSettleDelayMs === undefined ? 10 * 60_000 : (opts.refundSettleDelayMs ?? undefined),
    cebStepAfterMs: opts.cebStepAfterMs,
  });
  stops.push(() => f.close());
  const receiver = await startNotifyReceiver({
    temporal: env.client,
    clientId: CLIENT_ID,
    alipayPlusPublicKey: f.keys.alipayPlusPublicKey,
    merchantPrivateKey: f.keys.merchantPrivateKey,
    // The sandbox signs notifications with the test server's clock, so the Request-Time window reads it too.
    now: () => env.currentTimeMs(),
    ordersTaskQueue: 'orders-test',
  });
  stops.push(() => receiver.close());
  const taskQueue = 'orders-test';
  const quotaTaskQueue = 'orders-test-quota';
  const realActivities = createActivities({
    alipay: f.client,
    eport: new EPortClient(f.sandbox.url),
    customs: cebFilingPort(testCebSettings(f)),
    notifyUrl: receiver.url,
    redirectUrl: 'https://merchant.example/return',
    temporal: env.client,
    quotaTaskQueue,
    buyerKeySecret: TEST_BUYER_KEY_SECRET,
    quotaUpdatesPerRun: opts.quotaUpdatesPerRun,
    settlementFiles: new SettlementFileClient({ baseUrl: f.sandbox.url, customerId: CLIENT_ID }),
  });
  const stubs = new Map<string, ActivityStub>();
  const activities = Object.fromEntries(
    Object.entries(realActivities).map(([name, real]) => {
      const call = real as (...args: unknown[]) => Promise<unknown>;
      return [name, (...args: unknown[]) => stubs.get(name)?.(call, ...args) ?? call(...args)];
    }),
  );
  // As in production (workers/main.ts): orders on one queue, the quota entities on their own.
  const workflowBundle = await workflowBundleForTests();
  const common = { connection: env.nativeConnection, workflowBundle, dataConverter };
  /** Runs a worker until `stop()`, which shuts it down and waits for it, its activities included; rejects if it failed. */
  const run = (w: Worker) => {
    const running = w.run();
    return async () => {
      if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    };
  };
  const orders = { ...common, taskQueue, activities, ...(opts.restartableWorker && { maxCachedWorkflows: 0 }) };
  let stopOrders = run(await Worker.create(orders));
  stops.push(run(await Worker.create({ ...common, taskQueue: quotaTaskQueue })));
  // The orders' worker is stopped through this indirection, so a restarted one is the one stopped.
  stops.push(() => stopOrders());
  const restartWorker = async () => {
    if (!opts.restartableWorker) throw new Error('restartWorker() needs a stack started with restartableWorker');
    await stopOrders();
    stopOrders = run(await Worker.create(orders));
  };
  // Stopped first: the sandbox's notifier, which reads the test server's clock on a timer and posts to
  // the receiver, whose update needs the worker. So a notification under way is finished while the
  // worker still runs, and nothing reads the clock once the test server goes.
  stops.push(() => f.sandbox.stopNotifications());
  return {
    env,
    f,
    receiver,
    taskQueue,
    quotaTaskQueue,
    stubs,
    workflowBundle,
    dataConverter,
    restartWorker,
    timeLocks,
    skipping: (stepMs = 30_000, maxSteps = 400) => ({
      intervalMs: stepMs,
      skippedTimeoutMs: stepMs * maxSteps,
      sleep: (ms) => env.sleep(ms + landingOffsetMs(ms)),
      explain: (orderId) => stallReport(env, f.helpers, timeLocks, gate, orderId),
    }),
    // The notifier, the worker, the receiver, the sandbox, then the connections and the test server.
    close: () => stopAll(stops),
  };
}
