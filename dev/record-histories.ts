import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mainlandIdCheckDigit } from '../alipay-plus/identity';
import { cancelOrder, correctDeclaration, orderHandle, orderStatus, requestRefund, startOrder } from '../client/orders';
import type { OrderInput } from '../domain/order';
import type { OrderStatus } from '../domain/order-api';
import { quotaUsageQuery } from '../domain/quota-api';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../platform/paths';
import { startStack, type Stack } from './stack';

// `npm run record-histories [-- <path>... [--suffix -v2]]`: runs every main path of an order on the real
// stack (`temporal server start-dev`, sandbox, notify receiver, worker) and writes each workflow's history
// to test/histories/<path><suffix>.json, for the replay test. Payloads are encrypted with the committed,
// test-only keyring test/histories/payload-keys.txt, so the replay test can decrypt them.

const ROOT = projectRoot();
const HISTORIES = join(ROOT, 'test', 'histories');
const KEYS_FILE = join(HISTORIES, 'payload-keys.txt');
/** Alipay+ may adjust its 5-minute gap (seed 003); as in the demo, 30 s keeps the recording short. */
const RETRANSMIT_GAP_MS = 30_000;
const TIMEOUTS = { customsReviewDeadlineMs: 10 * 60_000, clearanceDeadlineMs: 10 * 60_000, retransmitGapMs: RETRANSMIT_GAP_MS };
const PATH_TIMEOUT_MS = 6 * 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const person = (seq: number, fullName: string) => {
  const first17 = `33010619900101${String(seq).padStart(3, '0')}`; // Hangzhou, born 1990-01-01
  return { fullName, certificateType: 'ID_CARD' as const, certificateNo: first17 + mainlandIdCheckDigit(first17) };
};
/** Every order has the same buyer, so one quota entity sees all of them: reservations, commits and releases. */
const BUYER = person(11, '王芳');
const OTHER_PAYER = person(19, '周杰');

