import fc from 'fast-check';
import type { UpdateDefinition } from '@temporalio/common';
import { orderWorkflowId } from '../../domain/order';
import {
  cancelOrderUpdate,
  correctCustomsDocumentUpdate,
  correctDeclarationUpdate,
  giveUpReturnUpdate,
  paymentNotificationUpdate,
  pollNowUpdate,
  refundNotificationUpdate,
  requestRefundUpdate,
  resolveFailedRefundUpdate,
  returnGoodsUpdate,
  reviewRealNameUpdate,
  type OperatorAction,
} from '../../domain/order-api';
import { reconciliationFlagSignal, type ReconciliationFlag } from '../../domain/reconciliation';
import { hostileValue, mutate, mutation } from './arbitraries';
import { acceptedUpdates, startTarget, stillAwaitingPayment, type FuzzEnv, type TargetOrder } from './env';
import { checkProperty, expect, tally } from './harness';
import { describeError, ruleOfError } from './refusals';

// The order's update validators, on a running order awaiting payment: every update the workflow takes,
// with generated and mutated arguments. A refusal names its rule and adds nothing to the history; an
// accepted update keeps the rules an oracle written from the domain checks on its own.

export const VALIDATORS = 'update validators';

const UPDATES = {
  pollNow: pollNowUpdate,
  cancelOrder: cancelOrderUpdate,
  reviewRealName: reviewRealNameUpdate,
  resolveFailedRefund: resolveFailedRefundUpdate,
  requestRefund: requestRefundUpdate,
  correctDeclaration: correctDeclarationUpdate,
  paymentNotification: paymentNotificationUpdate,
  refundNotification: refundNotificationUpdate,
  correctCustomsDocument: correctCustomsDocumentUpdate,
  returnGoods: returnGoodsUpdate,
  giveUpReturn: giveUpReturnUpdate,
} as const;
type Kind = keyof typeof UPDATES;

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('ops-fuzz', 'support@merchant', '王五') },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', 'x'.repeat(129), 'y'.repeat(257)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }) },
);

/** A plausible argument for each update, for the target order, before mutation. */
function baseArg(kind: Kind, t: TargetOrder, g: { operator: string; reason: string; pick: number; amount: number }): unknown {
  const by = { operator: g.operator, reason: g.reason };
  switch (kind) {
    case 'pollNow':
    case 'cancelOrder':
      return by;
    case 'reviewRealName':
      return { ...by, approved: g.pick % 2 === 0 };
    case 'resolveFailedRefund':
      return { ...by, action: g.pick % 2 === 0 ? 'RETRY' : 'SETTLED_OUTSIDE_ALIPAY' };
    case 'requestRefund':
      // The caller's key: mostly well formed, sometimes not (REFUND_KEY).
      return {
        amountFen: g.amount,
        reason: g.reason,
        requestedBy: g.operator,
        idempotencyKey: g.pick % 5 === 0 ? 'a key?' : `fuzz-${g.pick}`,
      };
    case 'correctDeclaration':
      return { declarationId: `${t.orderId}-D1`, ...by, merchantCustomsCode: 'MC-FUZZ-2', customsCode: 'ZONGSHU', amountFen: g.amount };
    case 'paymentNotification':
      return {
        paymentRequestId: t.orderId,
        paymentId: t.paymentId,
        resultStatus: (['S', 'F', 'U'] as const)[g.pick % 3],
        resultCode: 'SUCCESS',
        paymentAmountFen: g.pick % 5 === 0 ? g.amount : t.totalFen,
        paymentTime: new Date().toISOString(),
      };
    case 'correctCustomsDocument':
      return { orderNo: t.orderId, ...by, items: [{ sku: 'MILK-900', hsCode: g.pick % 2 === 0 ? '0402291000' : '04' }] };
    case 'returnGoods':
      return { ...by, lines: [{ sku: 'MILK-900', quantity: g.pick % 3 }] };
    case 'giveUpReturn':
      return { ...by, returnId: `${t.orderId}-G1` };
    case 'refundNotification':
      return {
        refundRequestId: `${t.orderId}-R1`,
        refundId: 'RF-FUZZ',
        refundStatus: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success',
        refundAmountFen: g.amount,
      };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const filled = (v: unknown, max: number) => typeof v === 'string' && v.trim() !== '' && v.length <= max;

/** Why the update must be refused on an order awaiting payment, or null when it may be accepted. */
function mustRefuse(kind: Kind, arg: unknown, t: TargetOrder): string | null {
  if (!isObject(arg)) return 'the argument is not an object';
  const byOk = (who: unknown) => filled(who, 128) && filled(arg.reason, 256);
  switch (kind) {
    case 'pollNow':
    case 'cancelOrder':
      return byOk(arg.operator) ? null : 'operator and reason must be 1-128 and 1-256 characters';
    case 'reviewRealName':
      return 'the order is not in real-name review';
    case 'resolveFailedRefund':
      return 'the order has no failed refund';
    case 'requestRefund':
      return 'the order is not released for delivery';
    case 'correctDeclaration':
      return 'the order has not declared anything';
    case 'refundNotification':
      return 'the order has no refund';
    case 'correctCustomsDocument':
      return 'the order has filed no customs document';
    case 'returnGoods':
      return 'the order is not released for delivery';
    case 'giveUpReturn':
      return 'the order has no return';
    case 'paymentNotification':
      return arg.paymentRequestId === t.orderId && arg.paymentAmountFen === t.totalFen && arg.paymentId === t.paymentId
        ? null
        : 'the notification is not for this payment';
  }
}

const updateCase = fc.record({
  kind: fc.constantFrom(...(Object.keys(UPDATES) as Kind[])),
  operator: text,
  reason: text,
  pick: fc.nat(),
  amount: fc.oneof(fc.integer({ min: -10, max: 600_000 }), fc.constantFrom(0, 1.5, 1e308, NaN, Number.MAX_SAFE_INTEGER + 2)),
  // Mostly a plausible argument with a few fields changed; sometimes any value at all.
  mutations: fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 2 })),
  whole: fc.option(hostileValue, { freq: 8 }),
});

