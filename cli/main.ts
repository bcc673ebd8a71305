#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { Command, Option } from 'commander';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import {
  OrderRefusedError,
  cancelOrder,
  correctDeclaration,
  orderHandle,
  orderStatus,
  pollNow,
  requestRefund,
  resolveFailedRefund,
  reviewRealName,
  startOrder,
} from '../client';
import { formatCny } from '../domain/limits';
import { BUYER_OS_TYPES, BUYER_TERMINALS, orderIdOf, type BuyerOsType, type BuyerTerminalType, type OrderInput } from '../domain/order';
import { STAGES, STUCK_CODES, type OrderStatus, type Stage, type StuckCode } from '../domain/order-api';
import { ORDER_STAGE, STUCK_REASON } from '../domain/search-attributes';
import { encryptingDataConverter } from '../platform/data-converter';
import { keyringFromEnvOrLocalStack } from '../platform/payload-keys';
import { parseSettings } from '../platform/settings';
import { connectClient } from '../platform/temporal-connection';
import { loadTemporalSettings, taskQueueSetting } from '../platform/temporal-settings';
import { parseFen } from './amounts';
import { addCustomsCommands, customsLines } from './customs';
import { BY_DEFAULT, OperatorError, identityOfToken, operatorOf } from './operator';
import { addReconciliationCommands } from './reconciliation';

// `npm run orders -- <command>`: the order client and the operator's tools, from a shell.

const cliSettings = z.object({ TEMPORAL_TASK_QUEUE: taskQueueSetting });

/** A path as the operator would type it from here. */
const shown = (file: string) => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
};

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>, identity?: string): Promise<T> {
  const temporal = loadTemporalSettings();
  const { TEMPORAL_TASK_QUEUE } = parseSettings(cliSettings, process.env, 'CLI');
  const { keyring, localDevKeyring } = keyringFromEnvOrLocalStack(process.env, temporal.connection.address);
  // On stderr, so stdout stays the command's output (e.g. --json).
  if (localDevKeyring)
    console.error(`payload keys: ${shown(localDevKeyring)} (the local development keyring; set PAYLOAD_KEYS_FILE to use another)`);
  const client = await connectClient(temporal, encryptingDataConverter(keyring), identity);
  try {
    return await fn(client, TEMPORAL_TASK_QUEUE);
  } finally {
    await client.connection.close();
  }
}

/**
 * An operator command: it acts as the person the Temporal connection is authenticated as, or as --by
 * when the connection names nobody. Temporal records that person as the caller of each request too.
 */
function asOperator<T>(by: string | undefined, fn: (client: Client, operator: string) => Promise<T>): Promise<T> {
  const operator = operatorOf(by, identityOfToken(loadTemporalSettings().connection.apiKey));
  return withClient((client) => fn(client, operator), `${operator} (orders CLI, ${process.pid}@${hostname()})`);
}

function printStatus(st: OrderStatus) {
  const lines = [
    `order ${st.orderId}: ${st.stage} (${formatCny(st.totalFen)}, customs ${st.customsCode})`,
    st.waitingFor && `  waiting for: ${st.waitingFor.what}, since ${st.waitingFor.since}`,
    ...(st.stuckReasons ?? (st.stuck ? [st.stuck] : [])).map(
      (r) => `  STUCK (${r.code}${r.scope ? `, ${r.scope}` : ''}) since ${r.since}: ${r.reason}`,
    ),
    `  payment ${st.payment.paymentRequestId}: ${st.payment.status}${st.payment.paidAt ? `, paid ${st.payment.paidAt}` : ''}` +
      (st.payment.paymentUrl && st.payment.status === 'PROCESSING' ? `, cashier ${st.payment.paymentUrl}` : '') +
      (st.payment.terminal && st.payment.terminal.terminalType !== 'WEB'
        ? `, from ${[st.payment.terminal.terminalType, st.payment.terminal.osType].filter(Boolean).join(' ')}`
        : ''),
    ...st.declarations.map(
      (d) =>
        `  declaration ${d.declarationId} (${d.customsOrderId}, ${d.customsCode}, ${formatCny(d.amountFen)}): ${d.status}, ` +
        `${d.attempts} call(s), last result ${d.lastResultCode ?? '-'}${d.customsResultCode ? `, customs ${d.customsResultCode}` : ''}` +
        (d.customsResultDescription ? ` "${d.customsResultDescription}"` : '') +
        (d.retransmitAt ? `, retransmits at ${d.retransmitAt}` : ''),
    ),
    ...st.clearance.map((c) => `  clearance ${c.customsOrderId}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`),
    ...customsLines(st),
    ...st.refunds.map((r) => `  refund ${r.refundRequestId}: ${formatCny(r.amountFen)} ${r.status} by ${r.requestedBy}: ${r.reason}`),
    st.refundWindowClosesAt && `  refundable ${formatCny(st.refundableFen)} until ${st.refundWindowClosesAt}`,
    st.outcome && `  outcome: ${st.outcome.reason}`,
    ...st.audit.map((a) => `  ${a.at} ${a.action} by ${a.operator}: ${a.reason}${a.detail ? ` (${a.detail})` : ''}`),
  ];
  console.log(lines.filter(Boolean).join('\n'));
}

