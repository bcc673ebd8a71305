import { cancelOrder, correctCustomsDocument, returnGoods } from '../../client/orders';
import type { OrderStatus } from '../../domain/order-api';
import type { CebRules } from '../../sandbox/helper-client';
import type { Run } from './run';
import type { Scenario } from './scenario';
import { MILK_TIN, priced, sampleOrder } from './orders';

// The paths of steps 9 and 10 on the e-port's messages: the sandbox's customs chooses each inventory
// list's path by rule; the order follows the signed receipts.

const TWO_TINS = priced([{ ...MILK_TIN, quantity: 2 }]);
const released = (s: OrderStatus) => s.stage === 'RELEASED_FOR_DELIVERY';

/** The inventory list of this customs order takes these paths, one per filing. */
const listPaths = (run: Run, orderNo: string, paths: NonNullable<NonNullable<CebRules['orders']>[string]['paths']>) =>
  run.stack.helpers.cebRules({ orders: { [orderNo]: { paths } } });

export const CUSTOMS_SCENARIOS: Scenario[] = [
  {
    name: 'inspected-released',
    title: 'goods inspected by customs (500), then released (800)',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'INSPECTED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await listPaths(run, order.orderId, [{ kind: 'INSPECT_THEN_RELEASE' }]);
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'customs inspection (500)', (s) => s.customs?.[0]?.inspectionSince !== undefined);
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    name: 'goods-returned',
    title: 'released, one tin returned within 30 days: refunded, quota given back',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'RETURNED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
      await returnGoods(run.stack.client, order.orderId, {
        operator: run.operator,
        reason: 'the buyer sent one tin back unopened',
        lines: [{ sku: order.items[0].sku, quantity: 1 }],
      });
      return run.waitFor(
        order.orderId,
        'the return accepted, refunded and its quota given back',
        (s) => s.returns?.[0]?.quotaGivenBack === true && s.refunds.some((r) => r.status === 'SUCCEEDED'),
      );
    },
  },
  {
    name: 'customs-list-rejected-corrected',
    title: 'inventory list refused for its HS code, corrected by an operator, filed again, released',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'LIST-CORRECTED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await listPaths(run, order.orderId, [
        { kind: 'REJECT', reason: 'gcode of line 1 does not match the goods declared' },
        { kind: 'RELEASE' },
      ]);
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'stuck CUSTOMS_DOCUMENT_REJECTED', (s) => s.stuck?.code === 'CUSTOMS_DOCUMENT_REJECTED');
      await correctCustomsDocument(run.stack.client, order.orderId, {
        orderNo: order.orderId,
        operator: run.operator,
        reason: 'the registered HS code of the milk powder is 0402291000',
        items: [{ sku: order.items[0].sku, hsCode: '0402291000' }],
      });
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    name: 'detained-cancelled-refunded',
    title: 'goods detained past the detention deadline, cancelled by an operator, refunded',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'DETAINED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await listPaths(run, order.orderId, [{ kind: 'DETAIN', code: '599', reason: 'held for a licence check' }]);
      await run.start(order, { detentionDeadlineMs: 10_000 });
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'stuck DETENTION_DEADLINE', (s) => s.stuck?.code === 'DETENTION_DEADLINE');
      await cancelOrder(run.stack.client, order.orderId, { operator: run.operator, reason: 'customs will not release the goods' });
      return run.waitFor(order.orderId, 'REFUNDED', (s) => s.stage === 'REFUNDED' || s.stage === 'CANCELLED');
    },
  },
];
