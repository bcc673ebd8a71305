import { randomUUID } from 'node:crypto';
import { Listr } from 'listr2';
import { orderStatus } from '../client/orders';
import { formatCny } from '../domain/limits';
import type { OrderInput } from '../domain/order';
import type { CheckoutResult, OrderStatus } from '../domain/order-api';
import { reconciliationWorkflowId } from '../domain/reconciliation';
import { summaryLine } from '../workflows/reconciliation/report';
import { person, type Buyer } from './scenarios/orders';
import { scenariosNamed } from './scenarios/paths';
import type { Scenario } from './scenarios/scenario';
import { reconcileToday } from './scenarios/reconciliation';
import { LOCAL_REFUND_SETTLE_DELAY_MS, LOCAL_RETRANSMIT_GAP_MS, LOCAL_TIMEOUTS, QUICK_CUSTOMS, scenarioRun } from './scenarios/run';
import { WaitTimeoutError } from './scenarios/wait-for-status';
import { LOCAL_CEB_STEP_AFTER_MS, startStack, type Stack } from './stack';

// `npm run demo`: the whole pipeline on the local stack, one sample order per main path, with each
// order's stage shown as it changes. `npm run demo -- --keep` leaves everything running to look around
// in the Web UI.

const KEEP = process.argv.includes('--keep');
/** The demo gives up on an order that has not reached the end of its path after this long. */
const PATH_TIMEOUT_MS = 8 * 60_000;

/** The demo's paths, each with a buyer of its own so that their quotas do not interact. */
const DEMO_PATHS: { path: string; buyer: Buyer }[] = [
  { path: 'cleared', buyer: person(1, '王芳') },
  { path: 'split', buyer: person(2, '李伟') },
  { path: 'rejected-corrected-retransmitted', buyer: person(3, '赵敏') },
  { path: 'identity-mismatch-refunded', buyer: person(4, '陈静') },
  { path: 'expired-cancelled', buyer: person(5, '刘洋') },
  { path: 'refund-settled-later', buyer: person(7, '吴强') },
  { path: 'rejected-left-stuck', buyer: person(6, '孙丽') },
  { path: 'app-checkout', buyer: person(7, '吴磊') },
  { path: 'inspected-released', buyer: person(10, '郑华') },
  { path: 'goods-returned', buyer: person(11, '冯雪') },
];
/** Pays the order that is not theirs. */
const OTHER_PAYER = person(9, '周杰');

interface DemoOrder {
  scenario: Scenario;
  order: OrderInput;
  /** What checkout handed back: where the buyer pays, and an app's links. */
  checkout?: CheckoutResult;
  /** Where the order is now, as the progress display shows it. */
  show?: (line: string) => void;
  /** The status at the end of its path, or why it did not get there. */
  end?: OrderStatus;
  error?: string;
}

/** The order's stage, what it waits for or why it is stuck: one line of the progress display. */
function progress(s: OrderStatus): string {
  if (s.stuck) return `${s.stage}, STUCK ${s.stuck.code}`;
  return s.waitingFor ? `${s.stage}, waiting for ${s.waitingFor.what}` : s.stage;
}

/** The order at the end of its path: one line of the final summary. */
function summary(s: OrderStatus): string {
  const parts = [s.stage.padEnd(21)];
  if (s.declarations.length)
    parts.push(`${s.declarations.length} declaration(s) ${s.declarations.map((d) => `${d.status}/${d.attempts} call(s)`).join(', ')}`);
  for (const c of s.customs ?? []) parts.push(`customs ${c.state}${c.inspectionSince ? ' after inspection' : ''}`);
  for (const r of s.returns ?? []) {
    parts.push(`return ${r.status}${r.quotaGivenBack ? `, ${formatCny(r.quotaFen)} of quota given back` : ''}`);
  }
  if (s.refunds.length) parts.push(`refunded ${formatCny(s.refunds.reduce((a, r) => a + r.amountFen, 0))}`);
  if (s.outcome && s.stage !== 'RELEASED_FOR_DELIVERY') parts.push(s.outcome.reason.split(':')[0]);
  if (s.stuck) parts.push(`STUCK ${s.stuck.code}`);
  return parts.join('  ');
}

