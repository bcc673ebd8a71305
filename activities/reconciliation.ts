import { ApplicationFailure, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { SettlementFileNotReady, type SettlementFileClient, type SettlementLine } from '../alipay-plus/settlement-file';
import { orderIdOf, orderWorkflowId } from '../domain/order';
import { statusQuery } from '../domain/order-api';
import { dayBounds, orderMoneyOf, type OrderMoney } from '../domain/reconciliation';
import { REFUND_WINDOW_MS } from '../domain/limits';

// The reconciliation's two reads: Alipay+'s file of the day, and the orders that moved money that day.

export interface ReconciliationDeps {
  temporal: Client;
  settlementFiles: SettlementFileClient;
}

/** How many order status queries run at once. */
const QUERY_CONCURRENCY = 8;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The visibility query for orders that may have moved money on a day: paid (PaymentStatus stays SUCCESS
 * after refunds), started before the day ended and at most a refund window (plus a day) before it began,
 * and still running then. Each one's status query then says what moved when.
 */
export function ordersWithMoneyQuery(date: string): string {
  const { start, end } = dayBounds(date);
  const iso = (ms: number) => new Date(ms).toISOString();
  return (
    `WorkflowType = 'orderWorkflow' AND PaymentStatus = 'SUCCESS' AND StartTime < '${iso(end)}' ` +
    `AND StartTime >= '${iso(start - REFUND_WINDOW_MS - DAY_MS)}' AND (ExecutionStatus = 'Running' OR CloseTime >= '${iso(start)}')`
  );
}

export function reconciliationActivities({ temporal, settlementFiles }: ReconciliationDeps) {
  /** The order's money, or undefined when there is no such order. */
  async function moneyOf(orderId: string): Promise<OrderMoney | undefined> {
    try {
      return orderMoneyOf(await temporal.workflow.getHandle(orderWorkflowId(orderId)).query(statusQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  return {
    /** The file of a day; not published yet is retried (Alipay+ publishes on T+1), a malformed file is final. */
    async downloadSettlementFile(r: { date: string }): Promise<SettlementLine[]> {
      try {
        return await settlementFiles.download(r.date);
      } catch (error) {
        if (error instanceof SettlementFileNotReady) {
          throw ApplicationFailure.retryable(error.message, 'SETTLEMENT_FILE_NOT_READY');
        }
        if (error instanceof Error && error.message.startsWith('settlement file: ')) {
          throw ApplicationFailure.nonRetryable(error.message, 'SETTLEMENT_FILE_INVALID');
        }
        throw error;
      }
    },

    /**
     * The orders that may have moved money on `date`, through visibility (the status query tells what moved
     * when). The time-skipping test server has no visibility list: workflow tests stand in for this one call.
     */
    async listOrdersWithMoneyOn(r: { date: string }): Promise<string[]> {
      const ids = new Set<string>();
      for await (const wf of temporal.workflow.list({ query: ordersWithMoneyQuery(r.date), pageSize: 500 })) {
        ids.add(orderIdOf(wf.workflowId));
      }
      return [...ids];
    },

    /** The money of each order, by its status query; an order that does not exist is left out. */
    async readOrders(r: { orderIds: string[] }): Promise<OrderMoney[]> {
      const found: OrderMoney[] = [];
      for (let i = 0; i < r.orderIds.length; i += QUERY_CONCURRENCY) {
        const batch = await Promise.all(r.orderIds.slice(i, i + QUERY_CONCURRENCY).map(moneyOf));
        found.push(...batch.filter((m): m is OrderMoney => m !== undefined));
      }
      log.info('orders read for reconciliation', { looked: r.orderIds.length, found: found.length });
      return found;
    },
  };
}
