import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { quotaActivities } from '../../activities/quota';
import { ANNUAL_QUOTA_FEN, customsYear, formatCny } from '../../domain/limits';
import type { OrderStatus } from '../../domain/order-api';
import { quotaAmountFen } from '../../domain/order';
import { quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import type { SandboxLedger } from '../../sandbox/helper-client';
import type { Buyer } from '../scenarios/orders';
import type { PlannedOrder } from './plan';

// The checks at the end of a chaos run. Each says what it checked, whether it held, and the first
// problems it found, each naming the order, the buyer or the workflow.

export interface Check {
  name: string;
  ok: boolean;
  /** One line: the figures behind the verdict. */
  detail: string;
  problems: string[];
}

/** The refunds an order says succeeded, in fen. */
const refundedFen = (s: OrderStatus) => s.refunds.filter((r) => r.status === 'SUCCEEDED').reduce((a, r) => a + r.amountFen, 0);

/** Whether the order is where its path ends: the stage, and exactly the refunds the path makes, none pending. */
export function atPathEnd({ path, order }: PlannedOrder, s: OrderStatus | undefined): boolean {
  return !!s && s.stage === path.stage && refundedFen(s) === path.refundedFen(order) && !s.refunds.some((r) => r.status === 'PENDING');
}

/** Why the order is where it is, in a few words: for the problem lists. */
export function whereItIs(s: OrderStatus | undefined): string {
  if (!s) return 'no status';
  const why = s.stuck ? `stuck ${s.stuck.code}: ${s.stuck.reason}` : (s.outcome?.reason ?? s.waitingFor?.what ?? '');
  return `${s.stage}${refundedFen(s) ? `, refunded ${formatCny(refundedFen(s))}` : ''}${why ? ` (${why.slice(0, 160)})` : ''}`;
}

const check = (name: string, problems: string[], detail: string): Check => ({ name, ok: problems.length === 0, detail, problems });

export function endStatesCheck(plan: PlannedOrder[], statuses: Map<string, OrderStatus>): Check {
  const problems = plan
    .filter((p) => !atPathEnd(p, statuses.get(p.order.orderId)))
    .map((p) => `${p.order.orderId} (${p.path.name}) expected ${p.path.stage}, is ${whereItIs(statuses.get(p.order.orderId))}`);
  return check('every order at the end of its path', problems, `${plan.length - problems.length} of ${plan.length} orders`);
}

/** No workflow of the run, order or quota entity, ended Failed or Terminated. */
export async function workflowsCheck(client: Client): Promise<Check> {
  const query = 'ExecutionStatus = "Failed" OR ExecutionStatus = "Terminated"';
  const { count } = await client.workflow.count(query);
  const problems: string[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 20 })) {
    problems.push(`${wf.workflowId} (${wf.type}) ${wf.status.name}`);
    if (problems.length >= 20) break;
  }
  const all = (await client.workflow.count()).count;
  return { name: '0 workflows Failed or Terminated', ok: count === 0, detail: `${count} of ${all} workflows`, problems };
}

/**
 * Every history of the run, open or closed, replays against the workflow code that wrote it: a history
 * written under kills must be one any later worker can continue (test/fixtures/nondeterminism/).
 */
export async function replayCheck(client: Client, dataConverter: DataConverter): Promise<Check> {
  const problems: string[] = [];
  let replayed = 0;
  const histories = client.workflow.list({ pageSize: 100 }).intoHistories({ concurrency: 2 });
  const workflowsPath = require.resolve('../../workflows');
  for await (const r of Worker.runReplayHistories({ workflowsPath, dataConverter }, histories)) {
    replayed += 1;
    if (r.error) problems.push(`${r.workflowId}: ${r.error.name}: ${r.error.message.slice(0, 200)}`);
  }
  return check('every history replays', problems, `${replayed - problems.length} of ${replayed} histories replayed`);
}

