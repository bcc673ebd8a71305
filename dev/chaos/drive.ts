import {
  cancelOrder,
  correctDeclaration,
  OrderRefusedError,
  orderHandle,
  orderStatus,
  requestRefund,
  startOrder,
} from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import type { OrderStatus, OrderTimeouts, Stage } from '../../domain/order-api';
import type { CebRules, CustomsRules } from '../../sandbox/helper-client';
import { payerOf } from '../scenarios/orders';
import { sleep } from '../scenarios/run';
import { WaitTimeoutError, waitForStatus } from '../scenarios/wait-for-status';
import type { Stack } from '../stack';
import { TIN_FEN, type PlannedOrder } from './plan';

// What the buyer, customs and the operator do to each order of a chaos run, by its path. A call that
// fails while a process is down is tried again; the checks at the end judge where each order ended.

export interface DriveOptions {
  stack: Stack;
  timeouts: OrderTimeouts;
  /** Bounds each wait for a stage the operator acts on. */
  waitTimeoutMs: number;
  /** Between two looks at an order's status: the run has many orders, each look is a query. */
  lookIntervalMs: number;
  operator: string;
}

/** Stages an order does not leave: a wait for an operator's moment ends there too, and the action is skipped. */
export const ENDED: readonly Stage[] = ['COMPLETED', 'CANCELLED', 'REFUNDED', 'REJECTED', 'FAILED'];

/** Each client call is bounded, so a call made while the server restarts does not hang the run. */
const CALL_DEADLINE_MS = 60_000;
/** How long a call keeps being tried while the server, the worker or the receiver is down. */
const RETRY_FOR_MS = 5 * 60_000;

/**
 * Calls `fn` until it succeeds. An earlier try may have taken effect without its answer arriving: before
 * trying again, `done` looks at the order (a refund must not be asked twice), and a refusal on a later
 * try counts as done too. A refusal on the first try is an error.
 */
async function retried<T>(stack: Stack, what: string, fn: () => Promise<T>, done?: () => Promise<boolean>): Promise<T | undefined> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 && done && (await stack.client.withDeadline(Date.now() + CALL_DEADLINE_MS, done))) return undefined;
      return await stack.client.withDeadline(Date.now() + CALL_DEADLINE_MS, fn);
    } catch (error) {
      if (error instanceof OrderRefusedError) {
        if (attempt > 1) return undefined;
        throw error;
      }
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await sleep(1_000);
    }
  }
}

/** The customs decisions the order's path needs; the run's default (accept quickly, release) serves the rest. */
export function customsRulesFor({ path, order }: PlannedOrder): CustomsRules | undefined {
  const id = order.orderId;
  switch (path.name) {
    case 'rejected-corrected':
      return {
        orders: {
          [id]: {
            outcomes: [
              { decision: 'REJECT', code: '100', description: 'merchant customs code MC-OLD is not registered' },
              { decision: 'ACCEPT' },
            ],
            processingAfterMs: 2_000,
            decisionAfterMs: 5_000,
          },
        },
      };
    case 'cancelled-in-review':
      // Customs takes its time, so the operator cancels while the declaration is under review.
      return { orders: { [id]: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 2_000, decisionAfterMs: 6 * 3_600_000 } } };
    default:
      return undefined;
  }
}

/** The inventory list's path at the e-port the order's path needs; the rest are released. */
export function cebRulesFor({ path }: PlannedOrder): NonNullable<CebRules['orders']>[string] | undefined {
  // Customs inspects the goods, finds they do not match the order and sends them back abroad (700).
  if (path.name === 'clearance-rejected') return { paths: [{ kind: 'RETURN_ABROAD', reason: 'inspection found goods that do not match' }] };
  return undefined;
}

/** Checks the order out, and pays it unless its path leaves it unpaid. */
async function checkOut(o: DriveOptions, order: OrderInput, pay: boolean) {
  await retried(o.stack, `checkout of ${order.orderId}`, () =>
    startOrder(o.stack.client, order, { taskQueue: o.stack.taskQueue, timeouts: o.timeouts }),
  );
  if (pay) await o.stack.helpers.pay(order.orderId, payerOf(order.buyer));
}

