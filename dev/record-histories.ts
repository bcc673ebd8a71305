import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { quotaActivities } from '../activities/quota';
import { orderHandle, startOrder } from '../client/orders';
import { customsYear } from '../domain/limits';
import { quotaUsageQuery, quotaWorkflowId } from '../domain/quota-api';
import { projectRoot } from '../platform/paths';
import { reconciliationWorkflowId } from '../domain/reconciliation';
import { payerOf, person, sampleOrder } from './scenarios/orders';
import { reconcileToday } from './scenarios/reconciliation';
import { waitForStatus } from './scenarios/wait-for-status';
import { ALL_SCENARIOS } from './scenarios/paths';
import { parseOrder, quotaAmountFen } from '../domain/order';
import { LOCAL_REFUND_SETTLE_DELAY_MS, LOCAL_RETRANSMIT_GAP_MS, LOCAL_TIMEOUTS, QUICK_CUSTOMS, scenarioRun, sleep } from './scenarios/run';
import { startStack, type Stack } from './stack';

// `npm run record-histories [-- <path>... [--suffix -v2]]`: runs every main path of an order
// (dev/scenarios/paths.ts) on the real stack (`temporal server start-dev`, sandbox, notify receiver,
// worker) and writes each workflow's history to test/histories/<path><suffix>.json, for the replay test.
// Payloads are encrypted with the committed, test-only keyring test/histories/payload-keys.txt, so the
// replay test can decrypt them.

const ROOT = projectRoot();
const HISTORIES = join(ROOT, 'test', 'histories');
const KEYS_FILE = join(HISTORIES, 'payload-keys.txt');
const PATH_TIMEOUT_MS = 6 * 60_000;

/** Every order but the passport holder's has the same buyer, so one quota entity sees all of them: reservations, commits and releases. */
const BUYER = person(11, '王芳');
const OTHER_PAYER = person(19, '周杰');
const OPERATOR = 'replay-operator';
const PREFIX = 'REPLAY-';
/** The paths recorded: all but the demo's order that is left for an operator. */
const RECORDED = ALL_SCENARIOS.filter((s) => !s.demoOnly);

const EventType = temporal.api.enums.v1.EventType;
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/**
 * The history once the workflow has nothing in flight: no workflow task and no activity pending, and a
 * last event that is not a workflow task still being worked on. A running workflow gives a partial
 * history, which replays just as well.
 */
