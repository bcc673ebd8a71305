import { randomUUID } from 'node:crypto';
import { mainlandIdCheckDigit } from '../domain/identity';
import { correctDeclaration, orderStatus, startOrder } from '../client/orders';
import { formatCny } from '../domain/limits';
import type { OrderInput } from '../domain/order';
import type { OrderStatus } from '../domain/order-api';
import { startStack, type Stack } from './stack';

// `npm run demo`: the whole pipeline on the local stack, one sample order per main path.
// `npm run demo -- --keep` leaves everything running to look around in the Web UI.

const KEEP = process.argv.includes('--keep');
/** Alipay+ may adjust its 5-minute retransmission gap (seed 003); the demo uses 30 s to stay short. */
const DEMO_RETRANSMIT_GAP_MS = 30_000;

const person = (seq: number, fullName: string) => {
  const first17 = `33010619900101${String(seq).padStart(3, '0')}`; // Hangzhou, born 1990-01-01
  return { fullName, certificateType: 'ID_CARD' as const, certificateNo: first17 + mainlandIdCheckDigit(first17) };
};

interface Sample {
  path: string;
  input: OrderInput;
  /** What the buyer and customs do, through the sandbox's helpers. */
  act(stack: Stack): Promise<void>;
  /** Whether the order has reached the end of this demo path. */
  done(s: OrderStatus): boolean;
  /** The operator's move, if the path needs one. */
  operate?(stack: Stack, s: OrderStatus): Promise<void>;
}

