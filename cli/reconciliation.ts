import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import {
  describeReconciliationSchedule,
  ensureReconciliationSchedule,
  pauseReconciliationSchedule,
  runReconciliation,
  unpauseReconciliationSchedule,
} from '../client/reconciliation';
import { RECONCILIATION_SCHEDULE_ID, dayBefore, dayBounds } from '../domain/reconciliation';
import { summaryLine } from '../workflows/reconciliation/report';
import { BY_DEFAULT } from './operator';

// `orders reconciliation ...`: run the daily reconciliation for any day, and list, pause or resume its schedule.

type WithClient = <T>(fn: (client: Client, taskQueue: string) => Promise<T>) => Promise<T>;
type AsOperator = <T>(by: string | undefined, fn: (client: Client, operator: string) => Promise<T>) => Promise<T>;

export function addReconciliationCommands(program: Command, withClient: WithClient, asOperator: AsOperator) {
  const rec = program.command('reconciliation').description("the daily reconciliation against Alipay+'s transaction file");

  rec
    .command('run')
    .description('reconcile one day now and print the report (default: yesterday, UTC)')
    .option('--date <YYYY-MM-DD>', 'the transaction day')
    .option('--json', 'print the whole report')
    .action((o: { date?: string; json?: boolean }) => {
      const date = o.date ?? dayBefore(Date.now());
      try {
        dayBounds(date);
      } catch (error) {
        program.error(`reconciliation run: ${(error as Error).message}`);
      }
      return withClient(async (client, taskQueue) => {
        const report = await runReconciliation(client, taskQueue, date);
        if (o.json) return console.log(JSON.stringify(report, null, 2));
        console.log(summaryLine(report));
        for (const i of report.issues) console.log(`  ${i.code.padEnd(26)} ${(i.orderId ?? '-').padEnd(24)} ${i.detail}`);
        if (report.ordersNotFlagged.length) {
          console.log(`  not flagged on the order: ${report.ordersNotFlagged.map((x) => `${x.orderId} (${x.why})`).join(', ')}`);
        }
      });
    });

  const schedule = rec.command('schedule').description('the schedule that reconciles the day before, each night');

  schedule
    .command('create')
    .description('create the daily schedule if it is missing (the worker does it at start too)')
    .action(() =>
      withClient(async (client, taskQueue) => {
        const created = await ensureReconciliationSchedule(client, taskQueue);
        console.log(`schedule ${RECONCILIATION_SCHEDULE_ID}: ${created ? 'created' : 'already exists, left as it is'}`);
      }),
    );

  schedule
    .command('list')
    .description('show the schedule: paused or not, its next runs and its recent runs')
    .action(() =>
      withClient(async (client) => {
        const d = await describeReconciliationSchedule(client);
        if (!d) return console.log(`no schedule ${RECONCILIATION_SCHEDULE_ID}: create it with \`orders reconciliation schedule create\``);
        const state = d.state.paused ? `PAUSED${d.state.note ? ` (${d.state.note})` : ''}` : 'ACTIVE';
        console.log(`schedule ${d.scheduleId}: ${state}`);
        for (const t of d.info.nextActionTimes.slice(0, 3)) console.log(`  next run   ${t.toISOString()}`);
        for (const a of d.info.recentActions.slice(-5)) {
          console.log(`  recent run ${a.scheduledAt.toISOString()} ${a.action.workflow.workflowId}`);
        }
      }),
    );

  schedule
    .command('pause')
    .description('pause the schedule: no run starts until it is resumed')
    .option('--by <operator>', `who pauses it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .action((o: { by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => {
        await pauseReconciliationSchedule(client, `paused by ${by}: ${o.reason}`);
        console.log(`schedule ${RECONCILIATION_SCHEDULE_ID}: paused`);
      }),
    );

  schedule
    .command('unpause')
    .description('resume the schedule')
    .option('--by <operator>', `who resumes it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .action((o: { by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => {
        await unpauseReconciliationSchedule(client, `resumed by ${by}: ${o.reason}`);
        console.log(`schedule ${RECONCILIATION_SCHEDULE_ID}: active`);
      }),
    );
}
