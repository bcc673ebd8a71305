import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { orderHandle, orderStatus } from '../../client/orders';
import { quotaUsageQuery, quotaWorkflowId, type QuotaUsage } from '../../domain/quota-api';
import { latePaymentWorkflowId } from '../../domain/late-payment';
import { testBuyerKey, type WorkflowStack } from '../support/temporal';
import { waitsOutRefundWindow, type OrderFacts, type QuotaFacts } from './invariants';
import { DAY, HOUR, MINUTE, type ModelState, type Real, skipTime } from './model';

// After the commands: time is driven forward until every order has ended, is stuck, or waits out its
// refund window; then everything the invariants read is gathered.

/** Skipped time between looks: minutes at first, for refunds and receipts, then hours, then days. */
const SETTLE_STEPS = [...Array<number>(6).fill(10 * MINUTE), ...Array<number>(24).fill(HOUR), ...Array<number>(12).fill(6 * HOUR)];
/** A query's deadline; one that runs out is asked again, twice at most (see `query`). */
const QUERY_DEADLINE_MS = 10_000;
const QUERY_ATTEMPTS = 3;

/**
 * Asks, and asks again when the deadline ran out. On the time-skipping test server a query to an order that
 * continues as new can go unanswered for good (the run it waited on closed under it; the same moment leaks a
 * lock on time, which the guard gives back). A 1,000-sequence run met it 3 times, each on an order continued
 * as new; each replays alone without it. A new query reaches the new run. Retries are reported on stderr.
 */
const query = async <T>(s: WorkflowStack, call: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await s.env.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, call);
    } catch (error) {
      if (attempt >= QUERY_ATTEMPTS || !deadlineExceeded(error)) throw error;
      console.error(`model: a query went unanswered for ${QUERY_DEADLINE_MS / 1000} s; asking again (attempt ${attempt + 1})`);
    }
  }
};

/** The gRPC status DEADLINE_EXCEEDED, in the error or its causes. */
function deadlineExceeded(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if ((e as { code?: unknown }).code === 4) return true;
  return false;
}

export async function settled(s: WorkflowStack, orderId: string): Promise<boolean> {
  const { status } = await query(s, () => orderHandle(s.env.client, orderId).describe());
  if (status.name !== 'RUNNING') return true;
  const st = await query(s, () => orderStatus(s.env.client, orderId));
  return st.stuck !== undefined || waitsOutRefundWindow(st);
}

/** Skips time, step by step, until every order of the sequence has settled or the steps run out. */
export async function settle(r: Real, m: ModelState): Promise<void> {
  for (const step of SETTLE_STEPS) {
    const open = [];
    for (const o of m.orders) if (!(await settled(r.s, o.orderId))) open.push(o.orderId);
    if (open.length === 0) return;
    await skipTime(r.s, step);
  }
  r.log.push(`settle: gave up after ${SETTLE_STEPS.reduce((a, b) => a + b, 0) / DAY} days of skipped time`);
}

/** The quota entity's id is keyed by an HMAC of the certificate, with the stack's test secret. */
export const buyerKey = testBuyerKey;

const TASK_FAILED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED;
/** Causes that are Temporal's own retry mechanics, not a workflow's failure. */
const BENIGN_CAUSES = new Set(['WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', 'WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE']);

type History = temporal.api.history.v1.IHistory;

function taskFailuresOf(history: History): string[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === TASK_FAILED)
    .map((e) => {
      const a = e.workflowTaskFailedEventAttributes;
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[a?.cause ?? 0];
      return `${cause}: ${a?.failure?.message ?? ''}`.slice(0, 300);
    })
    .filter((why) => ![...BENIGN_CAUSES].some((c) => why.startsWith(c)));
}

/** Replays each history against the stack's bundle; the error of each that does not replay, by workflow id. */
async function replayErrors(s: WorkflowStack, histories: { workflowId: string; history: History }[]): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  const results = Worker.runReplayHistories(
    { workflowBundle: s.workflowBundle, dataConverter: s.dataConverter, replayName: 'model' },
    histories,
  );
  for await (const r of results) if (r.error) errors.set(r.workflowId, String(r.error).slice(0, 500));
  return errors;
}

async function historyOf(s: WorkflowStack, handle: WorkflowHandle): Promise<History> {
  return query(s, () => handle.fetchHistory());
}

