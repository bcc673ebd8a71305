import { CancellationScope, metricMeter, patched, setCurrentDetails, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { customsCodeOf } from '../../domain/order';
import { CUSTOMS_STATES, STUCK_CODES, type Stage, type StuckCode } from '../../domain/order-api';
import {
  CUSTOMS_CODE,
  CUSTOMS_STATUS,
  DECLARATION_STATUS,
  ORDER_STAGE,
  PAYMENT_STATUS,
  REFUND_STATUS,
  STAGE_SINCE,
  STUCK_REASON,
} from '../../domain/search-attributes';
import { customsProblems } from './customs-receipts';
import { iso, type Declaration, type OrderState } from './state';
import { STUCK_REASON_PER_SCOPE } from './versions';

// Where an order stands, for operators: its stage, what it waits for, why it is stuck. Every change is
// published as search attributes and as the current details the Web UI shows.

const MINUTE = 60 * 1000;
/** An Alipay+ call that has kept failing this long marks the order stuck while Temporal retries it. */
const CALL_STUCK_AFTER = 15 * MINUTE;

// Business metrics, emitted through the worker's Prometheus endpoint; the workflow meter skips replays.
export const ordersStarted = counter('alipay_orders_started', 'orders', 'Orders whose payment was created');
export const ordersCleared = counter('alipay_orders_cleared', 'orders', 'Orders cleared by customs and released');
const ordersRefunded = counter('alipay_orders_refunded', 'orders', 'Orders ended by a compensating refund');
const ordersStuck = counter('alipay_orders_stuck', 'orders', 'Times an order became stuck');

/**
 * A counter of the workflow meter, made on its first use: the meter exists only in a workflow's context, and
 * loading this module must not need one (the validators that import it are unit-tested outside a workflow).
 */
type Counter = ReturnType<typeof metricMeter.createCounter>;
function counter(name: string, unit: string, description: string): Pick<Counter, 'add'> {
  let made: Counter | undefined;
  return { add: (value, tags) => (made ??= metricMeter.createCounter(name, unit, description)).add(value, tags) };
}

export function setStage(o: OrderState, stage: Stage, waitingFor?: string) {
  o.stage = stage;
  if (waitingFor) wait(o, waitingFor);
  else o.waiting = undefined;
  publish(o);
}

export function wait(o: OrderState, what: string) {
  o.waiting = { what, since: iso(Date.now()) };
  publish(o);
}

/**
 * The order is stuck for a reason about one scope: `order`, `refund`, a declaration id, or a call. Each
 * scope keeps its own reason, so correcting one split part leaves the other part's rejection standing.
 */
export function markStuck(o: OrderState, code: StuckCode, reason: string, scope = 'order') {
  if (!o.stuck) ordersStuck.add(1, { reason: code });
  const now = iso(Date.now());
  o.stuckReasons[scope] = { code, reason, since: o.stuckReasons[scope]?.since ?? now, scope };
  o.legacyStuck = { code, reason, since: o.legacyStuck?.since ?? now };
  showMostUrgent(o);
}

/** Clears the reason of one scope, or every reason when no scope is named. */
export function clearStuck(o: OrderState, scope?: string) {
  if (scope === undefined) o.stuckReasons = {};
  else delete o.stuckReasons[scope];
  o.legacyStuck = undefined;
  showMostUrgent(o);
}

/**
 * Shows the most urgent reason. Orders started before reasons were kept per scope showed the last one
 * set and cleared them all at once; where the two differ, the patch keeps their histories replaying.
 */
function showMostUrgent(o: OrderState) {
  const reasons = Object.values(o.stuckReasons).sort((a, b) => STUCK_CODES.indexOf(a.code) - STUCK_CODES.indexOf(b.code));
  const urgent = reasons[0];
  o.stuck = urgent?.code === o.legacyStuck?.code || o.lean || patched(STUCK_REASON_PER_SCOPE) ? urgent : o.legacyStuck;
  publish(o);
}

/** The order reached the end of its path: its stage says how, the outcome why, in words for the buyer. */
export function end(o: OrderState, stage: Stage, reason: string, buyerMessage: string) {
  o.stage = stage;
  o.waiting = undefined;
  o.outcome = { reason, buyerMessage };
  if (stage === 'REFUNDED') ordersRefunded.add(1);
  publish(o);
}

/** Awaits an activity; if Temporal is still retrying it after a while, the order shows as stuck meanwhile. */
export async function watch<T>(o: OrderState, call: Promise<T>, what: string): Promise<T> {
  const timer = new CancellationScope();
  let flagged = false;
  timer
    .run(() => sleep(CALL_STUCK_AFTER))
    .then(() => {
      flagged = true;
      markStuck(o, 'CALL_RETRYING', `${what} has not succeeded for ${CALL_STUCK_AFTER / MINUTE} minutes; Temporal keeps retrying it`, what);
      publishPending(o); // the order waits on the call meanwhile
    })
    .catch(() => undefined);
  try {
    return await call;
  } finally {
    timer.cancel();
    if (flagged) clearStuck(o, what);
  }
}

/**
 * Makes the order findable and readable in the Web UI: search attributes and the current details. A lean
 * order publishes once, when the workflow task's code has run: one upsert per task, not one per change.
 */
export function publish(o: OrderState) {
  if (!o.lean) return publishNow(o);
  o.publishDirty = true;
  setCurrentDetails(details(o));
}

/** Publishes what changed since the last time; a lean order calls it wherever it waits. */
export function publishPending(o: OrderState) {
  if (!o.publishDirty) return;
  o.publishDirty = false;
  publishNow(o);
}

function publishNow(o: OrderState) {
  const values: Record<string, string | undefined> = {
    [ORDER_STAGE.name]: o.stage,
    [PAYMENT_STATUS.name]: o.payment.status,
    [DECLARATION_STATUS.name]: declarationSummary(o.declarations),
    [CUSTOMS_CODE.name]: o.order ? customsCodeOf(o.order) : undefined,
    [STUCK_REASON.name]: o.stuck?.code,
    [REFUND_STATUS.name]: refundSummary(o),
    [CUSTOMS_STATUS.name]: customsSummary(o),
  };
  const keys = [ORDER_STAGE, PAYMENT_STATUS, DECLARATION_STATUS, CUSTOMS_CODE, STUCK_REASON];
  // Orders that take the refund answer as money returned never published it: their upserts stay as recorded.
  if (o.settleLater) keys.push(REFUND_STATUS);
  if (o.cebCustoms) keys.push(CUSTOMS_STATUS);
  const changed = keys.filter((k) => values[k.name] !== o.published[k.name]);
  if (changed.length > 0) {
    const pairs = changed.map((key) => ({ key, value: values[key.name] ?? null }));
    // The stage's start time goes with the stage, in the same upsert.
    const stageChanged = changed.includes(ORDER_STAGE);
    upsertSearchAttributes(stageChanged ? [...pairs, { key: STAGE_SINCE, value: new Date(Date.now()) }] : pairs);
    o.published = values;
  }
  setCurrentDetails(details(o));
}

/** The customs orders in one word, for the CustomsStatus search attribute: the one needing attention first. */
function customsSummary(o: OrderState): string | undefined {
  return CUSTOMS_STATES.find((st) => o.customs.some((c) => c.state === st));
}

/** The refunds in one word, for the RefundStatus search attribute. */
function refundSummary(o: OrderState): string | undefined {
  if (o.refunds.some((r) => r.status === 'PROCESSING' || r.status === 'PENDING')) return 'PROCESSING';
  if (o.stuckReasons.refund?.code === 'REFUND_FAILED') return 'FAILED';
  return o.refunds.length > 0 ? 'SETTLED' : undefined;
}

/** The declarations in one word: the one that needs attention first. */
function declarationSummary(declarations: Declaration[]): string {
  if (declarations.length === 0) return 'NONE';
  const order: Declaration['status'][] = [
    'AWAITING_CORRECTION',
    'REJECTED',
    'RETRANSMIT_SCHEDULED',
    'NOT_SENT',
    'SUBMITTED',
    'WAITING_FOR_PROCESSING',
    'IN_PROCESS',
    'ACCEPTED',
  ];
  return order.find((st) => declarations.some((d) => d.status === st))!;
}

function details(o: OrderState): string {
  const lines = [`**Stage:** ${o.stage}`];
  if (o.waiting) lines.push(`**Waiting for:** ${o.waiting.what}, since ${o.waiting.since}`);
  if (o.stuck) lines.push(`**Stuck (${o.stuck.code}) since ${o.stuck.since}:** ${o.stuck.reason}`);
  lines.push(`**Payment:** ${o.payment.status}${o.payment.paidAt ? `, paid ${o.payment.paidAt}` : ''}`);
  for (const d of o.declarations) {
    lines.push(
      `- \`${d.declarationId}\` ${d.status}, ${d.attempts} call(s), last result ${d.lastResultCode ?? '-'}` +
        (d.customsResultCode ? `, customs code ${d.customsResultCode}` : '') +
        (d.retransmitAt ? `, retransmits at ${d.retransmitAt}` : ''),
    );
  }
  for (const c of o.customs) lines.push(`- customs \`${c.orderNo}\` ${c.state}: ${customsProblems(c).slice(c.orderNo.length + 2)}`);
  for (const r of o.returns) lines.push(`- return \`${r.returnId}\` ${r.status}, ${(r.refundFen / 100).toFixed(2)} CNY`);
  for (const r of o.refunds) {
    lines.push(
      `- refund \`${r.refundRequestId}\` ${r.status}, ${(r.amountFen / 100).toFixed(2)} CNY, asked by ${r.requestedBy} at ${r.at}` +
        (r.settledAt ? `, final at ${r.settledAt}` : '') +
        (r.failure ? `: ${r.failure}` : ''),
    );
  }
  if (o.outcome) lines.push(`**Outcome:** ${o.outcome.reason}`);
  return lines.join('\n');
}
