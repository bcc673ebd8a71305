import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { AlipayPlusClient, AlipayPlusError } from '../../alipay-plus';
import { startOrder } from '../../client/orders';
import { orderWorkflowId, type OrderInput } from '../../domain/order';
import { statusQuery } from '../../domain/order-api';
import { ensureDevKeys, type DevKeys } from '../../sandbox/dev-keys';
import { MILK_TIN, priced } from '../scenarios/orders';
import type { Stack } from '../stack';
import { BUYER_IDS } from './arbitraries';
import type { FuzzContext } from './harness';

// The local stack the fuzz runs on, and the orders it aims updates and notifications at.

export interface FuzzEnv {
  stack: Stack;
  client: Client;
  keys: DevKeys;
  /** The merchant's Alipay+ client, to ask the sandbox what it recorded. */
  alipay: AlipayPlusClient;
  /** An order id no other case of this run uses. */
  nextOrderId(prefix: string): string;
  ctx: FuzzContext;
}

export function fuzzEnv(stack: Stack, ctx: FuzzContext): FuzzEnv {
  const keys = ensureDevKeys(stack.keysDir);
  const run = (ctx.seed >>> 0).toString(36).slice(-5);
  let n = 0;
  return {
    stack,
    client: stack.client,
    keys,
    alipay: new AlipayPlusClient({
      baseUrl: stack.sandboxUrl,
      clientId: 'SANDBOX_MERCHANT',
      merchantPrivateKey: keys.merchantPrivateKey,
      alipayPlusPublicKey: keys.alipayPlusPublicKey,
      timeoutMs: ctx.requestTimeoutMs,
    }),
    nextOrderId: (prefix) => `${prefix}${run}${Date.now().toString(36).slice(-4)}${(n++).toString(36)}`,
    ctx,
  };
}

/** The payment the sandbox recorded for this paymentRequestId, or undefined when it has none. */
export async function sandboxPayment(env: FuzzEnv, paymentRequestId: string) {
  try {
    return await env.alipay.inquiryPayment({ paymentRequestId });
  } catch (error) {
    if (error instanceof AlipayPlusError && error.resultCode === 'ORDER_NOT_EXIST') return undefined;
    throw error;
  }
}

/** Whether Temporal has a workflow for this order id. */
export async function orderExists(env: FuzzEnv, orderId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(orderWorkflowId(orderId)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** How many updates the order's history accepted: a refused update must not add one. */
export async function acceptedUpdates(env: FuzzEnv, orderId: string): Promise<number> {
  const history = await env.client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

/** A running order awaiting payment that cases aim at, with what Alipay+ knows of its payment. */
export interface TargetOrder {
  orderId: string;
  totalFen: number;
  paymentId: string;
}

/** Starts a valid order and waits for its cashier URL; a buyer of its own keeps it clear of the quota. */
export async function startTarget(env: FuzzEnv): Promise<TargetOrder> {
  const orderId = env.nextOrderId('TG');
  const input: OrderInput = {
    orderId,
    currency: 'CNY',
    // One tin, 199.00 CNY of GENERAL goods and 9.1% tax, no freight.
    ...priced([{ ...MILK_TIN }], 0),
    buyer: { fullName: '张三', certificateType: 'PASSPORT', certificateNo: `E${orderId.slice(-8).toUpperCase()}` },
    customs: { district: 'ZONGSHU', merchantCustomsCode: 'MC-FUZZ', merchantCustomsName: 'Fuzz Merchant Ltd' },
    logistics: { carrier: 'SF Express', waybillNo: 'SF-FUZZ-T', carrierCustomsCode: '3301980101' },
    consignee: { name: '张三', telephone: '13800000000', address: '北京市朝阳区测试路1号' },
  };
  await env.client.withDeadline(Date.now() + 30_000, () => startOrder(env.client, input, { taskQueue: env.stack.taskQueue }));
  const payment = await sandboxPayment(env, orderId);
  if (!payment) throw new Error(`target order ${orderId} started, but the sandbox has no payment for it`);
  return { orderId, totalFen: input.totalFen, paymentId: payment.paymentId };
}

/** Whether the target still runs and still waits for its payment. */
export async function stillAwaitingPayment(env: FuzzEnv, t: TargetOrder): Promise<boolean> {
  const handle = env.client.workflow.getHandle(orderWorkflowId(t.orderId));
  const d = await handle.describe();
  if (d.status.name !== 'RUNNING') return false;
  return (await handle.query(statusQuery)).stage === 'AWAITING_PAYMENT';
}

export { BUYER_IDS };
