import { payerOf } from '../../dev/scenarios/orders';
import type { WorkflowStack } from '../support/temporal';
import { OnOrder } from './commands';
import { settled } from './facts';
import { DAY, HOUR, MINUTE, type ModelState, type Real, skipTime } from './model';

// Commands about when things happen: waiting (in skipped time) for an order to settle, and the buyer
// paying at the moment the order cancels the payment.

/** Skipped time between looks while one order settles: minutes, then hours; two days at most. */
const AWAIT_STEPS = [...Array<number>(10).fill(MINUTE), ...Array<number>(12).fill(10 * MINUTE), ...Array<number>(46).fill(HOUR)];

/** Skips time until the order is released, has ended or is stuck, so later commands meet it there. */
export class AwaitSettled extends OnOrder {
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    for (const step of AWAIT_STEPS) {
      if (await settled(r.s, o.orderId)) return void r.log.push(`await ${o.orderId}: settled`);
      await skipTime(r.s, step);
    }
    r.log.push(`await ${o.orderId}: not settled within 2 days`);
  }
  toString = () => `awaitSettled(o${this.index + 1})`;
}

/** Skips to a day into the next customs year (China Standard Time): its quota is another entity's. */
export class SkipToNextYear {
  check = () => true;
  async run(_m: ModelState, r: Real) {
    const now = await r.s.env.currentTimeMs();
    const cst = new Date(now + 8 * HOUR);
    const nextYear = Date.UTC(cst.getUTCFullYear() + 1, 0, 1) - 8 * HOUR;
    await skipTime(r.s, nextYear - now + DAY);
    r.log.push(`skipped to ${new Date(nextYear + DAY).toISOString()}`);
  }
  toString = () => 'skipToNextYear()';
}

/** What runs, per stack and payment, just before the order's next cancelPayment call reaches Alipay+. */
const beforeCancel = new WeakMap<WorkflowStack, Map<string, () => Promise<void>>>();

function armBeforeCancel(s: WorkflowStack, paymentRequestId: string, hook: () => Promise<void>) {
  let hooks = beforeCancel.get(s);
  if (!hooks) {
    const armed = new Map<string, () => Promise<void>>();
    s.stubs.set('cancelPayment', async (real, ...args) => {
      const { paymentRequestId: id } = args[0] as { paymentRequestId: string };
      const run = armed.get(id);
      armed.delete(id);
      await run?.();
      return real(...args);
    });
    beforeCancel.set(s, (hooks = armed));
  }
  hooks.set(paymentRequestId, hook);
}

/**
 * The buyer pays just as the order cancels the payment (at expiry, or an operator's cancel): the payment
 * arrives while the cancel is on its way, and Alipay+ answers it INVALID_ORDER_STATUS.
 */
export class PayDuringCancel extends OnOrder {
  override check = (m: Readonly<ModelState>) => super.check(m) && !this.order(m).paid;
  run(m: ModelState, r: Real) {
    const o = this.order(m);
    armBeforeCancel(r.s, o.orderId, async () => {
      try {
        await r.s.f.helpers.pay(o.orderId, payerOf(r.buyer));
        o.paid = true;
        r.log.push(`pay ${o.orderId} during its cancel: paid`);
      } catch (error) {
        r.log.push(`pay ${o.orderId} during its cancel: ${String(error).slice(-80)}`);
      }
    });
    r.log.push(`pay ${o.orderId} armed for its cancel`);
    return Promise.resolve();
  }
  toString = () => `payDuringCancel(o${this.index + 1})`;
}
