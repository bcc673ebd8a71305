import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { quotaActivities } from '../../activities/quota';
import { orderHandle } from '../../client/orders';
import { customsYear } from '../../domain/limits';
import type { Stage } from '../../domain/order-api';
import { quotaWorkflowId } from '../../domain/quota-api';
import { person } from '../scenarios/orders';
import { scenariosNamed } from '../scenarios/paths';
import { LOCAL_TIMEOUTS, scenarioRun, sleep } from '../scenarios/run';
import type { Stack } from '../stack';
import { countActions, type ActionCount } from './actions';
import { costPathBuyer } from './orders';

// Cost per order: one order of each path, driven as dev/scenarios/paths.ts drives it, on the bench's
// stack; then its real history, and its quota entity's, counted by Temporal Cloud's billing rules.
// Each order has a buyer of its own, so its quota entity's history holds only this order's reservation.

export const COST_PATHS = [
  { path: 'happy', scenario: 'cleared' },
  { path: 'split', scenario: 'split' },
  { path: 'corrected', scenario: 'rejected-corrected-retransmitted' },
  { path: 'refunded (clearance rejected)', scenario: 'clearance-rejected-refunded' },
  { path: 'refunded (partly, after release)', scenario: 'partial-refund-after-release' },
] as const;

export interface CostPathResult {
  path: string;
  scenario: string;
  orderId: string;
  stage?: Stage;
  error?: string;
  order?: ActionCount;
  quota?: ActionCount;
  /**
   * The order's share of its quota entity's Actions: the entity's Actions without its start and its patch
   * markers, which come once per buyer and year (or entity run), not once per order.
   */
  quotaShare?: number;
  /** The order's Actions plus its quota share. */
  actionsPerOrder?: number;
}

export interface CostDrive {
  path: string;
  scenario: string;
  orderId: string;
  buyer: ReturnType<typeof costPathBuyer>;
  done: Promise<{ stage?: Stage; error?: string }>;
}

/** Starts one order of each path; each drive goes on in the background while the bench measures. */
export function startCostPaths(stack: Stack, prefix: string): CostDrive[] {
  const run = scenarioRun(stack, {
    operator: 'bench-operator',
    otherPayer: person(989, '周杰'),
    timeouts: LOCAL_TIMEOUTS,
    waitTimeoutMs: 4 * 60_000,
  });
  const scenarios = scenariosNamed(COST_PATHS.map((p) => p.scenario));
  return COST_PATHS.map(({ path, scenario }, i) => {
    const buyer = costPathBuyer(i);
    const order = scenarios[i].input(prefix, buyer);
    const done = scenarios[i].drive(run, order).then(
      (s) => ({ stage: s.stage }),
      (error: unknown) => ({ error: (error as Error).message.slice(0, 300) }),
    );
    return { path, scenario, orderId: order.orderId, buyer, done };
  });
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
const EventType = temporal.api.enums.v1.EventType;

/** The history once nothing is in flight: no workflow task or activity pending. */
export async function settledHistory(handle: WorkflowHandle): Promise<History> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await handle.describe();
    const busy = d.status.name === 'RUNNING' && (d.raw.pendingWorkflowTask != null || (d.raw.pendingActivities?.length ?? 0) > 0);
    const history = await handle.fetchHistory();
    const last = history.events?.at(-1)?.eventType;
    const taskOpen = last === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || last === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED;
    if ((!busy && !taskOpen) || Date.now() > deadline) return history;
    await sleep(500);
  }
}

/** Waits for the drives (at most `timeoutMs`), then counts each order's history and its quota entity's. */
export async function costOf(stack: Stack, drives: CostDrive[], timeoutMs: number, historiesDir: string): Promise<CostPathResult[]> {
  mkdirSync(historiesDir, { recursive: true });
  const quota = quotaActivities({
    temporal: stack.client,
    quotaTaskQueue: '',
    buyerKeySecret: readFileSync(stack.buyerKeySecretFile, 'utf8').trim(),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ error: `not at the end of its path within ${timeoutMs / 1000} s` }), timeoutMs);
  });
  const slug = (path: string) => path.replace(/[^a-z]+/g, '-').replace(/-$/, '');
  const results = await Promise.all(
    drives.map(async (d): Promise<CostPathResult> => {
      const outcome = await Promise.race([d.done, timedOut]);
      const result: CostPathResult = { path: d.path, scenario: d.scenario, orderId: d.orderId, ...outcome };
      try {
        const history = await settledHistory(orderHandle(stack.client, d.orderId));
        const quotaId = quotaWorkflowId(await quota.buyerQuotaKey(d.buyer), customsYear(Date.now()));
        const quotaHistory = await settledHistory(stack.client.workflow.getHandle(quotaId));
        writeFileSync(join(historiesDir, `${slug(d.path)}.json`), historyToJSON(history));
        writeFileSync(join(historiesDir, `${slug(d.path)}-quota.json`), historyToJSON(quotaHistory));
        result.order = countActions(history.events ?? []);
        result.quota = countActions(quotaHistory.events ?? []);
        result.quotaShare = result.quota.actions - result.quota.byKind.workflowStarted - result.quota.byKind.markers;
        result.actionsPerOrder = result.order.actions + result.quotaShare;
      } catch (error) {
        result.error = [result.error, (error as Error).message].filter(Boolean).join('; ');
      }
      return result;
    }),
  );
  clearTimeout(timer);
  return results;
}

/** The Actions and events of a few orders of a load phase, as a check on the happy path's one order. */
export async function sampledOrderCosts(stack: Stack, orderIds: string[]): Promise<{ orderId: string; count: ActionCount }[]> {
  return Promise.all(
    orderIds.map(async (orderId) => ({
      orderId,
      count: countActions((await settledHistory(orderHandle(stack.client, orderId))).events ?? []),
    })),
  );
}