/** Why an order did not reach the end of its path, short enough for one line. */
function failure(error: unknown): string {
  if (error instanceof WaitTimeoutError) {
    return `did not reach ${error.what} within ${error.waited}; last seen ${error.last ? progress(error.last) : '(no status)'}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The links checkout handed to an app: the app opens Alipay by one of the first two, or the H5 page. */
function appLinks(c: CheckoutResult): string {
  const l = c.links ?? {};
  return [
    `${''.padEnd(37)}checked out from ${c.terminal?.terminalType} ${c.terminal?.osType ?? ''}; pay gave:`,
    ...Object.entries(l).map(([name, link]) => `${''.padEnd(39)}${name.padEnd(14)} ${link}`),
  ].join('\n');
}

async function main() {
  const started = Date.now();
  console.log('Starting Temporal (dev server and Web UI behind sign-in), the Alipay+ sandbox, the notify receiver and the worker...');
  const stack = await startStack({
    ports: { temporal: 7233, ui: 8233, sandbox: 8090, notify: 8091, metrics: 9464, codecTls: 8889 },
    retransmitGapMs: LOCAL_RETRANSMIT_GAP_MS,
    refundSettleDelayMs: LOCAL_REFUND_SETTLE_DELAY_MS,
    // The reconciliation at the end moves the sandbox clock past midnight, and the sandbox then signs its
    // notifications up to a day ahead: the receiver takes them, so orders made with --keep are notified.
    notifyRequestTimeWindowMs: 2 * 86_400_000,
  });
  let failed = false;
  try {
    console.log(`Web UI: ${stack.uiUrl}   sandbox: ${stack.sandboxUrl}   metrics: ${stack.metricsUrl}   logs: ${stack.logDir}`);
    const { reader, viewer } = stack.operators;
    console.log(
      `Web UI sign-in (local OpenID provider ${stack.oidcIssuer}): ${reader.username} / ${reader.password} sees buyer data decrypted, ` +
        `${viewer.username} / ${viewer.password} sees it encrypted; the codec server audits both (${stack.logDir}/codec-server.log).`,
    );
    console.log(
      `The UI decrypts through ${stack.codecUiUrl} (self-signed): open ${stack.codecUiUrl}/healthz once and accept its certificate.`,
    );
    console.log(
      `Demo settings: customs answers in 5 s and moves an inventory list on every ${LOCAL_CEB_STEP_AFTER_MS / 1000} s; retransmission gap ${LOCAL_RETRANSMIT_GAP_MS / 1000} s (Alipay+ uses 5 min); ` +
        `refunds processed ${LOCAL_REFUND_SETTLE_DELAY_MS / 1000} s after they are submitted (Alipay+: the next day).\n`,
    );
    await stack.helpers.customsRules(QUICK_CUSTOMS);

    const prefix = `DEMO-${randomUUID().slice(0, 6).toUpperCase()}-`;
    const scenarios = scenariosNamed(DEMO_PATHS.map((p) => p.path));
    const orders: DemoOrder[] = DEMO_PATHS.map((p, i) => ({ scenario: scenarios[i], order: scenarios[i].input(prefix, p.buyer) }));
    const byId = new Map(orders.map((o) => [o.order.orderId, o]));
    const run = scenarioRun(stack, {
      operator: 'demo-operator',
      otherPayer: OTHER_PAYER,
      timeouts: LOCAL_TIMEOUTS,
      waitTimeoutMs: PATH_TIMEOUT_MS,
      onCheckout: (order, checkout) => {
        const o = byId.get(order.orderId);
        if (o) o.checkout = checkout;
        const where = checkout.links?.schemeUrl
          ? `open Alipay at ${checkout.links.schemeUrl.slice(0, 40)}...`
          : `pay at ${checkout.paymentUrl}`;
        o?.show?.(`checked out ${formatCny(order.totalFen)}, ${where}`);
      },
      onStatus: (s) => byId.get(s.orderId)?.show?.(progress(s)),
    });

    console.log('Every order goes to the end of its path (about 2 minutes):\n');
    const width = Math.max(...orders.map((o) => o.order.orderId.length));
    const heading = (o: DemoOrder) => `${o.order.orderId.padEnd(width)}  ${o.scenario.title.padEnd(36)}`;
    const drive = async (o: DemoOrder, task: { title: string | undefined }) => {
      // The title changes only when the order moves, so a log (no TTY) gets one line per move.
      o.show = (line) => {
        const title = `${heading(o)}  ${line}`;
        if (task.title !== title) task.title = title;
      };
      o.show('checking out');
      try {
        o.end = await o.scenario.drive(run, o.order);
        o.show(o.end.stuck ? `${o.end.stage}, STUCK ${o.end.stuck.code}` : o.end.stage);
      } catch (error) {
        o.error = failure(error);
        throw new Error(`${o.order.orderId}: ${o.error}`, { cause: error });
      } finally {
        o.show = undefined;
      }
    };
    const display = new Listr<unknown, 'default', 'verbose'>(
      orders.map((o) => ({ title: heading(o), task: (_ctx, task) => drive(o, task) })),
      {
        concurrent: true,
        exitOnError: false,
        rendererOptions: { collapseErrors: false },
        // Not a terminal (CI, a pipe): one plain line per change of an order's stage.
        fallbackRenderer: 'verbose',
        fallbackRendererOptions: { logTitleChange: true },
      },
    );
    await display.run();

    console.log('');
    for (const o of orders) {
      const url = stack.workflowUrl(`order-${o.order.orderId}`);
      if (o.end) {
        console.log(`${o.scenario.title.padEnd(36)} ${summary(o.end)}  ${url}`);
        if (o.checkout?.terminal?.terminalType === 'APP') console.log(appLinks(o.checkout));
      } else {
        failed = true;
        const st = await orderStatus(stack.client, o.order.orderId).catch(() => undefined);
        const now = st ? `${summary(st)}${st.stuck ? ` stuck: ${st.stuck.reason}` : ''}` : (o.error ?? 'no status');
        console.log(`${o.scenario.title.padEnd(36)} DID NOT FINISH: ${now}  ${url}`);
      }
    }
    const finished = orders.filter((o) => o.end).length;
    console.log(
      `\n${finished} of ${orders.length} orders reached the end of their path in ${Math.round((Date.now() - started) / 1000)} s.`,
    );
    console.log(
      `Stuck orders: npm run orders -- stuck   (fix one: npm run orders -- retransmit <orderId> <declarationId> --merchant-customs-code MC-0001 --by you --reason "...")`,
    );
    await reconcile(stack);
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

/** The daily reconciliation of today's orders, with one payment planted in the file that no order made. */
async function reconcile(stack: Stack) {
  console.log("\nReconciling today against Alipay+'s transaction file (the sandbox adds one payment no order made):");
  const report = await reconcileToday(stack, async (files, date) => void (await files.unknownPayment(date, 12_300)));
  console.log(summaryLine(report));
  for (const i of report.issues) console.log(`  ${i.code}: ${i.detail}`);
  console.log(`  ${stack.workflowUrl(reconciliationWorkflowId(report.date))}`);
  console.log(
    '  schedule: npm run orders -- reconciliation schedule list   (any day: npm run orders -- reconciliation run --date YYYY-MM-DD)',
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
