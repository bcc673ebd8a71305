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

/** A buyer with their own ID number, so quota tests do not share a year's quota. */
export function freshBuyer(seed: number) {
  const first17 = `1101051990${String(101 + (seed % 800)).padStart(3, '0')}${String(1000 + (seed % 9000)).slice(-4)}`.slice(0, 17);
  return { fullName: `买家${seed}`, certificateType: 'ID_CARD' as const, certificateNo: idNumber(first17) };
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
