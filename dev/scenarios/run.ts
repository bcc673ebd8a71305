import { startOrder } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import type { CheckoutResult, OrderStatus, OrderTimeouts } from '../../domain/order-api';
import type { Stack } from '../stack';
import { payerOf, type Buyer } from './orders';
import { waitForStatus } from './wait-for-status';

// What a scenario does to its order on the local stack: check out, pay as the buyer, wait for a stage.
// The demo and the history recorder each make one run and drive their scenarios through it.

/** Alipay+ may adjust its 5-minute retransmission gap (seed 003); 30 s keeps the demo and the recording short. */
export const LOCAL_RETRANSMIT_GAP_MS = 30_000;
/** Alipay+ processes refunds at its next daily cut-off (seed 001); on the local stack 5 s after they are submitted. */
export const LOCAL_REFUND_SETTLE_DELAY_MS = 5_000;
/** The orders' timeouts on the local stack: stuck after 10 minutes of customs, retransmitted after the short gap. */
export const LOCAL_TIMEOUTS = {
  customsReviewDeadlineMs: 10 * 60_000,
  clearanceDeadlineMs: 10 * 60_000,
  retransmitGapMs: LOCAL_RETRANSMIT_GAP_MS,
};
/** Customs answers in 5 s and clears 3 s after the documents are in, unless a scenario sets a rule of its own. */
export const QUICK_CUSTOMS = {
  default: { outcomes: [{ decision: 'ACCEPT' as const }], processingAfterMs: 2_000, decisionAfterMs: 5_000 },
  clearance: { default: { decision: 'RELEASE' as const, afterMs: 3_000 } },
};

export interface RunOptions {
  /** Who acts as the operator, in the orders' audit trails. */
  operator: string;
  /** Pays the orders that someone other than their buyer pays. */
  otherPayer: Buyer;
  timeouts: OrderTimeouts;
  /** Bounds each wait for a stage. */
  waitTimeoutMs: number;
  /** Told each checkout, e.g. to show the cashier URL. */
  onCheckout?: (order: OrderInput, checkout: CheckoutResult) => void;
  /** Told each status seen while an order is waited for, e.g. to show progress. */
  onStatus?: (status: OrderStatus) => void;
}

export interface PayOptions {
  /** Alipay+'s identity check of the buyer answers CHECK_NOT_PASSED, though the buyer pays (sandbox rule). */
  failIdentityCheck?: boolean;
  /** Alipay+'s notification of this payment is lost, so the order must find the payment by polling. */
  dropNotification?: boolean;
}

export interface Run {
  stack: Stack;
  operator: string;
  otherPayer: Buyer;
  /** Checks the order out, with the run's timeouts and these changes to them. */
  start(order: OrderInput, timeouts?: Partial<OrderTimeouts>): Promise<CheckoutResult>;
  /** The payer pays the order at the cashier. */
  pay(orderId: string, payer: Buyer, how?: PayOptions): Promise<void>;
  waitFor(orderId: string, what: string, done: (s: OrderStatus) => boolean): Promise<OrderStatus>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function scenarioRun(stack: Stack, options: RunOptions): Run {
  /**
   * The sandbox's notification faults apply to every payment, so the buyers pay one at a time, each until
   * Alipay+ has made the first attempt to notify the payment: a path that drops its notification drops no other's.
   */
  let payTurn: Promise<unknown> = Promise.resolve();
  const payOneAtATime = async (orderId: string, payer: Buyer, how: PayOptions) => {
    if (how.dropNotification) await stack.helpers.faults({ dropNotificationRate: 1 });
    try {
      if (how.failIdentityCheck) await stack.helpers.failIdentityCheck(orderId);
      await stack.helpers.pay(orderId, payerOf(payer));
      const deadline = Date.now() + 60_000;
      while (!(await stack.helpers.ledgerOf(orderId)).notifications.some((d) => d.attempts.length > 0)) {
        if (Date.now() > deadline) throw new Error(`Alipay+ did not try to notify the payment of ${orderId}`);
        await sleep(200);
      }
    } finally {
      if (how.dropNotification) await stack.helpers.faults({});
    }
  };

  return {
    stack,
    operator: options.operator,
    otherPayer: options.otherPayer,
    start: async (order, timeouts = {}) => {
      const checkout = await startOrder(stack.client, order, {
        taskQueue: stack.taskQueue,
        timeouts: { ...options.timeouts, ...timeouts },
      });
      options.onCheckout?.(order, checkout);
      return checkout;
    },
    pay: (orderId, payer, how = {}) => {
      const turn = payTurn.then(() => payOneAtATime(orderId, payer, how));
      payTurn = turn.catch(() => undefined);
      return turn;
    },
    waitFor: (orderId, what, done) =>
      waitForStatus(stack.client, orderId, what, done, { timeoutMs: options.waitTimeoutMs, onStatus: options.onStatus }),
  };
}
