import { getExternalWorkflowHandle, metricMeter, workflowInfo } from '@temporalio/workflow';
import { orderWorkflowId } from '../../domain/order';
import { reconciliationFlagSignal, type ReconciliationIssueCode } from '../../domain/reconciliation';
import type { ReconciliationReport } from './report';

// Where the report goes besides the result: a signal to each order involved (it upserts its
// ReconciliationIssue search attribute) and Prometheus counters on the worker's metrics endpoint.

const issuesFound = metricMeter.createCounter('alipay_reconciliation_issues', 'issues', 'Mismatches the daily reconciliation found');
const runsCompleted = metricMeter.createCounter('alipay_reconciliations', 'runs', 'Daily reconciliations completed');

/** Tells each order with issues what was found; an order that ended (or never was) is listed as not flagged. */
export async function flagOrders(report: ReconciliationReport): Promise<void> {
  const byOrder = new Map<string, Set<ReconciliationIssueCode>>();
  for (const i of report.issues) {
    if (i.orderId === undefined) continue;
    byOrder.set(i.orderId, (byOrder.get(i.orderId) ?? new Set()).add(i.code));
  }
  const reconciliationId = workflowInfo().workflowId;
  await Promise.all(
    [...byOrder].map(async ([orderId, codes]) => {
      try {
        await getExternalWorkflowHandle(orderWorkflowId(orderId)).signal(reconciliationFlagSignal, {
          date: report.date,
          codes: [...codes].sort(),
          reconciliationId,
        });
        report.ordersFlagged.push(orderId);
      } catch (error) {
        report.ordersNotFlagged.push({ orderId, why: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  report.ordersFlagged.sort();
}

export function countIssues(report: ReconciliationReport): void {
  for (const [code, n] of Object.entries(report.counts)) issuesFound.add(n, { code });
  runsCompleted.add(1, { outcome: report.issues.length ? 'issues' : 'clean' });
}
