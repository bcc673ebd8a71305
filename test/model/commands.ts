import type fc from 'fast-check';
import {
  OrderRefusedError,
  cancelOrder,
  orderStatus,
  requestRefund,
  resolveFailedRefund,
  returnGoods,
  startOrder,
} from '../../client/orders';
import { customsYear } from '../../domain/limits';
import type { RefundRequest } from '../../domain/order-api';
import { payerOf } from '../../dev/scenarios/orders';
import {
  cebRuleOf,
  modelOrder,
  timeoutsFor,
  type CustomsPath,
  type DeliveryFault,
  type ModelOrder,
  type ModelState,
  type Real,
  skipTime,
} from './model';

// The commands of a sequence. Each acts on the real stack and updates the model only with what the
// order accepted; a refusal by rule (OrderRefusedError) is legitimate and only recorded.

type Command = fc.AsyncCommand<ModelState, Real>;

/** Real time one client call may take before the sequence fails (a hang is a finding too). */
const CALL_DEADLINE_MS = 60_000;

/** Runs one client call; a refusal by rule is recorded and answers undefined. */
export async function attempt<T>(r: Real, what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await r.s.env.client.withDeadline(Date.now() + CALL_DEADLINE_MS, call);
    r.log.push(`${what}: accepted`);
    return result;
  } catch (error) {
    if (!(error instanceof OrderRefusedError)) throw error;
    r.refusals.push(`${what}: ${error.rule}`);
    r.log.push(`${what}: refused ${error.rule}`);
    return undefined;
  }
}

/** Commands about one order name it by its place in the sequence, counted round the orders there are. */
export abstract class OnOrder implements Command {
  constructor(readonly index: number) {}
  protected order(m: Readonly<ModelState>): ModelOrder {
    return m.orders[this.index % m.orders.length];
  }
  check(m: Readonly<ModelState>): boolean {
    return m.orders.length > 0;
  }
  abstract run(m: ModelState, r: Real): Promise<void>;
  abstract toString(): string;
}

export class Checkout implements Command {
  constructor(
    readonly paths: CustomsPath[],
    readonly fault: DeliveryFault,
    readonly continueAsNew: boolean,
    /** The buyer pays at once, as most buyers do. */
    readonly payNow = false,
  ) {}
  check = (m: Readonly<ModelState>) => m.orders.length < 4;
  async run(m: ModelState, r: Real) {
    const orderId = `${r.run}-O${++r.checkouts}`;
    const { input, parts } = modelOrder(orderId, r.buyer, this.paths);
    await r.s.f.helpers.cebRules({ orders: Object.fromEntries(parts.map((p) => [p.orderNo, cebRuleOf(p.path, this.fault)])) });
    const year = customsYear(await r.s.env.currentTimeMs());
    const started = await attempt(r, `checkout ${orderId}: ${this.toString()}`, () =>
      startOrder(r.s.env.client, input, { taskQueue: r.s.taskQueue, timeouts: timeoutsFor(this.continueAsNew) }),
    );
    // An order refused at checkout took no money and is no order of the buyer's.
    if (!started) return;
    m.orders.push({
      orderId,
      input,
      split: parts.length > 1,
      parts,
      year,
      paid: false,
      cancelled: false,
      refunds: new Map(),
      failing: [],
      returns: [],
    });
    if (this.payNow) await new Pay(m.orders.length - 1).run(m, r);
  }
  toString = () =>
    `checkout(${this.paths.join('+')}, ${this.fault}${this.continueAsNew ? ', continueAsNew' : ''}${this.payNow ? ', paid' : ''})`;
}

/** The buyer pays; after a cancel or the expiry the sandbox refuses it, as Alipay+ would. */
export class Pay extends OnOrder {
  override check = (m: Readonly<ModelState>) => super.check(m) && !this.order(m).paid;
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    try {
      await r.s.f.helpers.pay(o.orderId, payerOf(r.buyer));
    } catch (error) {
      if (!String(error).includes('HTTP 409')) throw error;
      r.refusals.push(`pay ${o.orderId}: the sandbox refused it`);
      r.log.push(`pay ${o.orderId}: refused by the sandbox (${String(error).slice(-80)})`);
      return;
    }
    o.paid = true;
    r.log.push(`pay ${o.orderId}: paid`);
    await untilAcknowledged(r, o.orderId);
  }
  toString = () => `pay(o${this.index + 1})`;
}

/**
 * Waits, in bounded real time, until the receiver acknowledged the payment notification, so skipping time
 * after it does not race the order's inquiry. An order that has ended may never acknowledge it: that is
 * for the invariants to judge, so this only logs it.
 */
