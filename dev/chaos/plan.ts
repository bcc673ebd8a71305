import { ANNUAL_QUOTA_FEN } from '../../domain/limits';
import type { OrderInput } from '../../domain/order';
import type { Stage } from '../../domain/order-api';
import { seededRandom } from '../../sandbox/faults';
import { FACE_CREAM, MILK_TIN, itemShares, person, priced, sampleOrder, type Buyer } from '../scenarios/orders';

// The orders of a chaos run: which path each one takes, and the end each path expects. The paths and
// their expectations are one table, so the checks and the report read the same rules the drive follows.

export type PathName =
  | 'cleared'
  | 'split'
  | 'expired'
  | 'cancelled-unpaid'
  | 'cancelled-in-review'
  | 'rejected-corrected'
  | 'clearance-rejected'
  | 'partial-refund';

/** One tin of milk powder: the partial refund gives one back. */
export const TIN_FEN = 19_900;

export interface ChaosPath {
  name: PathName;
  /** Relative share of the orders that take this path. */
  weight: number;
  /** What happens to the order, in a few words. */
  title: string;
  /** The stage the order ends in. */
  stage: Stage;
  /** Whether the buyer pays it. */
  paid: boolean;
  /** How much of the payment goes back. */
  refundedFen(order: OrderInput): number;
  /** Whether the order ends holding (committing) its amount of the buyer's annual quota. */
  holdsQuota: boolean;
}

const nothing = () => 0;
const everything = (o: OrderInput) => o.totalFen;

export const CHAOS_PATHS: ChaosPath[] = [
  {
    name: 'cleared',
    weight: 55,
    title: 'paid, released',
    stage: 'RELEASED_FOR_DELIVERY',
    paid: true,
    refundedFen: nothing,
    holdsQuota: true,
  },
  {
    name: 'split',
    weight: 4,
    title: 'split in 2, released',
    stage: 'RELEASED_FOR_DELIVERY',
    paid: true,
    refundedFen: nothing,
    holdsQuota: true,
  },
  { name: 'expired', weight: 6, title: 'never paid, expired', stage: 'CANCELLED', paid: false, refundedFen: nothing, holdsQuota: false },
  {
    name: 'cancelled-unpaid',
    weight: 5,
    title: 'cancelled awaiting payment',
    stage: 'CANCELLED',
    paid: false,
    refundedFen: nothing,
    holdsQuota: false,
  },
  {
    name: 'cancelled-in-review',
    weight: 5,
    title: 'cancelled in customs review',
    stage: 'CANCELLED',
    paid: true,
    refundedFen: everything,
    holdsQuota: false,
  },
  {
    name: 'rejected-corrected',
    weight: 9,
    title: 'rejected, corrected, released',
    stage: 'RELEASED_FOR_DELIVERY',
    paid: true,
    refundedFen: nothing,
    holdsQuota: true,
  },
  {
    name: 'clearance-rejected',
    weight: 8,
    title: 'goods sent back abroad by customs (700), refunded',
    stage: 'REFUNDED',
    paid: true,
    refundedFen: everything,
    holdsQuota: false,
  },
  {
    name: 'partial-refund',
    weight: 8,
    title: 'released, one tin refunded',
    stage: 'RELEASED_FOR_DELIVERY',
    paid: true,
    refundedFen: () => TIN_FEN,
    holdsQuota: true,
  },
];

export const pathNamed = (name: PathName) => CHAOS_PATHS.find((p) => p.name === name)!;

export interface PlannedOrder {
  path: ChaosPath;
  order: OrderInput;
}

/** Orders per buyer: at most 3 tins each, so a buyer's year stays under the 26,000 CNY quota. */
// Counted tax-inclusive, the most an order of 3 tins can count against the quota.
const ORDERS_PER_BUYER = Math.floor(ANNUAL_QUOTA_FEN / priced([{ ...MILK_TIN, quantity: 3 }]).totalFen) - 2;

/** The buyers of a run of `count` orders: enough that none passes the quota, at least 3 so entities interleave. */
export function buyersFor(count: number): Buyer[] {
  const n = Math.min(1000, Math.max(3, Math.ceil(count / ORDERS_PER_BUYER)));
  return Array.from({ length: n }, (_, i) => person(i, `买家${i}`));
}

function orderOf(path: PathName, orderId: string, buyer: Buyer, tins: number): OrderInput {
  const base = sampleOrder({ prefix: '', name: orderId, buyer });
  const milk = { ...MILK_TIN, quantity: tins };
  const order: OrderInput = {
    ...base,
    ...priced([milk]),
    logistics: { ...base.logistics, waybillNo: `SF${orderId}` },
  };
  switch (path) {
    case 'split': {
      const items = [{ ...milk, quantity: 1 }, { ...FACE_CREAM }];
      return {
        ...order,
        ...priced(items),
        customs: { district: 'NINGBO', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
        splitParts: itemShares(items).map((amountFen, i) => ({ referenceOrderId: `${orderId}-P${i + 1}`, amountFen })),
      };
    }
    case 'expired':
      return { ...order, paymentExpiryMinutes: 1 };
    case 'rejected-corrected':
      return { ...order, customs: { ...order.customs, merchantCustomsCode: 'MC-OLD' } };
    case 'partial-refund':
      return { ...order, ...priced([{ ...milk, quantity: Math.max(2, tins) }]) };
    default:
      return order;
  }
}

/**
 * `count` orders: one of each path first (so a small run covers them all), the rest drawn by weight,
 * then shuffled so that every path is spread over the run. The same seed plans the same run.
 */
export function planOrders(count: number, seed: number, runId: string): PlannedOrder[] {
  const rand = seededRandom(seed);
  const total = CHAOS_PATHS.reduce((a, p) => a + p.weight, 0);
  const draw = (): ChaosPath => {
    let r = rand() * total;
    for (const p of CHAOS_PATHS) if ((r -= p.weight) < 0) return p;
    return CHAOS_PATHS[0];
  };
  const paths = Array.from({ length: count }, (_, i) => (i < CHAOS_PATHS.length ? CHAOS_PATHS[i] : draw()));
  for (let i = paths.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [paths[i], paths[j]] = [paths[j], paths[i]];
  }
  const buyers = buyersFor(count);
  return paths.map((path, i) => {
    const orderId = `CH${runId}-${String(i).padStart(5, '0')}`;
    return { path, order: orderOf(path.name, orderId, buyers[i % buyers.length], 1 + Math.floor(rand() * 3)) };
  });
}