async function helper(stack: Stack, path: string, body: unknown) {
  const res = await fetch(`${stack.sandboxUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
}

const pays = (stack: Stack, orderId: string, payer = BUYER) =>
  helper(stack, `/sandbox/payments/${orderId}/succeed`, { payer: { ...payer, realNameVerified: true } });

function order(suffix: string, over: Partial<OrderInput> = {}): OrderInput {
  return {
    orderId: `REPLAY-${suffix}`,
    currency: 'CNY',
    totalFen: 39_800,
    items: [{ sku: 'MILK-900', name: 'Infant milk powder 900g', quantity: 2, unitPriceFen: 19_900 }],
    buyer: BUYER,
    customs: { district: 'Hangzhou', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    logistics: { carrier: 'SF Express', waybillNo: `SF${suffix}` },
    ...over,
  };
}

/** Polls the status query until `done` holds; fails with the last status after PATH_TIMEOUT_MS. */
async function until(client: Client, orderId: string, what: string, done: (s: OrderStatus) => boolean): Promise<OrderStatus> {
  const deadline = Date.now() + PATH_TIMEOUT_MS;
  let last: OrderStatus | undefined;
  for (;;) {
    last = await orderStatus(client, orderId).catch(() => last);
    if (last && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`${orderId} did not reach ${what}; last status ${JSON.stringify(last)}`);
    await sleep(1_000);
  }
}

interface RecordedPath {
  name: string;
  /** Starts the order and drives it to the end state of its path; returns the status there. */
  run(stack: Stack): Promise<OrderStatus>;
  orderId: string;
}

function paths(): RecordedPath[] {
  const released = (s: OrderStatus) => s.stage === 'RELEASED_FOR_DELIVERY';
  const start = (stack: Stack, input: OrderInput) => startOrder(stack.client, input, { taskQueue: stack.taskQueue, timeouts: TIMEOUTS });
  const simple = (name: string, input: OrderInput, act: (stack: Stack) => Promise<void>, what: string, done: (s: OrderStatus) => boolean): RecordedPath => ({
    name,
    orderId: input.orderId,
    run: async (stack) => {
      await start(stack, input);
      await act(stack);
      return until(stack.client, input.orderId, what, done);
    },
  });

  const cleared = order('CLEARED');
  const split = order('SPLIT', {
    totalFen: 59_700,
    items: [
      { sku: 'MILK-900', name: 'Infant milk powder 900g', quantity: 1, unitPriceFen: 19_900 },
      { sku: 'VIT-C', name: 'Vitamin C 120 tablets', quantity: 2, unitPriceFen: 19_900 },
    ],
    customs: { district: 'NINGBO', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    splitParts: [
      { referenceOrderId: 'REPLAY-SPLIT-P1', amountFen: 19_900 },
      { referenceOrderId: 'REPLAY-SPLIT-P2', amountFen: 39_800 },
    ],
  });
  const corrected = order('CORRECTED', {
    customs: { district: 'SHANGHAI_CBT', merchantCustomsCode: 'MC-OLD', merchantCustomsName: 'Example Merchant Ltd' },
  });
  const mismatch = order('MISMATCH');
  const expired = order('EXPIRED', { paymentExpiryMinutes: 1 });
  const cancelled = order('CANCELLED');
  const refunded = order('PARTIAL-REFUND');

  return [
    simple('cleared', cleared, (s) => pays(s, cleared.orderId), 'RELEASED_FOR_DELIVERY', released),
    simple('split', split, (s) => pays(s, split.orderId), 'RELEASED_FOR_DELIVERY', released),
    {
      name: 'rejected-corrected-retransmitted',
      orderId: corrected.orderId,
      run: async (stack) => {
        await helper(stack, '/sandbox/customs/rules', {
          orders: {
            [corrected.orderId]: {
              outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code MC-OLD is not registered at SHANGHAI_CBT' }, { decision: 'ACCEPT' }],
              processingAfterMs: 2_000,
              decisionAfterMs: 5_000,
            },
          },
        });
        await start(stack, corrected);
        await pays(stack, corrected.orderId);
        const rejected = await until(stack.client, corrected.orderId, 'a declaration awaiting correction', (s) => s.declarations[0]?.status === 'AWAITING_CORRECTION');
        await correctDeclaration(stack.client, corrected.orderId, {
          declarationId: rejected.declarations[0]!.declarationId,
          merchantCustomsCode: 'MC-0001',
          operator: 'replay-operator',
          reason: 'the registered merchant customs code is MC-0001',
        });
        return until(stack.client, corrected.orderId, 'RELEASED_FOR_DELIVERY', released);
      },
    },
    simple('identity-mismatch-refunded', mismatch, (s) => pays(s, mismatch.orderId, OTHER_PAYER), 'REFUNDED', (s) => s.stage === 'REFUNDED'),
    simple('expired-cancelled', expired, async () => undefined, 'CANCELLED', (s) => s.stage === 'CANCELLED'),
    {
      name: 'cancelled-in-customs-review',
      orderId: cancelled.orderId,
      run: async (stack) => {
        // Customs takes its time with this one, so the operator cancels it while it is under review.
        await helper(stack, '/sandbox/customs/rules', {
          orders: { [cancelled.orderId]: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 2_000, decisionAfterMs: 30 * 60_000 } },
        });
        await start(stack, cancelled);
        await pays(stack, cancelled.orderId);
        await until(stack.client, cancelled.orderId, 'a customs review that was polled', (s) => s.stage === 'CUSTOMS_REVIEW' && s.declarations[0]?.status === 'IN_PROCESS');
        return cancelOrder(stack.client, cancelled.orderId, { operator: 'replay-operator', reason: 'the buyer withdrew the order before customs decided' });
      },
    },
    {
      name: 'partial-refund-after-release',
      orderId: refunded.orderId,
      run: async (stack) => {
        await start(stack, refunded);
        await pays(stack, refunded.orderId);
        await until(stack.client, refunded.orderId, 'RELEASED_FOR_DELIVERY', released);
        await requestRefund(stack.client, refunded.orderId, { amountFen: 19_900, reason: 'one tin arrived damaged', requestedBy: 'support-agent' });
        return until(stack.client, refunded.orderId, 'a succeeded refund', (s) => s.refunds.some((r) => r.status === 'SUCCEEDED'));
      },
    },
  ];
}

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

function write(name: string, history: History): { events: number; bytes: number } {
  const json = historyToJSON(history);
  writeFileSync(join(HISTORIES, `${name}.json`), json);
  return { events: history.events?.length ?? 0, bytes: Buffer.byteLength(json) };
}

async function main() {
  const { values, positionals } = parseArgs({ options: { suffix: { type: 'string', default: '' } }, allowPositionals: true });
  const all = paths();
  const known = [...all.map((p) => p.name), 'buyer-quota'];
  const unknown = positionals.filter((p) => !known.includes(p));
  if (unknown.length > 0) throw new Error(`unknown path(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const chosen = positionals.length === 0 ? all : all.filter((p) => positionals.includes(p.name));
  const withQuota = positionals.length === 0 || positionals.includes('buyer-quota');

  console.log(`Recording ${chosen.map((p) => p.name).concat(withQuota ? ['buyer-quota'] : []).join(', ')} into ${HISTORIES}`);
  const stack = await startStack({
    logDir: mkdtempSync(join(tmpdir(), 'alipay-record-histories-')),
    retransmitGapMs: RETRANSMIT_GAP_MS,
    payloadKeysFile: KEYS_FILE,
  });
  let failed = false;
  try {
    await helper(stack, '/sandbox/customs/rules', {
      default: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 2_000, decisionAfterMs: 5_000 },
      clearance: { default: { decision: 'RELEASE', afterMs: 3_000 } },
    });
    // The paths run side by side; each order is exported as soon as its path has reached its end state.
    const results = await Promise.allSettled(
      chosen.map(async (p) => {
        const st = await p.run(stack);
        const { events, bytes } = write(`${p.name}${values.suffix}`, await settledHistory(orderHandle(stack.client, p.orderId)));
        console.log(`${(p.name + values.suffix).padEnd(34)} ${st.stage.padEnd(22)} ${String(events).padStart(4)} events  ${(bytes / 1024).toFixed(0).padStart(4)} KiB`);
        return st;
      }),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        failed = true;
        console.error(`${chosen[i]!.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      }
    });

    if (withQuota && !failed) {
      // The buyer's quota entity: every order above reserved in it, then committed or released.
      const committed = results
        .map((r) => (r.status === 'fulfilled' ? r.value : undefined))
        .filter((s) => s?.stage === 'RELEASED_FOR_DELIVERY')
        .reduce((sum, s) => sum + s!.totalFen, 0);
      const id = await quotaWorkflowIdOf(stack.client);
      const handle = stack.client.workflow.getHandle(id);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const u = await handle.query(quotaUsageQuery);
        if (u.reservedFen === 0 && u.committedFen === committed) break;
        if (Date.now() > deadline) throw new Error(`the quota ${id} never settled: ${JSON.stringify(u)}, expected ${committed} fen committed`);
        await sleep(500);
      }
      const { events, bytes } = write(`buyer-quota${values.suffix}`, await settledHistory(handle));
      console.log(`${`buyer-quota${values.suffix}`.padEnd(34)} ${'RUNNING'.padEnd(22)} ${String(events).padStart(4)} events  ${(bytes / 1024).toFixed(0).padStart(4)} KiB`);
    }
  } finally {
    await stack.stop();
  }
  if (failed) {
    console.error('Some paths were not recorded; see the errors above.');
    process.exit(1);
  }
  process.exit(0);
}

/** The one buyerQuotaWorkflow of this run (all orders share a buyer); visibility may take a moment. */
async function quotaWorkflowIdOf(client: Client): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: "WorkflowType = 'buyerQuotaWorkflow'" })) ids.push(wf.workflowId);
    if (ids.length === 1) return ids[0]!;
    if (ids.length > 1) throw new Error(`expected one buyer quota workflow, found ${ids.join(', ')}`);
    if (Date.now() > deadline) throw new Error('no buyer quota workflow is listed');
    await sleep(1_000);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
