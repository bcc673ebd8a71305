import { partShares } from '../../domain/order-parts';
import { returnWorth, returnableLines } from '../../domain/return-values';
import type { OrderStatus, Stage } from '../../domain/order-api';
import type { QuotaUsage } from '../../domain/quota-api';
import type { PaymentLedger } from '../../sandbox/helper-client';
import { RELEASING, type ModelOrder } from './model';

// The contract every sequence must keep, as plain functions of what the sequence left behind: the
// order's status, the sandbox's ledger, the quota entity and the histories.

export const INVARIANTS = {
  I0: 'every request is accepted or refused by a named rule, within its deadline',
  I1: 'refunds settled and under way never exceed what was paid',
  I2: "each refund request (the caller's key) is carried out at Alipay+ at most once",
  I3: 'a split order settles per part: a part sent back refunds its share, the other parts are released',
  I4: "the buyer's committed quota is the dutiable value of the goods kept, never over 26,000 CNY",
  I5: 'money that arrived for an order that closed without its goods is refunded in full',
  I6: 'every order ends, or carries a stuck reason',
  I7: 'no workflow task failed, and every history replays',
} as const;
export type InvariantId = keyof typeof INVARIANTS;

export interface Violation {
  invariant: InvariantId;
  subject: string;
  detail: string;
}

export interface OrderFacts {
  model: ModelOrder;
  /** RUNNING, COMPLETED, CONTINUED_AS_NEW...: the workflow's execution status. */
  execution: string;
  status: OrderStatus;
  ledger: PaymentLedger;
  /** WorkflowTaskFailed events of its histories, with their cause. */
  taskFailures: string[];
  replayError?: string;
}

export interface QuotaFacts {
  workflowId: string;
  year: number;
  usage?: QuotaUsage;
  taskFailures: string[];
  replayError?: string;
}

/** Stages an order ends in without its goods: all the money that came must go back. */
const CLOSED_WITHOUT_GOODS: readonly Stage[] = ['CANCELLED', 'REJECTED', 'REFUNDED', 'FAILED'];

const paidFen = (l: PaymentLedger) => l.payments.filter((p) => p.status === 'SUCCESS').reduce((s, p) => s + Number(p.amount.value), 0);
/** Refunds Alipay+ carried out or is carrying out (a FAILed one returned nothing). */
const refundsOf = (l: PaymentLedger) => l.refunds.filter((r) => r.status !== 'FAIL');
const refundedFen = (l: PaymentLedger) => refundsOf(l).reduce((s, r) => s + Number(r.amount.value), 0);
const settledOutsideFen = (st: OrderStatus) =>
  st.refunds.filter((r) => r.status === 'SETTLED_OUTSIDE_ALIPAY').reduce((s, r) => s + r.amountFen, 0);
const acceptedReturns = (st: OrderStatus) => (st.returns ?? []).filter((r) => r.status === 'ACCEPTED');
const isClosed = (f: OrderFacts) => f.execution !== 'RUNNING';

export function refundsWithinPayment(f: OrderFacts): Violation[] {
  const paid = paidFen(f.ledger);
  const refunded = refundedFen(f.ledger);
  if (refunded <= paid) return [];
  const list = refundsOf(f.ledger).map((r) => `${r.refundRequestId} ${r.amount.value} ${r.status}`);
  return [{ invariant: 'I1', subject: f.model.orderId, detail: `refunded ${refunded} > paid ${paid}: ${list.join(', ')}` }];
}

export function refundKeysOnce(f: OrderFacts): Violation[] {
  const byKey = new Map<string, string[]>();
  for (const r of refundsOf(f.ledger)) {
    const key = /^model refund (\S+)/.exec(r.reason ?? '')?.[1];
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), `${r.refundRequestId} ${r.amount.value}`]);
  }
  return [...byKey]
    .filter(([, made]) => made.length > 1)
    .map(([key, made]) => ({
      invariant: 'I2',
      subject: f.model.orderId,
      detail: `${key} carried out ${made.length} times: ${made.join(', ')}`,
    }));
}

