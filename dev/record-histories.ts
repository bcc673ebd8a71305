import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { quotaActivities } from '../activities/quota';
import { mainlandIdCheckDigit } from '../domain/identity';
import { cancelOrder, correctDeclaration, orderHandle, orderStatus, pollNow, requestRefund, reviewRealName, startOrder } from '../client/orders';
import { customsYear } from '../domain/limits';
import type { OrderInput } from '../domain/order';
import type { OrderStatus } from '../domain/order-api';
import { quotaUsageQuery, quotaWorkflowId } from '../domain/quota-api';
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
/** Every order but the passport holder's has the same buyer, so one quota entity sees all of them: reservations, commits and releases. */
const BUYER = person(11, '王芳');
const OTHER_PAYER = person(19, '周杰');
/**
 * A passport has no check digit, so its holder's orders wait for an operator's manual real-name review.
 * The passport paths are the only orders of another buyer, with a quota entity of their own that is not recorded.
 */
const PASSPORT_BUYER = { fullName: 'TANAKA YUI', certificateType: 'PASSPORT' as const, certificateNo: 'TZ7310462' };
const OPERATOR = 'replay-operator';

async function helper(stack: Stack, path: string, body: unknown) {
  const res = await fetch(`${stack.sandboxUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
}

/** The sandbox's notification deliveries, from its ledger. */
async function deliveriesOf(stack: Stack, orderId: string): Promise<{ attempts: { outcome: string }[] }[]> {
  const res = await fetch(`${stack.sandboxUrl}/sandbox/ledger`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`/sandbox/ledger: HTTP ${res.status} ${await res.text()}`);
  const ledger = (await res.json()) as { notifications: { paymentRequestId: string; attempts: { outcome: string }[] }[] };
  return ledger.notifications.filter((n) => n.paymentRequestId === orderId);
}

/**
 * The sandbox's notification faults apply to every payment, so the buyers pay one at a time, each until
 * Alipay+ has made the first attempt to notify the payment: a path that drops its notification drops no other's.
 */
let payTurn: Promise<unknown> = Promise.resolve();
function pays(stack: Stack, orderId: string, payer: OrderInput['buyer'] = BUYER, how: { realNameVerified?: boolean; dropNotification?: boolean } = {}) {
  const turn = payTurn.then(async () => {
    if (how.dropNotification) await helper(stack, '/sandbox/faults', { dropNotificationRate: 1 });
    try {
      await helper(stack, `/sandbox/payments/${orderId}/succeed`, { payer: { ...payer, realNameVerified: how.realNameVerified ?? true } });
      const deadline = Date.now() + 60_000;
      while (!(await deliveriesOf(stack, orderId)).some((d) => d.attempts.length > 0)) {
        if (Date.now() > deadline) throw new Error(`Alipay+ did not try to notify the payment of ${orderId}`);
        await sleep(200);
      }
    } finally {
      if (how.dropNotification) await helper(stack, '/sandbox/faults', {});
    }
  });
  payTurn = turn.catch(() => undefined);
  return turn;
}

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
  /** The order is not BUYER's, so it reserves in another quota entity than the one recorded as buyer-quota. */
  otherBuyer?: boolean;
}

function paths(): RecordedPath[] {
  const released = (s: OrderStatus) => s.stage === 'RELEASED_FOR_DELIVERY';
  const compensated = (s: OrderStatus) => s.stage === 'REFUNDED';
  const start = (stack: Stack, input: OrderInput) => startOrder(stack.client, input, { taskQueue: stack.taskQueue, timeouts: TIMEOUTS });
  const path = (name: string, input: OrderInput, run: (stack: Stack) => Promise<OrderStatus>): RecordedPath => ({
    name,
    orderId: input.orderId,
    otherBuyer: input.buyer !== BUYER,
    run,
  });
  const simple = (name: string, input: OrderInput, act: (stack: Stack) => Promise<void>, what: string, done: (s: OrderStatus) => boolean): RecordedPath => ({
    name,
    orderId: input.orderId,
    otherBuyer: input.buyer !== BUYER,
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
  const passportApproved = order('PASSPORT-APPROVED', { buyer: PASSPORT_BUYER });
  const passportRejected = order('PASSPORT-REJECTED', { buyer: PASSPORT_BUYER });
  const notVerified = order('NOT-VERIFIED');
  const clearanceRejected = order('CLEARANCE-REJECTED');
  const autoRetransmitted = order('AUTO-RETRANSMIT');
  const declareRefused = order('DECLARE-REFUSED', {
    customs: { district: 'ZHENGZHOU', merchantCustomsCode: 'MC-OLD', merchantCustomsName: 'Example Merchant Ltd' },
  });
  const byInquiry = order('BY-INQUIRY');
  /** The passport holder pays, then waits for the operator's review, who decides it. */
  const reviewed = (input: OrderInput, approved: boolean, what: string, done: (s: OrderStatus) => boolean) => async (stack: Stack) => {
    await start(stack, input);
    await pays(stack, input.orderId, PASSPORT_BUYER);
    await until(stack.client, input.orderId, 'the manual real-name review', (s) => s.stage === 'REAL_NAME_REVIEW');
    await reviewRealName(stack.client, input.orderId, {
      operator: OPERATOR,
      approved,
      reason: approved ? 'the passport photo and name match the buyer' : 'the passport scan does not match the buyer',
    });
    return until(stack.client, input.orderId, what, done);
  };

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
    path('passport-review-approved', passportApproved, reviewed(passportApproved, true, 'RELEASED_FOR_DELIVERY', released)),
    path('passport-review-rejected-refunded', passportRejected, reviewed(passportRejected, false, 'REFUNDED', compensated)),
    simple('payer-not-verified-refunded', notVerified, (s) => pays(s, notVerified.orderId, BUYER, { realNameVerified: false }), 'REFUNDED', compensated),
    path('clearance-rejected-refunded', clearanceRejected, async (stack) => {
      await helper(stack, '/sandbox/customs/rules', {
        clearance: { orders: { [clearanceRejected.orderId]: { decision: 'REJECT', reason: 'inspection found goods that do not match the order document', afterMs: 3_000 } } },
      });
      await start(stack, clearanceRejected);
      await pays(stack, clearanceRejected.orderId);
      return until(stack.client, clearanceRejected.orderId, 'REFUNDED', compensated);
    }),
    path('auto-retransmitted', autoRetransmitted, async (stack) => {
      // Customs lacks the payment data the first time: the workflow retransmits by itself after the gap.
      await helper(stack, '/sandbox/customs/rules', {
        orders: {
          [autoRetransmitted.orderId]: {
            outcomes: [{ decision: 'REJECT', code: '100', description: 'the payment data was not received from the payment company' }, { decision: 'ACCEPT' }],
            processingAfterMs: 2_000,
            decisionAfterMs: 5_000,
          },
        },
      });
      await start(stack, autoRetransmitted);
      await pays(stack, autoRetransmitted.orderId);
      const st = await until(stack.client, autoRetransmitted.orderId, 'RELEASED_FOR_DELIVERY', released);
      if (st.declarations[0]?.attempts !== 2) throw new Error(`${autoRetransmitted.orderId} was declared ${st.declarations[0]?.attempts} time(s), not 2`);
      return st;
    }),
    path('declare-refused-corrected', declareRefused, async (stack) => {
      // Alipay+ may lengthen its retransmission gap. This order still uses a gap of 5 s, shorter than the
      // sandbox's 30 s, so Alipay+ refuses (F REPEAT_REQ_INCONSISTENT) the corrected declaration the
      // workflow retransmits: DECLARE_REFUSED. The operator corrects again once Alipay+'s gap has passed.
      const id = declareRefused.orderId;
      await helper(stack, '/sandbox/customs/rules', {
        orders: {
          [id]: {
            outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code MC-OLD is not registered at ZHENGZHOU' }, { decision: 'ACCEPT' }],
            processingAfterMs: 500,
            decisionAfterMs: 1_500,
          },
        },
      });
      await startOrder(stack.client, declareRefused, { taskQueue: stack.taskQueue, timeouts: { ...TIMEOUTS, retransmitGapMs: 5_000 } });
      await pays(stack, id);
      await until(stack.client, id, 'CUSTOMS_REVIEW', (s) => s.stage === 'CUSTOMS_REVIEW');
      await sleep(2_000); // customs has decided; the operator does not wait for the first poll
      await pollNow(stack.client, id, { operator: OPERATOR, reason: 'customs has answered; check the declaration now' });
      const rejected = await until(stack.client, id, 'a declaration awaiting correction', (s) => s.declarations[0]?.status === 'AWAITING_CORRECTION');
      const declarationId = rejected.declarations[0]!.declarationId;
      await correctDeclaration(stack.client, id, {
        declarationId,
        merchantCustomsCode: 'MC-0001',
        operator: OPERATOR,
        reason: 'the registered merchant customs code is MC-0001',
      });
      const refused = await until(stack.client, id, 'a refused retransmission', (s) => s.stuck?.code === 'DECLARE_REFUSED' || s.declarations[0]!.attempts > 1);
      if (refused.stuck?.code !== 'DECLARE_REFUSED') throw new Error(`Alipay+ did not refuse the early retransmission of ${declarationId}: ${JSON.stringify(refused.declarations[0])}`);
      // Alipay+'s gap counts from its last accepted call, which a refused call does not move.
      await sleep(Math.max(0, Date.parse(refused.declarations[0]!.lastCallAt!) + RETRANSMIT_GAP_MS + 2_000 - Date.now()));
      await correctDeclaration(stack.client, id, {
        declarationId,
        merchantCustomsCode: 'MC-0001',
        operator: OPERATOR,
        reason: "retransmit once Alipay+'s retransmission gap has passed",
      });
      return until(stack.client, id, 'RELEASED_FOR_DELIVERY', released);
    }),
    // The notification is lost, so the order learns the payment by polling inquiryPayment after a minute.
    simple('paid-by-inquiry', byInquiry, (s) => pays(s, byInquiry.orderId, BUYER, { dropNotification: true }), 'RELEASED_FOR_DELIVERY', released),
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
        .map((r, i) => (r.status === 'fulfilled' && !chosen[i]!.otherBuyer ? r.value : undefined))
        .filter((s) => s?.stage === 'RELEASED_FOR_DELIVERY')
        .reduce((sum, s) => sum + s!.totalFen, 0);
      const id = await quotaWorkflowIdOf(stack);
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

/** BUYER's buyerQuotaWorkflow, keyed as the worker keys it, with the stack's buyer key secret. */
async function quotaWorkflowIdOf(stack: Stack): Promise<string> {
  const buyerKeySecret = readFileSync(join(ROOT, '.dev', 'buyer-key-secret'), 'utf8').trim();
  const buyerKey = await quotaActivities({ temporal: stack.client, taskQueue: stack.taskQueue, buyerKeySecret }).buyerQuotaKey(BUYER);
  return quotaWorkflowId(buyerKey, customsYear(Date.now()));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
