import type { Client } from '@temporalio/client';
import { orderWorkflowId } from '../../domain/order';
import { ORDER_STAGE, STAGE_SINCE } from '../../domain/search-attributes';
import type { SandboxLedger } from '../../sandbox/helper-client';

// When each order got past each step, from the two most exact clocks there are:
// - the sandbox's ledger, whose times all come from the one sandbox clock: the buyer paid (paidAt), the
//   notification was sent (its first attempt's `at`, taken just before the sandbox posts it to the notify
//   receiver), the first declare call arrived (the FIRST call's `at`);
// - the order's StageSince search attribute, the workflow time of the task that set RELEASED_FOR_DELIVERY.
// All the processes run on this one machine, so the clocks agree.

export interface OrderTimes {
  paidAt?: number;
  notifiedAt?: number;
  declaredAt?: number;
  releasedAt?: number;
}

const RELEASED = 'RELEASED_FOR_DELIVERY';

/** The ledger's times of each order (by paymentRequestId, which is the order id), in epoch milliseconds. */
export function ledgerTimes(ledger: SandboxLedger): Map<string, OrderTimes> {
  const times = new Map<string, OrderTimes>();
  const of = (id: string) => times.get(id) ?? times.set(id, {}).get(id)!;
  for (const p of ledger.payments) if (p.paidAt) of(p.paymentRequestId).paidAt = Date.parse(p.paidAt);
  for (const n of ledger.notifications) {
    const first = n.attempts[0];
    if (first) {
      const t = of(n.paymentRequestId);
      t.notifiedAt = Math.min(t.notifiedAt ?? Infinity, Date.parse(first.at));
    }
  }
  for (const d of ledger.declarations) {
    const first = d.calls.find((c) => c.kind === 'FIRST');
    if (first) {
      const t = of(d.paymentRequestId);
      t.declaredAt = Math.min(t.declaredAt ?? Infinity, Date.parse(first.at));
    }
  }
  return times;
}

const visibilityQuery = (idPrefix: string) =>
  `${ORDER_STAGE.name} = "${RELEASED}" AND WorkflowId STARTS_WITH "${orderWorkflowId(idPrefix)}"`;

/** How many orders whose id starts with `idPrefix` are released for delivery: one visibility count. */
export async function releasedCount(client: Client, idPrefix: string): Promise<number> {
  return (await client.workflow.count(visibilityQuery(idPrefix))).count;
}

/** When each released order whose id starts with `idPrefix` was released, by order id. */
export async function releaseTimes(client: Client, idPrefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const w of client.workflow.list({ query: visibilityQuery(idPrefix), pageSize: 1000 })) {
    const since = w.typedSearchAttributes.get(STAGE_SINCE);
    if (since) out.set(w.workflowId.slice(orderWorkflowId('').length), since.getTime());
  }
  return out;
}
