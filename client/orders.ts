import { createHash, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { orderProblems, orderWorkflowId, InvalidOrderError, type OrderInput } from '../domain/order';
import {
  cancelOrderUpdate,
  checkoutUpdate,
  correctCustomsDocumentUpdate,
  correctDeclarationUpdate,
  pollNowUpdate,
  returnGoodsUpdate,
  giveUpReturnUpdate,
  requestRefundUpdate,
  resolveFailedRefundUpdate,
  reviewRealNameUpdate,
  statusQuery,
  type CheckoutResult,
  type CustomsDocumentCorrection,
  type CustomsOrderView,
  type DeclarationCorrection,
  type GoodsReturnRequest,
  type GoodsReturnView,
  type DeclarationView,
  type OperatorAction,
  type OrderStatus,
  type OrderTimeouts,
  type RealNameDecision,
  type RefundRequest,
  type RefundResolution,
  type RefundView,
  type ReturnGiveUp,
} from '../domain/order-api';
import { formatCny } from '../domain/limits';
import type { orderWorkflow } from '../workflows/order';

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
    // A checkout of an order whose workflow has ended: an order is never started twice.
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new OrderRefusedError('ORDER_ENDED', `ORDER_ENDED: ${error.workflowId} has ended; an order id is checked out once`);
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
 * Idempotent per order id. An invalid order is refused here, before anything is started. New orders are
 * filed on the customs CEB messages: each item names its taxCategory, hsCode, originCountry and unit, the order
 * its consignee, freightFen and logistics.carrierCustomsCode, and totalFen includes the retail-import tax
 * (priceOrder computes it).
 */
export async function startOrder(client: Client, input: OrderInput, options: StartOrderOptions): Promise<CheckoutResult> {
  const problems = orderProblems(input, { customsMessages: true });
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
        staticDetails: orderDetails(input),
      }),
    }),
  );
}

/** What the Web UI shows as the order's static details: the goods and the customs, never the buyer. */
function orderDetails(input: OrderInput): string {
  const lines = [
    `**Customs:** ${input.customs.district}, merchant customs code ${input.customs.merchantCustomsCode}`,
    `**Carrier:** ${input.logistics.carrier}, waybill ${input.logistics.waybillNo}`,
    '**Items:**',
    ...input.items.map(
      (i) =>
        `- ${i.quantity} x ${i.name} (${i.sku}) at ${formatCny(i.unitPriceFen)}${i.taxCategory ? `, ${i.taxCategory}, HS ${i.hsCode}` : ''}`,
    ),
    ...(input.freightFen ? [`**Freight:** ${formatCny(input.freightFen)}`] : []),
    ...(input.splitParts ? ['**Split into:**', ...input.splitParts.map((p) => `- ${p.referenceOrderId}: ${formatCny(p.amountFen)}`)] : []),
  ];
  return lines.join('\n');
}

export function orderHandle(client: Client, orderId: string): WorkflowHandle<typeof orderWorkflow> {
  return client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId));
}

export function orderStatus(client: Client, orderId: string): Promise<OrderStatus> {
  return orderHandle(client, orderId).query(statusQuery);
}

/** The handle of a running order; a finished order takes no more actions, so that is refused here. */
async function runningOrder(client: Client, orderId: string, rule = 'ORDER_ENDED', why = 'it takes no more actions') {
  const handle = orderHandle(client, orderId);
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') throw new OrderRefusedError(rule, `order ${orderId} is ${status.name.toLowerCase()}: ${why}`);
  return handle;
}

/**
 * Refunds part or all of a released order. Pass `idempotencyKey` and the same key again on a retry: the same
 * request answers the same refund, another amount, reason or requester with it is refused REFUND_KEY_REUSED.
 * Without one, a key is made here for this call only (shown on the refund): each call is then a new refund.
 */
export async function requestRefund(client: Client, orderId: string, request: RefundRequest): Promise<RefundView> {
  const handle = await runningOrder(client, orderId, 'REFUND_WINDOW', 'refunds are accepted within 90 days of the payment');
  const keyed: RefundRequest = { ...request, idempotencyKey: request.idempotencyKey ?? randomUUID() };
  return refusalsNamed(() => handle.executeUpdate(requestRefundUpdate, { args: [keyed], updateId: refundUpdateId(keyed) }));
}

/**
 * The update id of a refund request: its key, and a digest of what it asks. Temporal answers a repeated update id
 * with the first answer without asking the workflow; so the same key with another request gets its own id and
 * reaches the validator, which refuses it (REFUND_KEY_REUSED). The workflow also answers a repeat from the key it
 * recorded on the refund, which holds across continue-as-new.
 */
export function refundUpdateId(r: RefundRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([r.amountFen, r.reason, r.requestedBy]))
    .digest('hex')
    .slice(0, 16);
  return `refund:${String(r.idempotencyKey)}:${digest}`;
}

export async function correctDeclaration(client: Client, orderId: string, correction: DeclarationCorrection): Promise<DeclarationView> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(correctDeclarationUpdate, { args: [correction] }));
}

/** Cancels an order that is not yet released for delivery; a paid one is refunded. Resolves once it has ended. */
export async function cancelOrder(client: Client, orderId: string, by: OperatorAction): Promise<OrderStatus> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(cancelOrderUpdate, { args: [by] }));
}

/** Approves or rejects the manual real-name review of a passport holder. */
export async function reviewRealName(client: Client, orderId: string, decision: RealNameDecision): Promise<OrderStatus> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(reviewRealNameUpdate, { args: [decision] }));
}

/** Polls Alipay+ or the e-port now, for an order waiting on payment, customs review or clearance. */
export async function pollNow(client: Client, orderId: string, by: OperatorAction): Promise<OrderStatus> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(pollNowUpdate, { args: [by] }));
}

/** Decides a compensating refund Alipay+ refused: retry it, or record that the buyer was paid back another way. */
export async function resolveFailedRefund(client: Client, orderId: string, resolution: RefundResolution): Promise<OrderStatus> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(resolveFailedRefundUpdate, { args: [resolution] }));
}

/** Files a customs order's refused documents again, with corrected customs fields of its items if any. */
export async function correctCustomsDocument(
  client: Client,
  orderId: string,
  correction: CustomsDocumentCorrection,
): Promise<CustomsOrderView> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(correctCustomsDocumentUpdate, { args: [correction] }));
}

/** Files a return of released goods (CEB625); once customs accepts it the buyer is refunded and the quota given back. */
export async function returnGoods(client: Client, orderId: string, request: GoodsReturnRequest): Promise<GoodsReturnView> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(returnGoodsUpdate, { args: [request] }));
}

/** Gives up a return customs has not answered past its deadline: no refund, no quota back, the order can end. */
export async function giveUpReturn(client: Client, orderId: string, decision: ReturnGiveUp): Promise<GoodsReturnView> {
  const handle = await runningOrder(client, orderId);
  return refusalsNamed(() => handle.executeUpdate(giveUpReturnUpdate, { args: [decision] }));
}

export { WorkflowNotFoundError };
