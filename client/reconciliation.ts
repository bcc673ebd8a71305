import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { RECONCILIATION_SCHEDULE_ID, dayBounds, reconciliationWorkflowId } from '../domain/reconciliation';
import type { reconciliationWorkflow } from '../workflows/reconciliation';
import type { ReconciliationReport } from '../workflows/reconciliation/report';

// The daily reconciliation, from the operator's side: the schedule that starts it each night for the day
// before, and a run for any day. The worker creates the schedule at start (RECONCILIATION_SCHEDULE=daily);
// `orders reconciliation schedule create` does the same from a shell. Both leave an existing schedule as
// it is, so an operator's pause or changed time stands.

/** When the schedule starts its run: 02:00 UTC, after Alipay+ has published the day before's file (T+1). */
export const RECONCILIATION_AT = { hour: 2, minute: 0 };

/** Creates the daily schedule unless it exists; answers whether it created it. */
export async function ensureReconciliationSchedule(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: RECONCILIATION_SCHEDULE_ID,
      spec: { calendars: [{ hour: RECONCILIATION_AT.hour, minute: RECONCILIATION_AT.minute, comment: 'daily, for the day before' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconciliationWorkflow',
        // The schedule appends the scheduled time to this id; the run reconciles the day before that time.
        workflowId: 'reconciliation-scheduled',
        taskQueue,
        args: [{}],
        staticSummary: "Daily reconciliation against Alipay+'s transaction file of the day before",
      },
      // Each run is a different day: a late one (the file not yet published) does not hold the next back.
      policies: { overlap: 'ALLOW_ALL', catchupWindow: '3 days' },
      state: { note: 'created by the orchestrator; pause with `orders reconciliation schedule pause`' },
    });
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}

export function describeReconciliationSchedule(client: Client): Promise<ScheduleDescription | undefined> {
  return client.schedule
    .getHandle(RECONCILIATION_SCHEDULE_ID)
    .describe()
    .catch((error: unknown) => {
      if (error instanceof ScheduleNotFoundError) return undefined;
      throw error;
    });
}

export async function pauseReconciliationSchedule(client: Client, note: string): Promise<void> {
  await client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).pause(note);
}

export async function unpauseReconciliationSchedule(client: Client, note: string): Promise<void> {
  await client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).unpause(note);
}

/**
 * Reconciles one day now and answers its report. One run per day at a time: a second call while it runs
 * joins it; after it ended, a new run starts (the file or the orders may have changed since).
 */
export async function runReconciliation(client: Client, taskQueue: string, date: string): Promise<ReconciliationReport> {
  dayBounds(date); // refuses a malformed date before anything starts
  const handle = await client.workflow.start<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    workflowId: reconciliationWorkflowId(date),
    taskQueue,
    args: [{ date }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `Reconciliation of ${date} against Alipay+'s transaction file`,
  });
  return handle.result();
}