async function settledHistory(handle: WorkflowHandle): Promise<History> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await handle.describe();
    const busy = d.status.name === 'RUNNING' && (d.raw.pendingWorkflowTask != null || (d.raw.pendingActivities?.length ?? 0) > 0);
    if (!busy) {
      const history = await handle.fetchHistory();
      const last = history.events?.at(-1)?.eventType;
      if (last !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED && last !== EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) return history;
    }
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} did not settle within 60 s`);
    await sleep(500);
  }
}

/** The histories of the runs an order continued as new from, first run first. */
async function earlierRuns(stack: Stack, orderId: string, latest: History): Promise<History[]> {
  const runs: History[] = [];
  let runId = latest.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
  while (runId) {
    const history = await stack.client.workflow.getHandle(`order-${orderId}`, runId).fetchHistory();
    runs.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
  }
  return runs;
}

function write(name: string, history: History): { events: number; bytes: number } {
  const json = historyToJSON(history);
  writeFileSync(join(HISTORIES, `${name}.json`), json);
  return { events: history.events?.length ?? 0, bytes: Buffer.byteLength(json) };
}

/** A reconciliation of today, last: it moves the sandbox clock past midnight. One order of its own is told of an issue. */
async function recordReconciliation(stack: Stack, suffix: string) {
  const buyer = person(12, '李娜');
  const order = sampleOrder({ buyer, prefix: PREFIX, name: 'RECONCILED' });
  await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: LOCAL_TIMEOUTS });
  await stack.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStatus(stack.client, order.orderId, 'paid', (s) => s.payment.status === 'SUCCESS', { intervalMs: 250, timeoutMs: 60_000 });
  const report = await reconcileToday(stack, async (files, date) => {
    await files.unknownPayment(date, 4_200);
    await files.alter(order.orderId, { transactionAmountValue: '1' });
  });
  const recorded = [
    { name: `reconciliation${suffix}`, handle: stack.client.workflow.getHandle(reconciliationWorkflowId(report.date)) },
    // The order told of the issue: its signal handler upserts ReconciliationIssue.
    { name: `reconciliation-flagged-order${suffix}`, handle: orderHandle(stack.client, order.orderId) },
  ];
  for (const { name, handle } of recorded) {
    const { events, bytes } = write(name, await settledHistory(handle));
    console.log(
      `${name.padEnd(34)} ${`${report.issues.length} issue(s)`.padEnd(22)} ${String(events).padStart(4)} events  ${(bytes / 1024).toFixed(0).padStart(4)} KiB`,
    );
  }
}

async function main() {
  const { values, positionals } = parseArgs({ options: { suffix: { type: 'string', default: '' } }, allowPositionals: true });
  const known = [...RECORDED.map((p) => p.name), 'buyer-quota', 'reconciliation'];
  const unknown = positionals.filter((p) => !known.includes(p));
  if (unknown.length > 0) throw new Error(`unknown path(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const chosen = positionals.length === 0 ? RECORDED : RECORDED.filter((p) => positionals.includes(p.name));
  const withQuota = positionals.length === 0 || positionals.includes('buyer-quota');
  const withReconciliation = positionals.length === 0 || positionals.includes('reconciliation');

  console.log(
    `Recording ${chosen
      .map((p) => p.name)
      .concat(withQuota ? ['buyer-quota'] : [])
      .concat(withReconciliation ? ['reconciliation'] : [])
      .join(', ')} into ${HISTORIES}`,
  );
  const stack = await startStack({
    logDir: mkdtempSync(join(tmpdir(), 'alipay-record-histories-')),
    retransmitGapMs: LOCAL_RETRANSMIT_GAP_MS,
    refundSettleDelayMs: LOCAL_REFUND_SETTLE_DELAY_MS,
    payloadKeysFile: KEYS_FILE,
  });
  let failed = false;
  try {
    await stack.helpers.customsRules(QUICK_CUSTOMS);
    const run = scenarioRun(stack, {
      operator: OPERATOR,
      otherPayer: OTHER_PAYER,
      timeouts: LOCAL_TIMEOUTS,
      waitTimeoutMs: PATH_TIMEOUT_MS,
    });
    // The paths run side by side; each order is exported as soon as its path has reached its end state.
    const results = await Promise.allSettled(
      chosen.map(async (p) => {
        const order = p.input(PREFIX, BUYER);
        const st = await p.drive(run, order);
        const latest = await settledHistory(orderHandle(stack.client, order.orderId));
        const { events, bytes } = write(`${p.name}${values.suffix}`, latest);
        // An order that continued as new: the runs before the latest are written as <name>-run<k>, first run first.
        const earlier = await earlierRuns(stack, order.orderId, latest);
        earlier.forEach((h, k) => write(`${p.name}-run${k + 1}${values.suffix}`, h));
        console.log(
          `${(p.name + values.suffix).padEnd(34)} ${st.stage.padEnd(22)} ${String(events).padStart(4)} events  ${(bytes / 1024).toFixed(0).padStart(4)} KiB`,
        );
        // An order of another buyer reserves in another quota entity than the one recorded as buyer-quota.
        return { st, order, otherBuyer: order.buyer.certificateNo !== BUYER.certificateNo };
      }),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        failed = true;
        console.error(`${chosen[i].name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      }
    });

    if (withQuota && !failed) {
      // The buyer's quota entity: every order above reserved in it, then committed or released.
      // Each counts its dutiable value (goods and freight), less what returns gave back.
      const committed = results
        .map((r) => (r.status === 'fulfilled' && !r.value.otherBuyer ? r.value : undefined))
        .filter((r) => r?.st.stage === 'RELEASED_FOR_DELIVERY')
        .reduce((sum, r) => {
          const givenBack = (r!.st.returns ?? []).filter((x) => x.quotaGivenBack).reduce((a, x) => a + x.quotaFen, 0);
          // A split order's parts that were not delivered are not counted (docs/money-and-quota.md).
          const notDelivered = (r!.st.customs ?? []).reduce((a, c) => a + (c.settlement?.quotaFen ?? 0), 0);
          return sum + quotaAmountFen(parseOrder(r!.order, { customsMessages: true }), true) - givenBack - notDelivered;
        }, 0);
      const id = await quotaWorkflowIdOf(stack);
      const handle = stack.client.workflow.getHandle(id);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const u = await handle.query(quotaUsageQuery);
        if (u.reservedFen === 0 && u.committedFen === committed) break;
        if (Date.now() > deadline)
          throw new Error(`the quota ${id} never settled: ${JSON.stringify(u)}, expected ${committed} fen committed`);
        await sleep(500);
      }
      const { events, bytes } = write(`buyer-quota${values.suffix}`, await settledHistory(handle));
      console.log(
        `${`buyer-quota${values.suffix}`.padEnd(34)} ${'RUNNING'.padEnd(22)} ${String(events).padStart(4)} events  ${(bytes / 1024).toFixed(0).padStart(4)} KiB`,
      );
    }
    if (withReconciliation && !failed) await recordReconciliation(stack, values.suffix ?? '');
  } finally {
    await stack.stop();
  }
  if (failed) {
    console.error('Some paths were not recorded; see the errors above.');
    process.exit(1);
  }
  process.exit(0);
}

/** BUYER's buyerQuotaWorkflow, keyed as the worker keys it, with the stack's buyer key secret. */
async function quotaWorkflowIdOf(stack: Stack): Promise<string> {
  const buyerKeySecret = readFileSync(join(ROOT, '.dev', 'buyer-key-secret'), 'utf8').trim();
  const buyerKey = await quotaActivities({ temporal: stack.client, quotaTaskQueue: '', buyerKeySecret }).buyerQuotaKey(BUYER);
  return quotaWorkflowId(buyerKey, customsYear(Date.now()));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
