import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { orderStatus } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import type { OrderStatus } from '../../domain/order-api';
import { BUYER, idNumber, uniqueId } from './orders';

export function sampleOrder(over: Partial<OrderInput> = {}): OrderInput {
  return {
    orderId: uniqueId('ORD'),
    currency: 'CNY',
    totalFen: 19_900,
    items: [{ sku: 'MILK-900', name: 'Milk powder 900g', quantity: 1, unitPriceFen: 19_900 }],
    buyer: { fullName: BUYER.fullName, certificateType: 'ID_CARD', certificateNo: BUYER.certificateNo },
    customs: { district: 'Hangzhou', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    logistics: { carrier: 'SF Express', waybillNo: 'SF1000001' },
    ...over,
  };
}

/** A buyer with their own ID number (region 110105, born 1990-01-01, sequence `seed`), so tests do not share a quota. */
export function freshBuyer(seed: number) {
  return { fullName: `买家${seed}`, certificateType: 'ID_CARD' as const, certificateNo: idNumber(`11010519900101${String(seed % 1000).padStart(3, '0')}`) };
}

export function payerOf(buyer: { fullName: string; certificateType: 'ID_CARD' | 'PASSPORT'; certificateNo: string }, realNameVerified = true) {
  return { ...buyer, realNameVerified };
}

/**
 * Polls the order's status, letting the test server skip `stepMs` of time between looks, until
 * `done` holds. Bounded: it gives up after `maxSteps` looks and reports the last status.
 */
export async function waitForStatus(
  env: TestWorkflowEnvironment,
  client: Client,
  orderId: string,
  done: (s: OrderStatus) => boolean,
  { stepMs = 30_000, maxSteps = 400 } = {},
): Promise<OrderStatus> {
  let last: OrderStatus | undefined;
  for (let i = 0; i < maxSteps; i++) {
    last = await orderStatus(client, orderId);
    if (done(last)) return last;
    await env.sleep(stepMs);
  }
  throw new Error(`order ${orderId} never reached the expected state; last: ${JSON.stringify(last)}`);
}

/**
 * Waits in real time (bounded) until the sandbox has delivered and the receiver acknowledged the payment
 * notification, so a test that then skips time does not race the workflow's inquiryPayment fallback.
 */
export async function untilNotified(ledger: () => Promise<any>, paymentRequestId: string, acks = 1, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await ledger();
    const n = l.notifications.find((x: any) => x.paymentRequestId === paymentRequestId);
    const acked = n?.attempts.filter((a: any) => a.outcome === 'ACKNOWLEDGED').length ?? 0;
    if (acked >= acks) return;
    if (Date.now() > deadline) throw new Error(`notification of ${paymentRequestId} not acknowledged ${acks} time(s): ${JSON.stringify(n)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