/** Whether the order's workflow has closed: a failed order stays at the stage it failed in. */
export async function workflowClosed(stack: Stack, orderId: string): Promise<boolean> {
  const d = await orderHandle(stack.client, orderId)
    .describe()
    .catch(() => undefined);
  return d !== undefined && d.status.name !== 'RUNNING';
}

/** Waits until the order is where the operator acts, or has ended; returns that status only in the first case. */
async function waitUntil(o: DriveOptions, orderId: string, what: string, ready: (s: OrderStatus) => boolean) {
  const deadline = Date.now() + o.waitTimeoutMs;
  for (;;) {
    try {
      const s = await waitForStatus(o.stack.client, orderId, what, (x) => ready(x) || ENDED.includes(x.stage), {
        timeoutMs: 60_000,
        intervalMs: o.lookIntervalMs,
      });
      return ready(s) ? s : undefined;
    } catch (error) {
      if (!(error instanceof WaitTimeoutError) || Date.now() > deadline) throw error;
      if (await workflowClosed(o.stack, orderId)) return undefined;
    }
  }
}

/** Drives one order along its path, up to the last action anyone takes on it. */
export async function driveOrder(o: DriveOptions, { path, order }: PlannedOrder): Promise<void> {
  const id = order.orderId;
  const { client } = o.stack;
  const by = (reason: string) => ({ operator: o.operator, reason });
  const looks = (ok: (s: OrderStatus) => boolean) => async () => ok(await orderStatus(client, id));
  const ended = looks((s) => s.stage === 'COMPENSATING' || ENDED.includes(s.stage));
  switch (path.name) {
    case 'cleared':
    case 'split':
    case 'clearance-rejected':
      return checkOut(o, order, true);
    case 'expired':
      return checkOut(o, order, false);
    case 'cancelled-unpaid':
      await checkOut(o, order, false);
      await retried(o.stack, `cancel of ${id}`, () => cancelOrder(client, id, by('the buyer changed their mind before paying')), ended);
      return;
    case 'cancelled-in-review': {
      await checkOut(o, order, true);
      const inReview = (s: OrderStatus) => s.stage === 'CUSTOMS_REVIEW' && s.declarations[0]?.status === 'IN_PROCESS';
      if (!(await waitUntil(o, id, 'a customs review that was polled', inReview))) return;
      await retried(
        o.stack,
        `cancel of ${id}`,
        () => cancelOrder(client, id, by('the buyer withdrew the order before customs decided')),
        ended,
      );
      return;
    }
    case 'rejected-corrected': {
      await checkOut(o, order, true);
      const awaiting = (s: OrderStatus) => s.declarations[0]?.status === 'AWAITING_CORRECTION';
      const rejected = await waitUntil(o, id, 'a declaration awaiting correction', awaiting);
      if (!rejected) return;
      const declarationId = rejected.declarations[0].declarationId;
      await retried(
        o.stack,
        `correction of ${id}`,
        () =>
          correctDeclaration(client, id, {
            declarationId,
            merchantCustomsCode: 'MC-0001',
            ...by('the registered merchant customs code is MC-0001'),
          }),
        looks((s) => s.declarations[0]?.status !== 'AWAITING_CORRECTION'),
      );
      return;
    }
    case 'partial-refund': {
      await checkOut(o, order, true);
      if (!(await waitUntil(o, id, 'RELEASED_FOR_DELIVERY', (s) => s.stage === 'RELEASED_FOR_DELIVERY'))) return;
      await retried(
        o.stack,
        `refund of ${id}`,
        () => requestRefund(client, id, { amountFen: TIN_FEN, reason: 'one tin arrived damaged', requestedBy: 'support-agent' }),
        looks((s) => s.refunds.length > 0),
      );
      return;
    }
  }
}