/** The sandbox saw each payment, declaration and refund once: no more than the order itself knows of. */
export function duplicatesCheck(plan: PlannedOrder[], statuses: Map<string, OrderStatus>, ledger: SandboxLedger): Check {
  const problems: string[] = [];
  const byOrder = <T extends { paymentRequestId: string }>(xs: T[]) => {
    const m = new Map<string, T[]>();
    for (const x of xs) m.set(x.paymentRequestId, [...(m.get(x.paymentRequestId) ?? []), x]);
    return m;
  };
  const payments = byOrder(ledger.payments);
  const declarations = byOrder(ledger.declarations);
  const refunds = byOrder(ledger.refunds);
  let counted = { payments: 0, declarations: 0, refunds: 0 };
  for (const { order } of plan) {
    const id = order.orderId;
    const s = statuses.get(id);
    const [p, d, r] = [payments.get(id) ?? [], declarations.get(id) ?? [], refunds.get(id) ?? []];
    counted = { payments: counted.payments + p.length, declarations: counted.declarations + d.length, refunds: counted.refunds + r.length };
    if (p.length > 1) problems.push(`${id}: ${p.length} payments`);
    const parts = order.splitParts?.length ?? 1;
    if (d.length > parts) problems.push(`${id}: ${d.length} declarations for ${parts} customs order(s)`);
    for (const x of d) {
      const firsts = x.calls.filter((c) => c.kind === 'FIRST').length;
      if (firsts > 1) problems.push(`${x.customsDeclarationRequestId}: ${firsts} FIRST declare calls`);
      if (s && !s.declarations.some((v) => v.declarationId === x.customsDeclarationRequestId))
        problems.push(`${x.customsDeclarationRequestId}: declared, but the order does not know it`);
    }
    if (s) {
      const known = new Set(s.refunds.filter((v) => v.status === 'SUCCEEDED').map((v) => v.refundRequestId));
      const extra = r.filter((x) => !known.has(x.refundRequestId));
      if (extra.length) problems.push(`${id}: refunds the order does not know: ${extra.map((x) => x.refundRequestId).join(', ')}`);
    }
  }
  const detail = `${counted.payments} payments, ${counted.declarations} declarations, ${counted.refunds} refunds`;
  return check('0 duplicate payments, declarations or refunds', problems, detail);
}

/**
 * Each buyer's quota entity holds at most 26,000 CNY, reserves nothing once every order has ended,
 * and has committed exactly the orders of the buyer that were released for delivery.
 */
export async function quotaCheck(
  client: Client,
  plan: PlannedOrder[],
  statuses: Map<string, OrderStatus>,
  buyerKeySecret: string,
): Promise<Check> {
  // The worker's own keying of a buyer: an HMAC of the certificate, with the stack's secret.
  const quota = quotaActivities({ temporal: client, quotaTaskQueue: '', buyerKeySecret });
  const year = customsYear(Date.now());
  const buyers = new Map<string, { buyer: Buyer; releasedFen: number }>();
  for (const { order } of plan) {
    const b = buyers.get(order.buyer.certificateNo) ?? { buyer: order.buyer, releasedFen: 0 };
    // New orders count their dutiable value against the quota (goods and freight, not the tax).
    if (statuses.get(order.orderId)?.stage === 'RELEASED_FOR_DELIVERY') b.releasedFen += quotaAmountFen(order, true);
    buyers.set(order.buyer.certificateNo, b);
  }
  const problems: string[] = [];
  let highest = 0;
  for (const { buyer, releasedFen } of buyers.values()) {
    const id = quotaWorkflowId(await quota.buyerQuotaKey(buyer), year);
    try {
      const u = await client.workflow.getHandle(id).query(quotaUsageQuery);
      highest = Math.max(highest, u.reservedFen + u.committedFen);
      if (u.reservedFen + u.committedFen > ANNUAL_QUOTA_FEN) problems.push(`${id}: ${formatCny(u.reservedFen + u.committedFen)} used`);
      if (u.reservedFen !== 0) problems.push(`${id}: ${formatCny(u.reservedFen)} still reserved`);
      if (u.committedFen !== releasedFen)
        problems.push(`${id}: committed ${formatCny(u.committedFen)}, the buyer's released orders come to ${formatCny(releasedFen)}`);
    } catch (error) {
      problems.push(`${id}: ${(error as Error).message}`);
    }
  }
  return check('quotas within 26,000 CNY and matching the orders', problems, `${buyers.size} buyers, highest ${formatCny(highest)}`);
}

/** Every fen paid is in an order released for delivery, or has been refunded. */
export function moneyCheck(plan: PlannedOrder[], statuses: Map<string, OrderStatus>, ledger: SandboxLedger): Check {
  const ours = new Set(plan.map((p) => p.order.orderId));
  const refunded = new Map<string, number>();
  for (const r of ledger.refunds) refunded.set(r.paymentRequestId, (refunded.get(r.paymentRequestId) ?? 0) + Number(r.amount.value));
  const problems: string[] = [];
  const sum = { paid: 0, released: 0, refunded: 0 };
  for (const p of ledger.payments) {
    if (!ours.has(p.paymentRequestId)) continue;
    const back = refunded.get(p.paymentRequestId) ?? 0;
    const paid = p.status === 'SUCCESS' ? Number(p.amount.value) : 0;
    const released = statuses.get(p.paymentRequestId)?.stage === 'RELEASED_FOR_DELIVERY';
    sum.paid += paid;
    sum.refunded += back;
    if (released) sum.released += paid - back;
    if (back > paid) problems.push(`${p.paymentRequestId}: refunded ${formatCny(back)} of ${formatCny(paid)}`);
    else if (!released && back !== paid)
      problems.push(
        `${p.paymentRequestId}: ${formatCny(paid - back)} paid and not refunded, order ${whereItIs(statuses.get(p.paymentRequestId))}`,
      );
  }
  const detail = `paid ${formatCny(sum.paid)} = released ${formatCny(sum.released)} + refunded ${formatCny(sum.refunded)}`;
  return check('every fen paid is released or refunded', problems, detail);
}
