import { runReconciliation } from '../../client/reconciliation';
import { SettlementFileHelpers } from '../../sandbox/settlement-helpers';
import type { ReconciliationReport } from '../../workflows/reconciliation/report';
import type { Stack } from '../stack';

// One reconciliation on the local stack, of the day the sandbox is in: plant what the caller wants in the
// day's file, move the sandbox clock past midnight (Alipay+ publishes a day's file once it is over), and
// reconcile that day. The demo, the end-to-end test and the history recorder run it after their orders.

const DAY = 24 * 60 * 60 * 1000;

export async function reconcileToday(
  stack: Stack,
  plant: (files: SettlementFileHelpers, date: string) => Promise<void> = () => Promise.resolve(),
): Promise<ReconciliationReport> {
  const now = await stack.helpers.now();
  const date = new Date(now).toISOString().slice(0, 10);
  await plant(new SettlementFileHelpers(stack.sandboxUrl), date);
  await stack.helpers.advance(Math.ceil((now + 1) / DAY) * DAY + 60_000 - now);
  return runReconciliation(stack.client, stack.taskQueue, date);
}