export function splitSettlesPerPart(f: OrderFacts): Violation[] {
  const { model: o, status: st } = f;
  const customs = st.customs ?? [];
  const stateOf = (orderNo: string) => customs.find((c) => c.orderNo === orderNo)?.state;
  const abroad = o.parts.filter((p) => stateOf(p.orderNo) === 'RETURNED_ABROAD');
  const released = o.parts.filter((p) => stateOf(p.orderNo) === 'RELEASED');
  const returned = acceptedReturns(st);
  const paid = paidFen(f.ledger);
  if (!o.split || paid === 0) return [];
  const out: Violation[] = [];
  const v = (detail: string) => out.push({ invariant: 'I3', subject: o.orderId, detail });
  const abroadFen = abroad.reduce((s, p) => s + p.amountFen, 0);
  const returnsFen = returned.reduce((s, r) => s + r.refundFen, 0);
  // What the caller's refunds carried out (a key carried out twice is I2's to report, not this one's).
  const asked = refundsOf(f.ledger)
    .filter((r) => (r.reason ?? '').startsWith('model refund '))
    .reduce((s, r) => s + Number(r.amount.value), 0);
  const refunded = refundedFen(f.ledger) + settledOutsideFen(st);
  // Goods customs released are the buyer's: their share comes back only by a return or a refund asked for.
  const releasedFen = released.reduce((s, p) => s + p.amountFen, 0);
  if (released.length > 0 && refunded > paid - releasedFen + returnsFen + asked) {
    v(`refunded ${refunded} of ${paid}, though parts worth ${releasedFen} were released (returns ${returnsFen}, refunds asked ${asked})`);
  }
  if (o.cancelled || (abroad.length === 0 && returned.length === 0)) return out;
  for (const p of o.parts.filter((x) => RELEASING.includes(x.path))) {
    const state = stateOf(p.orderNo);
    if (state !== 'RELEASED') v(`part ${p.orderNo} (${p.path}) is ${state ?? 'unknown'}, not released, beside a part sent back`);
  }
  const refundStuck = st.stuckReasons?.some((r) => r.code === 'REFUND_FAILED') ?? false;
  if (!refundStuck && refunded < abroadFen + returnsFen)
    v(`refunded ${refunded} < the parts sent back ${abroadFen} + returns ${returnsFen}`);
  if (refunded > abroadFen + returnsFen + asked) {
    v(`refunded ${refunded} > the parts sent back ${abroadFen} + returns ${returnsFen} + refunds asked ${asked}: settled as a whole`);
  }
  return out;
}

/**
 * The dutiable value the buyer kept of one order: its released customs orders, less what came back through
 * customs. A split part counts what its inventory list declares: shares of the goods and freight in proportion
 * to what was paid for it (domain/order-parts.ts, docs/customs.md), the count customs keeps of the buyer's year.
 */
export function keptDutiableFen(f: OrderFacts): number {
  const { input } = f.model;
  const order = { ...input, freightFen: input.freightFen ?? 0 };
  const shares = partShares(order);
  const orderNos = input.splitParts?.map((p) => p.referenceOrderId) ?? [input.orderId];
  const customs = f.status.customs ?? [];
  let kept = 0;
  orderNos.forEach((orderNo, index) => {
    if (customs.find((c) => c.orderNo === orderNo)?.state !== 'RELEASED') return;
    const returned = acceptedReturns(f.status)
      .filter((r) => r.orderNo === orderNo)
      .flatMap((r) => r.lines);
    const lines = returnableLines(order, input.splitParts ? { index, amountFen: shares[index].paidFen } : undefined);
    kept += shares[index].dutiableFen - (returned.length > 0 ? returnWorth(lines, returned).quotaFen : 0);
  });
  return kept;
}

