import { defineSearchAttributeKey } from '@temporalio/common';
import { log, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../../activities';
import { dayBefore, reconcile } from '../../domain/reconciliation';
import { countIssues, flagOrders } from './flags';
import { detailsOf, newReport, summaryLine, type ReconciliationReport } from './report';

// The daily reconciliation: Alipay+'s transaction file of a day against the orders. The schedule starts it
// each night for the day before; an operator starts it for any day (client/reconciliation.ts).
// The report is its result, its current details in the Web UI, a search attribute on the orders involved
// and a Prometheus counter (flags.ts).

export interface ReconciliationInput {
  /** The transaction day, YYYY-MM-DD; by default the day before the scheduled (or start) time. */
  date?: string;
}

/** Set by the schedule on the runs it starts: the time it meant to start them. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

// The file is published on T+1: until it is there, Alipay+ is asked again, up to every hour.
const { downloadSettlementFile } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '1 hour' },
  summary: "Download Alipay+'s transaction file",
});
const orderReads = { retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' } } as const;
const { listOrdersWithMoneyOn } = proxyActivities<ReconciliationActivities>({
  ...orderReads,
  startToCloseTimeout: '5 minutes',
  summary: 'List the orders that may have moved money that day',
});
const { readOrders } = proxyActivities<ReconciliationActivities>({
  ...orderReads,
  startToCloseTimeout: '10 minutes',
  summary: "Read the orders' payments and refunds",
});

export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationReport> {
  const info = workflowInfo();
  // A run the schedule started late (a catch-up) still reconciles the day before its scheduled time.
  const date = input.date ?? dayBefore((info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime).getTime());
  setCurrentDetails(`**Day:** ${date}\n\nDownloading Alipay+'s transaction file…`);
  const lines = await downloadSettlementFile({ date });

  const named = lines.map((l) => (l.transactionType === 'PAYMENT' ? l.transactionRequestId : l.originalTransactionRequestId));
  setCurrentDetails(`**Day:** ${date}\n\n${lines.length} line(s) in the file; reading the orders…`);
  const listed = await listOrdersWithMoneyOn({ date });
  const orders = await readOrders({ orderIds: [...new Set([...named, ...listed])] });

  const report = newReport(date, lines, orders.length, reconcile(date, lines, orders));
  setCurrentDetails(detailsOf(report));
  await flagOrders(report);
  countIssues(report);
  setCurrentDetails(detailsOf(report));
  log.info(summaryLine(report));
  return report;
}