async function helper(stack: Stack, path: string, body: unknown) {
  const res = await fetch(`${stack.sandboxUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
}

function samples(run: string): Sample[] {
  const order = (suffix: string, buyer: ReturnType<typeof person>, over: Partial<OrderInput> = {}): OrderInput => ({
    orderId: `DEMO-${run}-${suffix}`,
    currency: 'CNY',
    totalFen: 39_800,
    items: [{ sku: 'MILK-900', name: 'Infant milk powder 900g', quantity: 2, unitPriceFen: 19_900 }],
    buyer,
    customs: { district: 'Hangzhou', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    logistics: { carrier: 'SF Express', waybillNo: `SF${run}${suffix}` },
    ...over,
  });
  const pays = (payer: ReturnType<typeof person>) => async (stack: Stack, orderId: string) =>
    helper(stack, `/sandbox/payments/${orderId}/succeed`, { payer: { ...payer, realNameVerified: true } });
  const released = (s: OrderStatus) => s.stage === 'RELEASED_FOR_DELIVERY';

  const wang = person(1, '王芳');
  const li = person(2, '李伟');
  const zhao = person(3, '赵敏');
  const chen = person(4, '陈静');
  const liu = person(5, '刘洋');

  const cleared = order('CLEARED', wang);
  const split = order('SPLIT', li, {
    totalFen: 59_700,
    items: [
      { sku: 'MILK-900', name: 'Infant milk powder 900g', quantity: 1, unitPriceFen: 19_900 },
      { sku: 'VIT-C', name: 'Vitamin C 120 tablets', quantity: 2, unitPriceFen: 19_900 },
    ],
    customs: { district: 'NINGBO', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
  });
  split.splitParts = [
    { referenceOrderId: `${split.orderId}-P1`, amountFen: 19_900 },
    { referenceOrderId: `${split.orderId}-P2`, amountFen: 39_800 },
  ];
  const corrected = order('CORRECTED', zhao, {
    customs: { district: 'SHANGHAI_CBT', merchantCustomsCode: 'MC-OLD', merchantCustomsName: 'Example Merchant Ltd' },
  });
  const mismatch = order('MISMATCH', chen);
  const expired = order('EXPIRED', liu, { paymentExpiryMinutes: 1 });
  const stuck = order('STUCK', person(6, '孙丽'), {
    customs: { district: 'ZHENGZHOU', merchantCustomsCode: 'MC-0009', merchantCustomsName: 'Example Merchant Ltd' },
  });

  return [
    { path: 'cleared', input: cleared, act: (s) => pays(wang)(s, cleared.orderId), done: released },
    { path: 'split into 2 customs orders', input: split, act: (s) => pays(li)(s, split.orderId), done: released },
    {
      path: 'rejected, corrected, retransmitted',
      input: corrected,
      act: async (s) => {
        await helper(s, '/sandbox/customs/rules', {
          orders: {
            [corrected.orderId]: {
              outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code MC-OLD is not registered at SHANGHAI_CBT' }, { decision: 'ACCEPT' }],
              processingAfterMs: 2_000,
              decisionAfterMs: 5_000,
            },
          },
        });
        await pays(zhao)(s, corrected.orderId);
      },
      operate: async (stack, st) => {
        const d = st.declarations[0];
        if (d?.status !== 'AWAITING_CORRECTION' || d.corrections.length > 0) return;
        await correctDeclaration(stack.client, corrected.orderId, {
          declarationId: d.declarationId,
          merchantCustomsCode: 'MC-0001',
          operator: 'demo-operator',
          reason: 'the registered merchant customs code is MC-0001',
        });
      },
      done: released,
    },
    { path: 'identity mismatch, refunded', input: mismatch, act: (s) => pays(person(9, '周杰'))(s, mismatch.orderId), done: (s) => s.stage === 'REFUNDED' },
    { path: 'not paid, expired, cancelled', input: expired, act: async () => undefined, done: (s) => s.stage === 'CANCELLED' },
    {
      path: 'rejected, left stuck for an operator',
      input: stuck,
      act: async (s) => {
        await helper(s, '/sandbox/customs/rules', {
          orders: {
            [stuck.orderId]: {
              outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code MC-0009 is not registered at ZHENGZHOU' }, { decision: 'ACCEPT' }],
              processingAfterMs: 2_000,
              decisionAfterMs: 5_000,
            },
          },
        });
        await pays(person(6, '孙丽'))(s, stuck.orderId);
      },
      done: (s) => s.stuck?.code === 'CUSTOMS_REJECTED',
    },
  ];
}

function summary(s: OrderStatus): string {
  const parts = [s.stage.padEnd(21)];
  if (s.declarations.length) parts.push(`${s.declarations.length} declaration(s) ${s.declarations.map((d) => `${d.status}/${d.attempts} call(s)`).join(', ')}`);
  if (s.refunds.length) parts.push(`refunded ${formatCny(s.refunds.reduce((a, r) => a + r.amountFen, 0))}`);
  if (s.outcome && s.stage !== 'RELEASED_FOR_DELIVERY') parts.push(s.outcome.reason.split(':')[0]!);
  if (s.stuck) parts.push(`STUCK ${s.stuck.code}`);
  return parts.join('  ');
}

async function main() {
  const started = Date.now();
  console.log('Starting Temporal (dev server and Web UI), the Alipay+ sandbox, the notify receiver and the worker...');
  const stack = await startStack({
    ports: { temporal: 7233, ui: 8233, sandbox: 8090, notify: 8091, metrics: 9464 },
    retransmitGapMs: DEMO_RETRANSMIT_GAP_MS,
  });
  let failed = false;
  try {
    console.log(`Web UI: ${stack.uiUrl}   sandbox: ${stack.sandboxUrl}   metrics: ${stack.metricsUrl}   logs: ${stack.logDir}`);
    console.log(`Demo settings: customs answers in 5 s; retransmission gap ${DEMO_RETRANSMIT_GAP_MS / 1000} s (Alipay+ uses 5 min).\n`);
    await helper(stack, '/sandbox/customs/rules', {
      default: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 2_000, decisionAfterMs: 5_000 },
      clearance: { default: { decision: 'RELEASE', afterMs: 3_000 } },
    });

    const run = randomUUID().slice(0, 6).toUpperCase();
    const list = samples(run);
    const timeouts = { customsReviewDeadlineMs: 10 * 60_000, clearanceDeadlineMs: 10 * 60_000, retransmitGapMs: DEMO_RETRANSMIT_GAP_MS };
    for (const sample of list) {
      const r = await startOrder(stack.client, sample.input, { taskQueue: stack.taskQueue, timeouts });
      console.log(`checkout ${sample.input.orderId.padEnd(24)} ${formatCny(sample.input.totalFen).padStart(12)}  pay at ${r.paymentUrl}`);
      await sample.act(stack);
    }
    console.log('\nWaiting for every order to reach the end of its path (about 2 minutes)...\n');

    const pending = new Set(list);
    const deadline = Date.now() + 8 * 60_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const sample of [...pending]) {
        const st = await orderStatus(stack.client, sample.input.orderId);
        await sample.operate?.(stack, st);
        if (sample.done(st)) {
          pending.delete(sample);
          console.log(`${sample.path.padEnd(36)} ${summary(st)}  ${stack.workflowUrl(`order-${sample.input.orderId}`)}`);
        }
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
    for (const sample of pending) {
      failed = true;
      const st = await orderStatus(stack.client, sample.input.orderId);
      console.log(`${sample.path.padEnd(36)} DID NOT FINISH: ${summary(st)}${st.stuck ? ` stuck: ${st.stuck.reason}` : ''}  ${stack.workflowUrl(`order-${sample.input.orderId}`)}`);
    }
    console.log(`\n${list.length - pending.size} of ${list.length} orders reached the end of their path in ${Math.round((Date.now() - started) / 1000)} s.`);
    console.log(`Stuck orders: npm run orders -- stuck   (fix one: npm run orders -- retransmit <orderId> <declarationId> --merchant-customs-code MC-0001 --by you --reason "...")`);
    if (KEEP) {
      console.log(`\nThe stack keeps running (--keep). Web UI: ${stack.uiUrl}. Press Ctrl-C to stop it.`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
  } finally {
    console.log('Shutting down...');
    await stack.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
