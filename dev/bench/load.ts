import { startOrder } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import { payerOf } from '../scenarios/orders';
import type { Stack } from '../stack';

// Offers orders at a steady rate, open-loop: each order is started at its moment whether or not the
// earlier ones have returned, as an order system would. Each is checked out, then paid by its buyer.

export interface OrderSample {
  orderId: string;
  phase: string;
  /** Milliseconds since the bench's time zero, when startOrder was called. */
  startedAt: number;
  /** startOrder(...) until it returned the cashier URL. */
  checkoutMs?: number;
  /** Whether the buyer paid at the sandbox's cashier. */
  paid?: boolean;
  error?: string;
}

export interface RateOptions {
  stack: Stack;
  phase: string;
  rate: number;
  seconds: number;
  nextOrder: () => OrderInput;
  /** The bench's clock: milliseconds since its time zero. */
  now: () => number;
  onProgress?: (samples: OrderSample[]) => void;
}

/** A checkout that takes longer than this is counted as failed, so a stalled phase still ends. */
const CHECKOUT_DEADLINE_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One order: checkout timed, then the buyer pays at the cashier. */
async function checkOutAndPay(stack: Stack, order: OrderInput, sample: OrderSample) {
  const t = performance.now();
  try {
    await stack.client.withDeadline(Date.now() + CHECKOUT_DEADLINE_MS, () =>
      startOrder(stack.client, order, { taskQueue: stack.taskQueue }),
    );
    sample.checkoutMs = performance.now() - t;
  } catch (error) {
    sample.error = `checkout: ${(error as Error).message.slice(0, 200)}`;
    return;
  }
  try {
    await stack.helpers.pay(order.orderId, payerOf(order.buyer));
    sample.paid = true;
  } catch (error) {
    sample.error = `pay: ${(error as Error).message.slice(0, 200)}`;
  }
}

/** Starts `rate × seconds` orders at `rate` per second; resolves once every one is checked out and paid (or failed). */
export async function offerOrders(o: RateOptions): Promise<OrderSample[]> {
  const total = Math.round(o.rate * o.seconds);
  const samples: OrderSample[] = [];
  const inFlight: Promise<void>[] = [];
  const first = o.now();
  const ticker = o.onProgress && setInterval(() => o.onProgress!(samples), 1000);
  try {
    for (let i = 0; i < total; i++) {
      await sleep(first + (i * 1000) / o.rate - o.now());
      const order = o.nextOrder();
      const sample: OrderSample = { orderId: order.orderId, phase: o.phase, startedAt: o.now() };
      samples.push(sample);
      inFlight.push(checkOutAndPay(o.stack, order, sample));
    }
    await Promise.all(inFlight);
  } finally {
    if (ticker) clearInterval(ticker);
  }
  o.onProgress?.(samples);
  return samples;
}
