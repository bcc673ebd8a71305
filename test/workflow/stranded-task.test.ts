import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testServerExecutable } from '../../dev/temporal-binaries';
import { orderWorkflowId } from '../../domain/order';
import type { SandboxHelpers } from '../../sandbox/helper-client';
import { SkipGate } from '../support/skip-gate';
import { stallReport } from '../support/stall-report';

// Why the workflow stacks keep skips and notifications apart (test/support/skip-gate.ts): the time-skipping
// test server refuses a workflow task's completion that cancels a timer which fired while the task was
// with the worker (temporalio/sdk-java#2606), and strands the run (temporalio/sdk-java#3088). A real server
// records the cancel instead. Here the test plays the worker over raw gRPC, so the race is exact. If a new
// test server takes the cancel, this test fails: the gate may then go.

const { CommandType, EventType } = temporal.api.enums.v1;
const NAMESPACE = 'default';
const TASK_QUEUE = 'stranded-task';

let env: TestWorkflowEnvironment;
before(async () => (env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } })));
after(() => env?.teardown());

const service = () => env.client.workflowService;
const pollTask = () => service().pollWorkflowTaskQueue({ namespace: NAMESPACE, taskQueue: { name: TASK_QUEUE }, identity: 'test' });
const complete = (taskToken: Uint8Array, commands: temporal.api.command.v1.ICommand[]) =>
  service().respondWorkflowTaskCompleted({ namespace: NAMESPACE, taskToken, identity: 'test', commands });
const startTimer = (seconds: number): temporal.api.command.v1.ICommand => ({
  commandType: CommandType.COMMAND_TYPE_START_TIMER,
  startTimerCommandAttributes: { timerId: 't', startToFireTimeout: msToTs(seconds * 1000) },
});
const cancelTimer: temporal.api.command.v1.ICommand = {
  commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER,
  cancelTimerCommandAttributes: { timerId: 't' },
};

/** Starts a run, starts timer `t` for `seconds` in its first task, then signals it and takes the signal's task. */
async function runWithTimerAndTaskInFlight(workflowId: string, seconds: number) {
  const handle = await env.client.workflow.start('anyWorkflow', { workflowId, taskQueue: TASK_QUEUE });
  const first = await pollTask();
  await complete(first.taskToken, [startTimer(seconds)]);
  const timerStartedAt = await env.currentTimeMs();
  await handle.signal('poke');
  const second = await pollTask();
  return { handle, taskToken: second.taskToken, timerDueAt: timerStartedAt + seconds * 1000 };
}

const lastEvent = async (handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }) =>
  EventType[(await handle.fetchHistory()).events!.at(-1)!.eventType!];

test('a task that cancels a timer still pending completes', async () => {
  const { handle, taskToken } = await runWithTimerAndTaskInFlight('timer-pending', 3600);
  await complete(taskToken, [cancelTimer]);
  assert.equal(await lastEvent(handle), 'EVENT_TYPE_TIMER_CANCELED');
});

test('a task that cancels a timer which fired while it was in flight is refused, and the run is stranded', async () => {
  const { handle, taskToken, timerDueAt } = await runWithTimerAndTaskInFlight(orderWorkflowId('STRANDED-1'), 1);
  // The task in flight holds time still; the server's clock runs at real pace until the timer is due.
  for (let i = 0; i < 100 && (await env.currentTimeMs()) < timerDueAt + 200; i++) await wait(50);
  assert.ok((await env.currentTimeMs()) >= timerDueAt + 200, 'the timer is due');
  await assert.rejects(complete(taskToken, [cancelTimer]), /invalid history builder state for action/);
  // Stranded: the history ends with the task started, and the server holds no task to time out or send again.
  assert.equal(await lastEvent(handle), 'EVENT_TYPE_WORKFLOW_TASK_STARTED');
  assert.equal((await handle.describe()).raw.pendingWorkflowTask, null);
  // A wait that gives up on such an order says so (no sandbox here: that part of the report is unknown).
  const noSandbox = { ledgerOf: () => Promise.reject(new Error('no sandbox')) } as unknown as SandboxHelpers;
  const report = await stallReport(env, noSandbox, { released: () => 0 }, new SkipGate(), 'STRANDED-1');
  assert.match(report, /workflow RUNNING, STRANDED \(temporalio\/sdk-java#3088\), run \w+, \d+ events, no task/);
  assert.match(report, /sandbox: unknown \(no sandbox\)/);
});
