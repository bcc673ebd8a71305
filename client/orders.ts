import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { orderProblems, orderWorkflowId, InvalidOrderError, type OrderInput } from '../domain/order';
import {
  checkoutUpdate,
  correctDeclarationUpdate,
  requestRefundUpdate,
  statusQuery,
  type CheckoutResult,
  type DeclarationCorrection,
  type DeclarationView,
  type OrderStatus,
  type RefundRequest,
  type RefundView,
} from '../domain/order-api';
import { formatCny } from '../domain/limits';
import type { OrderTimeouts, orderWorkflow } from '../workflows/order';

// The order system's side: start an order and get the cashier URL back in the same call.

/** The order workflow refused a request; `rule` names the rule it broke. */
export class OrderRefusedError extends Error {
  override name = 'OrderRefusedError';
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

async function refusalsNamed<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw new OrderRefusedError(error.cause.type ?? 'REFUSED', error.cause.message);
    }
    throw error;
  }
}

export interface StartOrderOptions {
  taskQueue: string;
  timeouts?: OrderTimeouts;
}

/**
 * Starts the order's workflow, or joins it if it already runs, and returns the cashier URL.
 * Idempotent per order id. An invalid order is refused here, before anything is started.
 */
export async function startOrder(client: Client, input: OrderInput, options: StartOrderOptions): Promise<CheckoutResult> {
  const problems = orderProblems(input);
  if (problems) throw new InvalidOrderError(problems);
  return refusalsNamed(() =>
    client.workflow.executeUpdateWithStart(checkoutUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
        workflowId: orderWorkflowId(input.orderId),
        taskQueue: options.taskQueue,
        args: options.timeouts ? [input, options.timeouts] : [input],
        // A second checkout of a running order joins it; a finished order is never started again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Order ${input.orderId}: ${formatCny(Number(input.totalFen))}`,
      }),
    }),
  );
}

export function orderHandle(client: Client, orderId: string): WorkflowHandle<typeof orderWorkflow> {
  return client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId));
}

export function orderStatus(client: Client, orderId: string): Promise<OrderStatus> {
  return orderHandle(client, orderId).query(statusQuery);
}

export async function requestRefund(client: Client, orderId: string, request: RefundRequest): Promise<RefundView> {
  const handle = orderHandle(client, orderId);
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') {
    throw new OrderRefusedError('REFUND_WINDOW', `order ${orderId} is ${status.name.toLowerCase()}: refunds are accepted within 90 days of the payment`);
  }
  return refusalsNamed(() => handle.executeUpdate(requestRefundUpdate, { args: [request] }));
}

export function correctDeclaration(client: Client, orderId: string, correction: DeclarationCorrection): Promise<DeclarationView> {
  return refusalsNamed(() => orderHandle(client, orderId).executeUpdate(correctDeclarationUpdate, { args: [correction] }));
}

export { WorkflowNotFoundError };
