import { startOrder } from '../../client/orders';
import { MAX_ORDER_FEN } from '../../domain/limits';
import { dutiableValueFen, orderProblems, type OrderInput } from '../../domain/order';
import { mutate, orderInput, withOrderId } from './arbitraries';
import { orderExists, sandboxPayment, type FuzzEnv } from './env';
import { checkProperty, expect, tally } from './harness';
import { describeError, ruleOfError } from './refusals';

// startOrder, as an order system calls it: generated and mutated orders. A refused order leaves no
// workflow and no payment at Alipay+; an accepted one obeys every order rule, and Alipay+ was asked
// for exactly its total.

export const START_ORDER = 'startOrder';

const isIdLike = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v);

export async function fuzzStartOrder(env: FuzzEnv, runs: number) {
  await checkProperty(env.ctx, START_ORDER, 'refused with the rule named; only valid orders reach Alipay+', runs, orderInput, async (g) => {
    const orderId = env.nextOrderId('SO');
    const input = mutate(withOrderId(g.order, orderId), g.mutations) as OrderInput;
    const problems = orderProblems(input, { customsMessages: true });
    let accepted: Awaited<ReturnType<typeof startOrder>> | undefined;
    let refusal: unknown;
    try {
      accepted = await env.client.withDeadline(Date.now() + env.ctx.requestTimeoutMs * 2, () =>
        startOrder(env.client, input, { taskQueue: env.stack.taskQueue }),
      );
    } catch (error) {
      refusal = error;
    }
    // The ids this case could have reached Alipay+ and Temporal under: its own, and a mutated one.
    const ids = [...new Set([orderId, (input as { orderId?: unknown })?.orderId].filter(isIdLike))];
    if (refusal !== undefined) {
      tally(env.ctx, START_ORDER, `refused ${ruleOfError(refusal) ?? '(no rule)'}`);
      expect(ruleOfError(refusal), () => `refusal names no rule: ${describeError(refusal)}`);
      for (const id of ids) {
        const payment = await sandboxPayment(env, id);
        expect(!payment, () => `refused (${describeError(refusal)}), yet Alipay+ has payment ${id}: ${JSON.stringify(payment)}`);
        if (problems) expect(!(await orderExists(env, id)), () => `an invalid order was refused, yet workflow order-${id} exists`);
      }
      return;
    }
    tally(env.ctx, START_ORDER, 'accepted');
    expect(problems === null, () => `startOrder accepted an order that breaks the rules (${problems}): ${JSON.stringify(accepted)}`);
    const order = input;
    const payment = await sandboxPayment(env, order.orderId);
    expect(payment, () => `startOrder answered ${JSON.stringify(accepted)}, but Alipay+ has no payment ${order.orderId}`);
    expect(
      payment.paymentAmount.currency === 'CNY' &&
        payment.paymentAmount.value === String(order.totalFen) &&
        dutiableValueFen(order) <= MAX_ORDER_FEN,
      () => `Alipay+ was asked for ${JSON.stringify(payment.paymentAmount)} for an order of ${order.totalFen} fen`,
    );
  });
}