/** Orders whose goods are decided: ended, or released for delivery. Others may still hold their kept goods as reserved. */
const goodsDecided = (f: OrderFacts) => isClosed(f) || f.status.stage === 'RELEASED_FOR_DELIVERY' || f.status.stage === 'COMPLETED';

export function quotaMatchesGoodsKept(quota: QuotaFacts, orders: OrderFacts[]): Violation[] {
  const mine = orders.filter((f) => f.model.year === quota.year);
  const sum = (fs: OrderFacts[]) => fs.reduce((s, f) => s + keptDutiableFen(f), 0);
  const firm = sum(mine.filter(goodsDecided));
  const all = sum(mine);
  const committed = quota.usage?.committedFen ?? 0;
  const reserved = quota.usage?.reservedFen ?? 0;
  const out: Violation[] = [];
  if (committed < firm || committed > all || committed + reserved < all) {
    const each = mine.map((f) => `${f.model.orderId} ${f.status.stage} kept ${keptDutiableFen(f)}`).join(', ');
    const expected = firm === all ? `${firm}` : `${firm} (decided) to ${all}`;
    out.push({
      invariant: 'I4',
      subject: quota.workflowId,
      detail: `committed ${committed} (+${reserved} reserved) != goods kept ${expected} (${each})`,
    });
  }
  if (quota.usage && committed + reserved > quota.usage.limitFen) {
    out.push({ invariant: 'I4', subject: quota.workflowId, detail: `uses ${committed + reserved} > limit ${quota.usage.limitFen}` });
  }
  return out;
}

export function closedOrderRefundedInFull(f: OrderFacts): Violation[] {
  if (!isClosed(f) || !CLOSED_WITHOUT_GOODS.includes(f.status.stage)) return [];
  const paid = paidFen(f.ledger);
  const back = refundedFen(f.ledger) + settledOutsideFen(f.status);
  if (back === paid) return [];
  return [{ invariant: 'I5', subject: f.model.orderId, detail: `ended ${f.status.stage} with ${paid} paid and ${back} refunded` }];
}

/** Released, with no refund or return under way: it waits out the refund window, a known end. */
export const waitsOutRefundWindow = (st: OrderStatus) =>
  st.stage === 'RELEASED_FOR_DELIVERY' &&
  !st.refunds.some((r) => r.status === 'PENDING' || r.status === 'PROCESSING') &&
  !(st.returns ?? []).some((r) => r.status === 'FILED' || (r.status === 'ACCEPTED' && !r.quotaGivenBack));

export function endsOrIsStuck(f: OrderFacts): Violation[] {
  if (isClosed(f) || f.status.stuck || waitsOutRefundWindow(f.status)) return [];
  const waiting = f.status.waitingFor
    ? `waiting for ${f.status.waitingFor.what} since ${f.status.waitingFor.since}`
    : 'waiting for nothing named';
  return [{ invariant: 'I6', subject: f.model.orderId, detail: `${f.status.stage}, not stuck, ${waiting}` }];
}

export function historiesSound(subject: string, taskFailures: string[], replayError?: string): Violation[] {
  const out: Violation[] = taskFailures.map((why) => ({ invariant: 'I7' as const, subject, detail: `workflow task failed: ${why}` }));
  if (replayError) out.push({ invariant: 'I7', subject, detail: `replay: ${replayError}` });
  return out;
}

/** Every invariant over one sequence's facts. */
export function violationsOf(orders: OrderFacts[], quotas: QuotaFacts[]): Violation[] {
  return [
    ...orders.flatMap((f) => [
      ...refundsWithinPayment(f),
      ...refundKeysOnce(f),
      ...splitSettlesPerPart(f),
      ...closedOrderRefundedInFull(f),
      ...endsOrIsStuck(f),
      ...historiesSound(f.model.orderId, f.taskFailures, f.replayError),
    ]),
    ...quotas.flatMap((q) => [...quotaMatchesGoodsKept(q, orders), ...historiesSound(q.workflowId, q.taskFailures, q.replayError)]),
  ];
}