export async function untilAcknowledged(r: Real, orderId: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [n] = (await r.s.f.helpers.ledgerOf(orderId)).notifications;
    if (n?.attempts.some((a) => a.outcome === 'ACKNOWLEDGED')) return;
    if (Date.now() > deadline) return void r.log.push(`pay ${orderId}: notification not acknowledged within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class Cancel extends OnOrder {
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    const done = await attempt(r, `cancel ${o.orderId}`, () =>
      cancelOrder(r.s.env.client, o.orderId, { operator: 'ops@model', reason: 'model' }),
    );
    if (done) o.cancelled = true;
  }
  toString = () => `cancel(o${this.index + 1})`;
}

/** Skips the test server's time: past a payment's expiry, a refund's cut-off, customs' steps. */
export class Skip implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: ModelState, r: Real) {
    await skipTime(r.s, this.ms);
    r.log.push(`skip ${this.ms / 60_000} min`);
  }
  toString = () => `skip(${this.ms / 60_000} min)`;
}

/** A partial refund asked with the caller's key; the same key again is a retry that must not refund twice. */
export class Refund extends OnOrder {
  constructor(
    index: number,
    readonly key: number,
    readonly amountFen: number,
  ) {
    super(index);
  }
  override check = (m: Readonly<ModelState>) => super.check(m) && this.order(m).paid;
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    const key = `${o.orderId}-K${this.key}`;
    const retry = o.refunds.has(key);
    // 0 asks for all the order says is refundable now.
    const amountFen = o.refunds.get(key) ?? (this.amountFen || (await orderStatus(r.s.env.client, o.orderId)).refundableFen);
    const request: RefundRequest & { idempotencyKey: string } = {
      amountFen,
      reason: `model refund ${key}`,
      requestedBy: 'support@model',
      idempotencyKey: key,
    };
    const view = await attempt(r, `${retry ? 'retry ' : ''}refund ${key} ${request.amountFen}`, () =>
      requestRefund(r.s.env.client, o.orderId, request),
    );
    if (view && !retry) o.refunds.set(key, request.amountFen);
  }
  toString = () => `refund(o${this.index + 1}, K${this.key}, ${this.amountFen || 'all refundable'})`;
}

/** Alipay+ will fail the order's next refund at its cut-off. */
export class FailNextRefund extends OnOrder {
  override check = (m: Readonly<ModelState>) => super.check(m) && this.order(m).paid;
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    const made = (await r.s.f.helpers.ledgerOf(o.orderId)).refunds.length;
    const next = `${o.orderId}-R${made + 1}`;
    await r.s.f.helpers.failRefund(next, { resultCode: 'REFUND_FAILED', resultMessage: "the buyer's account is closed" });
    o.failing.push(next);
    r.log.push(`failRefund ${next}`);
  }
  toString = () => `failNextRefund(o${this.index + 1})`;
}

/** An operator decides on a failed refund: retry it, or record the buyer was paid back another way. */
export class ResolveFailedRefund extends OnOrder {
  constructor(
    index: number,
    readonly action: 'RETRY' | 'SETTLED_OUTSIDE_ALIPAY',
  ) {
    super(index);
  }
  override check = (m: Readonly<ModelState>) => super.check(m) && this.order(m).failing.length > 0;
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    await attempt(r, `resolveFailedRefund ${o.orderId} ${this.action}`, () =>
      resolveFailedRefund(r.s.env.client, o.orderId, { action: this.action, operator: 'ops@model', reason: 'model' }),
    );
  }
  toString = () => `resolveFailedRefund(o${this.index + 1}, ${this.action})`;
}

/** The buyer sends one unit of one part's goods back (CEB625). */
export class ReturnGoods extends OnOrder {
  constructor(
    index: number,
    readonly part: number,
  ) {
    super(index);
  }
  override check = (m: Readonly<ModelState>) => super.check(m) && this.order(m).paid;
  async run(m: ModelState, r: Real) {
    const o = this.order(m);
    const part = o.parts[Math.min(this.part, o.parts.length - 1)];
    const view = await attempt(r, `returnGoods ${part.orderNo} ${part.sku}`, () =>
      returnGoods(r.s.env.client, o.orderId, {
        orderNo: part.orderNo,
        operator: 'returns@model',
        reason: 'model',
        lines: [{ sku: part.sku, quantity: 1 }],
      }),
    );
    if (view) o.returns.push(part.orderNo);
  }
  toString = () => `returnGoods(o${this.index + 1}, part ${this.part + 1})`;
}

/** The worker is shut down and another takes over, replaying what the first one had cached. */
export class RestartWorker implements Command {
  check = () => true;
  async run(_m: ModelState, r: Real) {
    await r.s.restartWorker();
    r.log.push('worker restarted');
  }
  toString = () => 'restartWorker()';
}
