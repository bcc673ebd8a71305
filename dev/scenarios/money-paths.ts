import { cancelOrder } from '../../client/orders';
import type { OrderStatus } from '../../domain/order-api';
import type { Run } from './run';
import type { Scenario } from './scenario';
import { FACE_CREAM, MILK_TIN, itemShares, priced, sampleOrder } from './orders';

// The paths where money and quota meet (docs/money-and-quota.md): a split order settled per part, and a
// payment that succeeds as its order closes. Money that reaches an order after it closed needs Alipay+ to
// answer a cancel and still take the payment, which the local stack cannot do: its histories are recorded
// on the workflow test stack (dev/record-late-payment-history.ts).

const TIN_AND_CREAM = [{ ...MILK_TIN }, { ...FACE_CREAM, quantity: 2 }];
const TWO_TINS = priced([{ ...MILK_TIN, quantity: 2 }]);
const CANCEL_PATH = '/aps/api/v1/payments/cancelPayment';
const settled = (s: OrderStatus) => s.refunds.length > 0 && s.refunds.every((r) => r.status === 'SUCCEEDED');

/** A tin and two creams declared as two customs orders, each what its goods cost the buyer. */
const splitOrder = (prefix: string, name: string, buyer: Parameters<Scenario['input']>[1]) =>
  sampleOrder({
    prefix,
    name,
    buyer,
    ...priced(TIN_AND_CREAM),
    splitParts: itemShares(TIN_AND_CREAM).map((amountFen, i) => ({ referenceOrderId: `${prefix}${name}-P${i + 1}`, amountFen })),
  });

/** The inventory list of each part takes its own path at customs. */
const partPaths = (run: Run, paths: Record<string, 'RELEASE' | 'RETURN_ABROAD' | 'DETAIN'>) =>
  run.stack.helpers.cebRules({
    orders: Object.fromEntries(Object.entries(paths).map(([orderNo, kind]) => [orderNo, { paths: [{ kind }] }])),
  });

export const MONEY_SCENARIOS: Scenario[] = [
  {
    name: 'split-part-returned-abroad',
    title: 'split in two: one part released, the other sent back abroad and refunded on its own',
    input: (prefix, buyer) => splitOrder(prefix, 'PART-RETURNED', buyer),
    drive: async (run, order) => {
      const [p1, p2] = order.splitParts!.map((p) => p.referenceOrderId);
      await partPaths(run, { [p1]: 'RELEASE', [p2]: 'RETURN_ABROAD' });
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      return run.waitFor(order.orderId, 'one part delivered, the other refunded', (s) => s.stage === 'RELEASED_FOR_DELIVERY' && settled(s));
    },
  },
  {
    name: 'split-part-held-cancelled',
    title: 'split in two: one part released, the other held past its deadline, cancelled and refunded',
    input: (prefix, buyer) => splitOrder(prefix, 'PART-HELD', buyer),
    drive: async (run, order) => {
      const [p1, p2] = order.splitParts!.map((p) => p.referenceOrderId);
      await partPaths(run, { [p1]: 'RELEASE', [p2]: 'DETAIN' });
      await run.start(order, { detentionDeadlineMs: 10_000 });
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(
        order.orderId,
        'P2 held past its deadline',
        (s) => s.customs?.[0].state === 'RELEASED' && s.stuck?.code === 'DETENTION_DEADLINE',
      );
      await cancelOrder(run.stack.client, order.orderId, { operator: run.operator, reason: 'customs will not release the second part' });
      return run.waitFor(order.orderId, 'P1 delivered, P2 refunded', (s) => s.stage === 'RELEASED_FOR_DELIVERY' && settled(s));
    },
  },
  {
    name: 'cancel-refused-then-paid-refunded',
    title: 'cancelled while Alipay+ still processes the payment; the buyer pays; refunded in full',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'PAID-AS-CANCELLED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      // Alipay+ answers the cancel INVALID_ORDER_STATUS for a while: the payment is being processed.
      await run.stack.helpers.faults({ finalWindows: [{ resultCode: 'INVALID_ORDER_STATUS', path: CANCEL_PATH, durationMs: 30_000 }] });
      const cancelled = cancelOrder(run.stack.client, order.orderId, { operator: run.operator, reason: 'the buyer asked to cancel' });
      await run.waitFor(order.orderId, 'the order waits to close its payment', (s) => /close payment/.test(s.waitingFor?.what ?? ''));
      await run.pay(order.orderId, order.buyer);
      await cancelled;
      await run.stack.helpers.faults({});
      return run.waitFor(order.orderId, 'CANCELLED and refunded', (s) => s.stage === 'CANCELLED' && settled(s));
    },
  },
];