/** Everything the invariants read about one sequence. */
export async function gather(r: Real, m: ModelState): Promise<{ orders: OrderFacts[]; quotas: QuotaFacts[] }> {
  const { s } = r;
  const histories: { workflowId: string; history: History }[] = [];
  const orders: OrderFacts[] = [];
  for (const o of m.orders) {
    const handle = orderHandle(s.env.client, o.orderId);
    const history = await historyOf(s, handle);
    histories.push({ workflowId: handle.workflowId, history });
    orders.push({
      model: o,
      execution: (await query(s, () => handle.describe())).status.name,
      status: await query(s, () => orderStatus(s.env.client, o.orderId)),
      ledger: await s.f.helpers.ledgerOf(o.orderId),
      taskFailures: taskFailuresOf(history),
    });
  }
  const quotas: QuotaFacts[] = [];
  for (const year of new Set(m.orders.map((o) => o.year))) {
    const workflowId = quotaWorkflowId(buyerKey(r.buyer.certificateNo), year);
    const handle = s.env.client.workflow.getHandle(workflowId);
    let usage: QuotaUsage | undefined;
    let taskFailures: string[] = [];
    try {
      const history = await historyOf(s, handle);
      histories.push({ workflowId, history });
      taskFailures = taskFailuresOf(history);
      usage = await query(s, () => handle.query(quotaUsageQuery));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    quotas.push({ workflowId, year, usage, taskFailures });
  }
  const errors = await replayErrors(s, histories);
  for (const f of orders) f.replayError = errors.get(orderHandle(s.env.client, f.model.orderId).workflowId);
  for (const q of quotas) q.replayError = errors.get(q.workflowId);
  return { orders, quotas };
}

/**
 * Ends what the sequence left running once it is checked: its orders waiting out their refund windows or
 * stuck, the late-payment workflows and the buyer's quota entities. Left running, their timers would fire in
 * every later sequence's skipped time, and a long run would slow down sequence after sequence.
 */
export async function retire(r: Real, m: ModelState): Promise<void> {
  const years = new Set(m.orders.flatMap((o) => [o.year, o.year + 1]));
  const ids = [
    ...m.orders.flatMap((o) => [orderHandle(r.s.env.client, o.orderId).workflowId, latePaymentWorkflowId(o.orderId)]),
    ...[...years].map((y) => quotaWorkflowId(buyerKey(r.buyer.certificateNo), y)),
  ];
  for (const id of ids) {
    try {
      const handle = r.s.env.client.workflow.getHandle(id);
      await untilIdle(r.s, handle);
      await query(r.s, () => handle.terminate('the model sequence is checked'));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) r.log.push(`retire ${id}: ${String(error).slice(0, 200)}`);
    }
  }
}

/** How long `untilIdle` waits for a workflow's activities to end before it is terminated anyway. */
const IDLE_WAIT_MS = 3_000;

/**
 * A workflow terminated while a task of it is in flight leaks a lock on the test server's time
 * (test/support/time-lock-guard.ts), which costs the stack 45 s of real time to notice. A query waits for a
 * workflow task under way to finish; then the workflow's running activities are given a few seconds to end.
 */
async function untilIdle(s: WorkflowStack, handle: WorkflowHandle) {
  const { PENDING_ACTIVITY_STATE_STARTED, PENDING_ACTIVITY_STATE_SCHEDULED } = temporal.api.enums.v1.PendingActivityState;
  // Started, or scheduled for a first attempt: a later one may wait out its backoff, which holds no lock.
  const inFlight = (a: temporal.api.workflow.v1.IPendingActivityInfo) =>
    a.state === PENDING_ACTIVITY_STATE_STARTED || (a.state === PENDING_ACTIVITY_STATE_SCHEDULED && (a.attempt ?? 1) <= 1);
  const started = Date.now();
  try {
    await query(s, () => handle.query('__stack_trace'));
    for (;;) {
      const { status, raw } = await query(s, () => handle.describe());
      if (status.name !== 'RUNNING' || !(raw.pendingActivities ?? []).some(inFlight) || Date.now() - started > IDLE_WAIT_MS) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch {
    // A workflow that has ended or cannot be asked is terminated, or found gone, as before.
  }
}