async function listOrders(client: Client, query: string) {
  let n = 0;
  for await (const wf of client.workflow.list({ query })) {
    const stage = wf.typedSearchAttributes.get(ORDER_STAGE) ?? '-';
    const stuck = wf.typedSearchAttributes.get(STUCK_REASON);
    console.log(
      // The order id, not the workflow id: it is what `status`, `cancel` and the other commands take.
      `${orderIdOf(wf.workflowId).padEnd(32)} ${wf.status.name.padEnd(10)} ${stage.padEnd(22)} ${stuck ?? ''} ${wf.startTime.toISOString()}`,
    );
    n++;
  }
  console.log(`${n} order(s)`);
}

/** The order a file holds: a JSON object, or a refusal by rule ORDER_FILE that says what is wrong with the file. */
function readOrderFile(file: string): OrderInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OrderRefusedError('ORDER_FILE', `cannot read ${file}: ${(error as Error).message}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new OrderRefusedError('ORDER_FILE', `${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new OrderRefusedError('ORDER_FILE', `${file} holds ${Array.isArray(input) ? 'an array' : String(input)}, not an order object`);
  }
  return input as OrderInput;
}

export function buildCli(): Command {
  const program = new Command('orders')
    .description(
      'Start and inspect Alipay cross-border orders. Connects as the temporal CLI does (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ' +
        'TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a profile: TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE); orders run on TEMPORAL_TASK_QUEUE. ' +
        'Payloads are encrypted with PAYLOAD_KEYS_FILE or PAYLOAD_KEYS; against the local stack, with its development keyring.',
    )
    .showHelpAfterError();

  program
    .command('start <file>')
    .description('start an order from a JSON file and print where the buyer pays (idempotent per order id)')
    .addOption(new Option('--terminal <type>', "the buyer's terminal, instead of the file's (default WEB)").choices(BUYER_TERMINALS))
    .addOption(new Option('--os <os>', "the app's operating system, required with --terminal APP").choices(BUYER_OS_TYPES))
    .action((file: string, o: { terminal?: BuyerTerminalType; os?: BuyerOsType }) => {
      // Read before connecting: a file that is not an order is refused without Temporal.
      const input = readOrderFile(file);
      return withClient(async (client, taskQueue) => {
        if (o.terminal || o.os) {
          const osType = o.os ?? input.terminal?.osType;
          input.terminal = { terminalType: o.terminal ?? input.terminal?.terminalType ?? 'WEB', ...(osType && { osType }) };
        }
        // Only what the file claims to be: startOrder checks every input rule before anything starts.
        const r = await startOrder(client, input, { taskQueue });
        console.log(`order ${r.orderId}: pay at ${r.paymentUrl} before ${r.paymentExpiresAt}`);
        // An app opens Alipay by its scheme URL or App Link; normalUrl is the H5 page without the app.
        for (const [name, link] of Object.entries(r.links ?? {})) if (link !== r.paymentUrl) console.log(`  ${name}: ${link}`);
      });
    });

  program
    .command('status <orderId>')
    .description("show an order's stage, payment, declarations, clearance and refunds")
    .option('--json', 'print the raw status')
    .action((orderId: string, o: { json?: boolean }) =>
      withClient(async (client) => {
        const st = await orderStatus(client, orderId);
        if (o.json) console.log(JSON.stringify(st, null, 2));
        else printStatus(st);
      }),
    );

  program
    .command('list')
    .description('list orders, optionally by stage')
    .addOption(new Option('--stage <stage>', 'only orders in this stage').choices(STAGES))
    .action((o: { stage?: Stage }) =>
      // No ORDER BY: SQL visibility (the dev server's SQLite, PostgreSQL, MySQL) refuses the clause, and
      // already lists running orders first, newest first.
      withClient((client) => listOrders(client, `WorkflowType = 'orderWorkflow'${o.stage ? ` AND OrderStage = '${o.stage}'` : ''}`)),
    );

  program
    .command('stuck')
    .description('list running orders that are stuck, with the reason code')
    .addOption(new Option('--code <code>', 'only orders stuck for this reason').choices(STUCK_CODES))
    .action((o: { code?: StuckCode }) =>
      withClient((client) =>
        listOrders(
          client,
          `WorkflowType = 'orderWorkflow' AND ExecutionStatus = 'Running' AND ${o.code ? `StuckReason = '${o.code}'` : 'StuckReason IS NOT NULL'}`,
        ),
      ),
    );

  program
    .command('retransmit <orderId> <declarationId>')
    .description('correct a declaration and retransmit it (after the 5-minute gap)')
    .option('--by <operator>', `who corrects it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .option('--merchant-customs-code <code>')
    .option('--merchant-customs-name <name>')
    .option('--customs-code <code>')
    .option('--amount-fen <fen>', 'the declared amount, in fen', parseFen)
    .action(
      (
        orderId: string,
        declarationId: string,
        o: {
          by?: string;
          reason: string;
          merchantCustomsCode?: string;
          merchantCustomsName?: string;
          customsCode?: string;
          amountFen?: number;
        },
      ) =>
        asOperator(o.by, async (client, by) => {
          const d = await correctDeclaration(client, orderId, {
            declarationId,
            operator: by,
            reason: o.reason,
            ...(o.merchantCustomsCode && { merchantCustomsCode: o.merchantCustomsCode }),
            ...(o.merchantCustomsName && { merchantCustomsName: o.merchantCustomsName }),
            ...(o.customsCode && { customsCode: o.customsCode as never }),
            ...(o.amountFen !== undefined && { amountFen: o.amountFen }),
          });
          console.log(`declaration ${d.declarationId}: ${d.status}, retransmits at ${d.retransmitAt}`);
        }),
    );

  program
    .command('refund')
    .argument('<orderId>')
    .argument('<amountFen>', 'the amount to refund, in fen', parseFen)
    .description('refund part or all of a delivered order, within 90 days of the payment')
    .option('--by <operator>', `who asks for it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .option('--key <key>', "the refund's idempotency key: give the same again to retry safely (default: a new one, printed)")
    .action((orderId: string, amountFen: number, o: { by?: string; reason: string; key?: string }) =>
      asOperator(o.by, async (client, by) => {
        // Printed before the call, so an operator whose call timed out can retry with it.
        const key = o.key ?? randomUUID();
        if (!o.key) console.log(`refund key ${key} (retry with --key ${key})`);
        const r = await requestRefund(client, orderId, {
          amountFen,
          reason: o.reason,
          requestedBy: by,
          idempotencyKey: key,
        });
        console.log(`refund ${r.refundRequestId}: ${formatCny(r.amountFen)} ${r.status} (${r.refundId})`);
      }),
    );

  program
    .command('cancel <orderId>')
    .description('cancel an order not yet released for delivery; a paid one is refunded')
    .option('--by <operator>', `who cancels it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .action((orderId: string, o: { by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => printStatus(await cancelOrder(client, orderId, { operator: by, reason: o.reason }))),
    );

  program
    .command('approve <orderId>')
    .description("decide the manual real-name review of a passport holder's order")
    .option('--by <operator>', `who reviewed it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'what was checked')
    .option('--reject', 'reject instead of approve; the payment is refunded')
    .action((orderId: string, o: { by?: string; reason: string; reject?: boolean }) =>
      asOperator(o.by, async (client, by) =>
        printStatus(await reviewRealName(client, orderId, { operator: by, reason: o.reason, approved: !o.reject })),
      ),
    );

  program
    .command('poll <orderId>')
    .description('poll Alipay+ or the e-port for this order now, instead of at its next scheduled poll')
    .option('--by <operator>', `who asks ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .action((orderId: string, o: { by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => printStatus(await pollNow(client, orderId, { operator: by, reason: o.reason }))),
    );

  program
    .command('resolve-refund <orderId>')
    .description('decide a compensating refund that Alipay+ refused (the order is stuck with REFUND_FAILED)')
    .addOption(new Option('--retry', 'ask Alipay+ again, with a new refund request').conflicts('settledOutside'))
    .addOption(new Option('--settled-outside', 'the buyer was paid back outside Alipay+; release the quota and end the order'))
    .option('--by <operator>', `who decides ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .action((orderId: string, o: { retry?: boolean; settledOutside?: boolean; by?: string; reason: string }) => {
      if (!o.retry && !o.settledOutside) program.error('resolve-refund: say --retry or --settled-outside');
      return asOperator(o.by, async (client, by) =>
        printStatus(
          await resolveFailedRefund(client, orderId, {
            operator: by,
            reason: o.reason,
            action: o.retry ? 'RETRY' : 'SETTLED_OUTSIDE_ALIPAY',
          }),
        ),
      );
    });

  addCustomsCommands(program, asOperator);

  program
    .command('history')
    .description('workflow histories')
    .command('export <orderId>')
    .description("write the order's workflow history as JSON (payloads stay encrypted), e.g. for a replay test")
    .option('--out <file>', 'file to write; default order-<orderId>.history.json')
    .action((orderId: string, o: { out?: string }) =>
      withClient(async (client) => {
        const handle = orderHandle(client, orderId);
        await handle.describe(); // an order that does not exist is WorkflowNotFoundError, not a bare NOT_FOUND
        const history = await handle.fetchHistory();
        const out = o.out ?? `order-${orderId}.history.json`;
        writeFileSync(out, historyToJSON(history));
        console.log(`${history.events?.length ?? 0} events written to ${out}`);
      }),
    );

  addReconciliationCommands(program, withClient, asOperator);
  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof OrderRefusedError) console.error(`refused by rule ${error.rule}: ${error.message}`);
      else if (error instanceof OperatorError) console.error(`operator: ${error.message}`);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