type UpdateCase = typeof updateCase extends fc.Arbitrary<infer T> ? T : never;
const example = (kind: Kind, whole: unknown): UpdateCase => ({
  kind,
  operator: 'ops-fuzz',
  reason: 'ops-fuzz',
  pick: 0,
  amount: 1,
  mutations: [],
  whole,
});

/** What the fuzz found on the validators: each was refused with a TypeError, not a rule (fixed in validators.ts). */
const FOUND = [
  example('correctDeclaration', null),
  example('paymentNotification', null),
  example('refundNotification', 7),
  example('pollNow', { operator: 1, reason: 'r' }),
  example('requestRefund', { requestedBy: ['a'], reason: 'r', amountFen: 1 }),
];

export async function fuzzValidators(env: FuzzEnv, runs: number) {
  let target: TargetOrder | undefined;
  await checkProperty(
    env.ctx,
    VALIDATORS,
    'refused with the rule named, and no event added',
    runs,
    updateCase,
    async (g) => {
      if (!target || !(await stillAwaitingPayment(env, target))) target = await startTarget(env);
      const t = target;
      const arg = g.whole !== null ? g.whole : mutate(baseArg(g.kind, t, g), g.mutations);
      const before = await acceptedUpdates(env, t.orderId);
      const handle = env.client.workflow.getHandle(orderWorkflowId(t.orderId));
      let refusal: unknown;
      try {
        await env.client.withDeadline(Date.now() + env.ctx.requestTimeoutMs, () =>
          handle.executeUpdate(UPDATES[g.kind] as UpdateDefinition<unknown, [unknown]>, { args: [arg] }),
        );
      } catch (error) {
        refusal = error;
      }
      const shown = () => `${g.kind}(${JSON.stringify(arg)?.slice(0, 300)})`;
      tally(env.ctx, VALIDATORS, refusal === undefined ? `${g.kind} accepted` : `refused ${ruleOfError(refusal) ?? '(no rule)'}`);
      if (refusal === undefined) {
        const why = mustRefuse(g.kind, arg, t);
        expect(why === null, () => `${shown()} was accepted, but ${why}`);
        return;
      }
      expect(ruleOfError(refusal), () => `${shown()} was refused without naming a rule: ${describeError(refusal)}`);
      const after = await acceptedUpdates(env, t.orderId);
      expect(after === before, () => `${shown()} was refused, yet the history gained ${after - before} accepted update(s)`);
    },
    FOUND,
  );
  await fuzzReconciliationSignal(env, Math.max(1, Math.round(runs / 5)));
}

/** A plausible flag, mostly mutated, or any value: what a client may send as the reconciliation signal. */
const signalCase = fc.record({
  mutations: fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 2 })),
  whole: fc.option(hostileValue, { freq: 3 }),
});
const FLAG: ReconciliationFlag = { date: '2026-01-05', codes: ['AMOUNT_MISMATCH'], reconciliationId: 'reconciliation-fuzz' };

/**
 * A signal has no validator: its handler ignores what it cannot read. A signal that threw would fail the
 * workflow task over and over, and the order would answer no update: the refused update below shows the
 * task that took the signal completed.
 */
async function fuzzReconciliationSignal(env: FuzzEnv, runs: number) {
  let target: TargetOrder | undefined;
  const found = [null, 7, { date: '2026-01-05', codes: 'AMOUNT_MISMATCH' }, { ...FLAG, codes: [{}] }];
  await checkProperty(
    env.ctx,
    VALIDATORS,
    'a malformed reconciliation signal fails no workflow task',
    runs,
    signalCase,
    async (g) => {
      if (!target || !(await stillAwaitingPayment(env, target))) target = await startTarget(env);
      const arg = g.whole !== null ? g.whole : mutate(FLAG, g.mutations);
      const handle = env.client.workflow.getHandle(orderWorkflowId(target.orderId));
      const shown = () => `reconciliationIssues(${JSON.stringify(arg)?.slice(0, 300)})`;
      await handle.signal(reconciliationFlagSignal, arg as ReconciliationFlag);
      let refusal: unknown;
      try {
        await env.client.withDeadline(Date.now() + env.ctx.requestTimeoutMs, () =>
          handle.executeUpdate(pollNowUpdate, { args: [{} as OperatorAction] }),
        );
      } catch (error) {
        refusal = error;
      }
      tally(env.ctx, VALIDATORS, `signal, then ${ruleOfError(refusal) ?? '(no rule)'}`);
      expect(ruleOfError(refusal) === 'OPERATOR_ACTION', () => `after ${shown()} the order answered no update: ${describeError(refusal)}`);
      const failed = ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
      expect(failed.length === 0, () => `${shown()} failed ${failed.length} workflow task(s)`);
    },
    found.map((whole) => ({ mutations: [], whole })),
  );
}
