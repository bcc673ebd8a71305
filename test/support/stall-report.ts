import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { orderWorkflowId } from '../../domain/order';
import type { SandboxHelpers } from '../../sandbox/helper-client';
import type { SkipGate } from './skip-gate';
import type { TimeLockGuard } from './time-lock-guard';

// What a workflow test stack knows about an order a wait gave up on, in one paragraph: enough to tell
// from a CI log whether the sandbox, the notify receiver, the worker or the test server's clock held it up.

const timeOfDay = (ms: number) => new Date(ms).toISOString().slice(11, 23);

export async function stallReport(
  env: TestWorkflowEnvironment,
  helpers: SandboxHelpers,
  timeLocks: TimeLockGuard,
  gate: SkipGate,
  orderId: string,
): Promise<string> {
  const parts: string[] = [];
  const tryPart = async (name: string, f: () => Promise<string>) => {
    try {
      parts.push(await f());
    } catch (error) {
      parts.push(`${name}: unknown (${(error as Error).message})`);
    }
  };
  await tryPart('clock', async () => {
    const server = await env.currentTimeMs();
    return `server clock ${timeOfDay(server)}, real ${timeOfDay(Date.now())}, time locks given back ${timeLocks.released()}, skip gate ${gate.state()}`;
  });
  await tryPart('sandbox', async () => {
    const l = await helpers.ledgerOf(orderId);
    const payments = l.payments.map((p) => `${p.status}${'paidAt' in p && p.paidAt ? ` at ${String(p.paidAt).slice(11, 23)}` : ''}`);
    const notes = l.notifications.map(
      (n) =>
        `${n.notifyType} acked=${n.acknowledged} next=${n.nextAttemptAt?.slice(11, 23) ?? '-'} attempts=[${n.attempts
          .map((a) => `${a.at.slice(11, 23)} ${a.outcome}${a.detail ? ` (${a.detail})` : ''}${a.duplicate ? ' dup' : ''}`)
          .join('; ')}]`,
    );
    return `sandbox: payments [${payments.join(', ')}], notifications [${notes.join(' | ')}]`;
  });
  await tryPart('workflow', async () => {
    const handle = env.client.workflow.getHandle(orderWorkflowId(orderId));
    const d = await handle.describe();
    const events = (await handle.fetchHistory()).events ?? [];
    const raw = d.raw;
    const activities = (raw.pendingActivities ?? []).map(
      (a) => `${a.activityType?.name} state=${a.state} attempt=${a.attempt}${a.lastFailure?.message ? ` (${a.lastFailure.message})` : ''}`,
    );
    const task = raw.pendingWorkflowTask ? `task ${raw.pendingWorkflowTask.state} attempt ${raw.pendingWorkflowTask.attempt}` : 'no task';
    const tail = events.slice(-10).map((e) => (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? '?').replace(/^EVENT_TYPE_/, ''));
    // A task the server started, holds no more, and never ended: a refused completion (skip-gate.ts).
    const stranded = tail.at(-1) === 'WORKFLOW_TASK_STARTED' && !raw.pendingWorkflowTask ? ', STRANDED (temporalio/sdk-java#3088)' : '';
    return `workflow ${d.status.name}${stranded}, run ${d.runId.slice(0, 8)}, ${d.historyLength} events, ${task}, pending activities [${activities.join('; ')}], last events [${tail.join(' ')}]`;
  });
  return parts.join('; ');
}
