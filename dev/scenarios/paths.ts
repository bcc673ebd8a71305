import { APIS } from '../../alipay-plus';
import {
  cancelOrder,
  correctDeclaration,
  orderHandle,
  orderStatus,
  pollNow,
  requestRefund,
  resolveFailedRefund,
  reviewRealName,
} from '../../client/orders';
import { refundRequestIdFor, type OrderInput } from '../../domain/order';
import { paymentNotificationUpdate, type OrderStatus } from '../../domain/order-api';
import type { CustomsRules } from '../../sandbox/helper-client';
import { FACE_CREAM, MILK_TIN, itemShares, priced, sampleOrder, type Buyer } from './orders';
import { CUSTOMS_SCENARIOS } from './customs-paths';
import { MONEY_SCENARIOS } from './money-paths';
import { LOCAL_RETRANSMIT_GAP_MS, sleep, type Run } from './run';
import type { Scenario } from './scenario';

// The main paths of an order, each written once: the order, and what the buyer, customs and the operator
// do to it until it reaches the end of its path. The demo runs a few of them; the history recorder
// records them all (but the demo-only one) into test/histories/<name>.json, so their inputs and their
// sequence of actions must not change without recording those histories again.

/**
 * A passport has no check digit, so its holder's orders wait for an operator's manual real-name review.
 * The passport paths are the only orders of another buyer, with a quota entity of their own.
 */
export const PASSPORT_BUYER: Buyer = { fullName: 'TANAKA YUI', certificateType: 'PASSPORT', certificateNo: 'TZ7310462' };

/** The paths' orders are of two tins, 398.00 CNY, with 10.00 CNY freight and 37.13 CNY tax: 445.13 CNY. */
const TWO_TINS = priced([{ ...MILK_TIN, quantity: 2 }]);
/** A tin and two jars of face cream (high-end cosmetics), split into 2 customs orders: the tin, and the cream. */
const TIN_AND_CREAM = [{ ...MILK_TIN }, { ...FACE_CREAM, quantity: 2 }];

const released = (s: OrderStatus) => s.stage === 'RELEASED_FOR_DELIVERY';
const refunded = (s: OrderStatus) => s.stage === 'REFUNDED';
const awaitingCorrection = (s: OrderStatus) => s.declarations[0]?.status === 'AWAITING_CORRECTION';

/** Customs rejects the order's first declaration with code 100, and accepts it once it is sent again. */
const rejectedOnce = (
  orderId: string,
  description: string,
  timing = { processingAfterMs: 2_000, decisionAfterMs: 5_000 },
): CustomsRules => ({
  orders: { [orderId]: { outcomes: [{ decision: 'REJECT', code: '100', description }, { decision: 'ACCEPT' }], ...timing } },
});

/** Customs inspects the order's goods and sends them back abroad (700): the order is not cleared and refunds. */
const sentBackAbroad = (run: Run, orderId: string, reason: string) =>
  run.stack.helpers.cebRules({ orders: { [orderId]: { paths: [{ kind: 'RETURN_ABROAD', reason }] } } });

/** The order is checked out and paid by its buyer, and nothing else happens to it. */
const paidByBuyer =
  (what: string, done: (s: OrderStatus) => boolean) =>
  async (run: Run, order: OrderInput): Promise<OrderStatus> => {
    await run.start(order);
    await run.pay(order.orderId, order.buyer);
    return run.waitFor(order.orderId, what, done);
  };

/** The passport holder pays, then waits for the operator's review, who decides it. */
const reviewed =
  (approved: boolean, what: string, done: (s: OrderStatus) => boolean) =>
  async (run: Run, order: OrderInput): Promise<OrderStatus> => {
    await run.start(order);
    await run.pay(order.orderId, order.buyer);
    await run.waitFor(order.orderId, 'the manual real-name review', (s) => s.stage === 'REAL_NAME_REVIEW');
    await reviewRealName(run.stack.client, order.orderId, {
      operator: run.operator,
      approved,
      reason: approved ? 'the passport photo and name match the buyer' : 'the passport scan does not match the buyer',
    });
    return run.waitFor(order.orderId, what, done);
  };

export const SCENARIOS: Scenario[] = [
  {
    name: 'cleared',
    title: 'cleared',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'CLEARED', buyer, ...TWO_TINS }),
    drive: paidByBuyer('RELEASED_FOR_DELIVERY', released),
  },
  {
    name: 'app-checkout',
    title: 'from an Android app, paid in Alipay',
    input: (prefix, buyer) =>
      sampleOrder({ prefix, name: 'APP-ANDROID', buyer, ...TWO_TINS, terminal: { terminalType: 'APP', osType: 'ANDROID' } }),
    drive: async (run, order) => {
      const checkout = await run.start(order);
      // The merchant's app opens Alipay by the scheme URL or the App Link; the H5 page is its fallback.
      if (!checkout.links?.schemeUrl || !checkout.links.applinkUrl) {
        throw new Error(`checkout from an app got no app links: ${JSON.stringify(checkout.links)}`);
      }
      await run.pay(order.orderId, order.buyer);
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    name: 'split',
    title: 'split into 2 customs orders',
    input: (prefix, buyer) =>
      sampleOrder({
        prefix,
        name: 'SPLIT',
        buyer,
        ...priced(TIN_AND_CREAM),
        customs: { district: 'NINGBO', merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
        // Each part is what its goods cost the buyer, freight share and tax included.
        splitParts: itemShares(TIN_AND_CREAM).map((amountFen, i) => ({ referenceOrderId: `${prefix}SPLIT-P${i + 1}`, amountFen })),
      }),
    drive: paidByBuyer('RELEASED_FOR_DELIVERY', released),
  },
  {
    name: 'rejected-corrected-retransmitted',
    title: 'rejected, corrected, retransmitted',
    input: (prefix, buyer) =>
      sampleOrder({
        prefix,
        name: 'CORRECTED',
        buyer,
        ...TWO_TINS,
        customs: { district: 'SHANGHAI_CBT', merchantCustomsCode: 'MC-OLD', merchantCustomsName: 'Example Merchant Ltd' },
      }),
    drive: async (run, order) => {
      await run.stack.helpers.customsRules(rejectedOnce(order.orderId, 'merchant customs code MC-OLD is not registered at SHANGHAI_CBT'));
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      const rejected = await run.waitFor(order.orderId, 'a declaration awaiting correction', awaitingCorrection);
      await correctDeclaration(run.stack.client, order.orderId, {
        declarationId: rejected.declarations[0].declarationId,
        merchantCustomsCode: 'MC-0001',
        operator: run.operator,
        reason: 'the registered merchant customs code is MC-0001',
      });
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    name: 'identity-mismatch-refunded',
    title: 'identity mismatch, refunded',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'MISMATCH', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.pay(order.orderId, run.otherPayer);
      return run.waitFor(order.orderId, 'REFUNDED', refunded);
    },
  },
  {
    name: 'expired-cancelled',
    title: 'not paid, expired, cancelled',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'EXPIRED', buyer, ...TWO_TINS, paymentExpiryMinutes: 1 }),
    drive: async (run, order) => {
      await run.start(order);
      return run.waitFor(order.orderId, 'CANCELLED', (s) => s.stage === 'CANCELLED');
    },
  },
  {
    name: 'rejected-left-stuck',
    title: 'rejected, left stuck for an operator',
    demoOnly: true,
    input: (prefix, buyer) =>
      sampleOrder({
        prefix,
        name: 'STUCK',
        buyer,
        ...TWO_TINS,
        customs: { district: 'ZHENGZHOU', merchantCustomsCode: 'MC-0009', merchantCustomsName: 'Example Merchant Ltd' },
      }),
    drive: async (run, order) => {
      await run.stack.helpers.customsRules(rejectedOnce(order.orderId, 'merchant customs code MC-0009 is not registered at ZHENGZHOU'));
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      return run.waitFor(order.orderId, 'stuck CUSTOMS_REJECTED', (s) => s.stuck?.code === 'CUSTOMS_REJECTED');
    },
  },
  {
    name: 'cancelled-in-customs-review',
    title: 'cancelled during the customs review',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'CANCELLED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      // Customs takes its time with this one, so the operator cancels it while it is under review.
      await run.stack.helpers.customsRules({
        orders: { [order.orderId]: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 2_000, decisionAfterMs: 30 * 60_000 } },
      });
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(
        order.orderId,
        'a customs review that was polled',
        (s) => s.stage === 'CUSTOMS_REVIEW' && s.declarations[0]?.status === 'IN_PROCESS',
      );
      return cancelOrder(run.stack.client, order.orderId, {
        operator: run.operator,
        reason: 'the buyer withdrew the order before customs decided',
      });
    },
  },
  {
    name: 'partial-refund-after-release',
    title: 'released, then partly refunded',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'PARTIAL-REFUND', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
      await requestRefund(run.stack.client, order.orderId, {
        amountFen: 19_900,
        reason: 'one tin arrived damaged',
        requestedBy: 'support-agent',
      });
      return run.waitFor(order.orderId, 'a succeeded refund', (s) => s.refunds.some((r) => r.status === 'SUCCEEDED'));
    },
  },
  {
    name: 'passport-review-approved',
    title: 'passport holder, review approved',
    input: (prefix) => sampleOrder({ prefix, name: 'PASSPORT-APPROVED', buyer: PASSPORT_BUYER, ...TWO_TINS }),
    drive: reviewed(true, 'RELEASED_FOR_DELIVERY', released),
  },
  {
    name: 'passport-review-rejected-refunded',
    title: 'passport holder, review rejected, refunded',
    input: (prefix) => sampleOrder({ prefix, name: 'PASSPORT-REJECTED', buyer: PASSPORT_BUYER, ...TWO_TINS }),
    drive: reviewed(false, 'REFUNDED', refunded),
  },
  {
    // Replaces payer-not-verified-refunded, whose payerRealNameVerified Alipay+ does not have (its histories stay).
    name: 'identity-check-not-passed-refunded',
    title: "the buyer pays, but Alipay+'s identity check answers CHECK_NOT_PASSED, refunded",
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'IDENTITY-NOT-PASSED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.pay(order.orderId, order.buyer, { failIdentityCheck: true });
      return run.waitFor(order.orderId, 'REFUNDED', refunded);
    },
  },
  {
    name: 'clearance-rejected-refunded',
    title: 'goods sent back abroad by customs (700), refunded',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'CLEARANCE-REJECTED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await sentBackAbroad(run, order.orderId, 'inspection found goods that do not match the order document');
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      return run.waitFor(order.orderId, 'REFUNDED', refunded);
    },
  },
  {
    name: 'auto-retransmitted',
    title: 'rejected for missing payment data, retransmitted by itself',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'AUTO-RETRANSMIT', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      // Customs lacks the payment data the first time: the workflow retransmits by itself after the gap.
      await run.stack.helpers.customsRules(rejectedOnce(order.orderId, 'the payment data was not received from the payment company'));
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      const st = await run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
      if (st.declarations[0]?.attempts !== 2)
        throw new Error(`${order.orderId} was declared ${st.declarations[0]?.attempts} time(s), not 2`);
      return st;
    },
  },
  {
    name: 'declare-refused-corrected',
    title: 'corrected too early, refused, corrected again',
    input: (prefix, buyer) =>
      sampleOrder({
        prefix,
        name: 'DECLARE-REFUSED',
        buyer,
        ...TWO_TINS,
        customs: { district: 'ZHENGZHOU', merchantCustomsCode: 'MC-OLD', merchantCustomsName: 'Example Merchant Ltd' },
      }),
    drive: async (run, order) => {
      // Alipay+ may lengthen its retransmission gap. This order still uses a gap of 5 s, shorter than the
      // sandbox's 30 s, so Alipay+ refuses (F REPEAT_REQ_INCONSISTENT) the corrected declaration the
      // workflow retransmits: DECLARE_REFUSED. The operator corrects again once Alipay+'s gap has passed.
      const id = order.orderId;
      const { client } = run.stack;
      await run.stack.helpers.customsRules(
        rejectedOnce(id, 'merchant customs code MC-OLD is not registered at ZHENGZHOU', { processingAfterMs: 500, decisionAfterMs: 1_500 }),
      );
      await run.start(order, { retransmitGapMs: 5_000 });
      await run.pay(id, order.buyer);
      await run.waitFor(id, 'CUSTOMS_REVIEW', (s) => s.stage === 'CUSTOMS_REVIEW');
      await sleep(2_000); // customs has decided; the operator does not wait for the first poll
      await pollNow(client, id, { operator: run.operator, reason: 'customs has answered; check the declaration now' });
      const rejected = await run.waitFor(id, 'a declaration awaiting correction', awaitingCorrection);
      const declarationId = rejected.declarations[0].declarationId;
      await correctDeclaration(client, id, {
        declarationId,
        merchantCustomsCode: 'MC-0001',
        operator: run.operator,
        reason: 'the registered merchant customs code is MC-0001',
      });
      const refused = await run.waitFor(
        id,
        'a refused retransmission',
        (s) => s.stuck?.code === 'DECLARE_REFUSED' || s.declarations[0].attempts > 1,
      );
      if (refused.stuck?.code !== 'DECLARE_REFUSED') {
        throw new Error(`Alipay+ did not refuse the early retransmission of ${declarationId}: ${JSON.stringify(refused.declarations[0])}`);
      }
      // Alipay+'s gap counts from its last accepted call, which a refused call does not move.
      await sleep(Math.max(0, Date.parse(refused.declarations[0].lastCallAt!) + LOCAL_RETRANSMIT_GAP_MS + 2_000 - Date.now()));
      await correctDeclaration(client, id, {
        declarationId,
        merchantCustomsCode: 'MC-0001',
        operator: run.operator,
        reason: "retransmit once Alipay+'s retransmission gap has passed",
      });
      return run.waitFor(id, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    // The notification is lost, so the order learns the payment by polling inquiryPayment after a minute.
    name: 'paid-by-inquiry',
    title: 'notification lost, paid by inquiry',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'BY-INQUIRY', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.pay(order.orderId, order.buyer, { dropNotification: true });
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    // An F notification that Alipay+'s records do not bear out: the order asks inquiryPayment, finds the
    // payment still open, and waits on; the buyer pays.
    name: 'failure-notification-unconfirmed',
    title: 'F notification not confirmed, paid after all',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'F-NOTIFIED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      const checkout = await run.start(order);
      const { paymentId } = (await orderStatus(run.stack.client, order.orderId)).payment;
      await orderHandle(run.stack.client, order.orderId).executeUpdate(paymentNotificationUpdate, {
        args: [
          {
            paymentRequestId: checkout.paymentRequestId,
            paymentId: paymentId!,
            resultStatus: 'F',
            resultCode: 'PAYMENT_FAIL',
            paymentAmountFen: order.totalFen,
          },
        ],
      });
      await run.waitFor(
        order.orderId,
        'the failure inquired',
        (s) => s.payment.status === 'PROCESSING' && s.payment.notificationsReceived > 0,
      );
      await run.pay(order.orderId, order.buyer);
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    name: 'cancelled-before-payment',
    title: 'cancelled by an operator before payment',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'CANCELLED-UNPAID', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      return cancelOrder(run.stack.client, order.orderId, { operator: run.operator, reason: 'the buyer changed their mind' });
    },
  },
  {
    // Customs rejects both parts; the operator corrects one, and the order stays stuck on the other.
    name: 'split-both-rejected-corrected',
    title: 'split, both parts rejected, corrected one by one',
    input: (prefix, buyer) =>
      sampleOrder({
        prefix,
        name: 'SPLIT-REJECTED',
        buyer,
        ...TWO_TINS,
        // Half each: the parts add up to the tax-inclusive total.
        splitParts: [
          { referenceOrderId: `${prefix}SPLIT-REJECTED-P1`, amountFen: Math.floor(TWO_TINS.totalFen / 2) },
          { referenceOrderId: `${prefix}SPLIT-REJECTED-P2`, amountFen: Math.ceil(TWO_TINS.totalFen / 2) },
        ],
      }),
    drive: async (run, order) => {
      const rejected = rejectedOnce(order.orderId, 'merchant customs code MC-OLD is not registered').orders![order.orderId];
      await run.stack.helpers.customsRules({ declarations: { [`${order.orderId}-D1`]: rejected, [`${order.orderId}-D2`]: rejected } });
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      const both = await run.waitFor(order.orderId, 'both parts awaiting correction', (s) =>
        s.declarations.every((d) => d.status === 'AWAITING_CORRECTION'),
      );
      for (const d of both.declarations) {
        await correctDeclaration(run.stack.client, order.orderId, {
          declarationId: d.declarationId,
          merchantCustomsCode: 'MC-0001',
          operator: run.operator,
          reason: 'the registered code is MC-0001',
        });
      }
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    // A slow customs review in a run kept short (continueAsNewAfterEvents): the order continues as new
    // and is released in the new run. The recorder keeps every run's history.
    name: 'continued-as-new',
    title: 'long customs review, continued as new',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'CONTINUED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.stack.helpers.customsRules({ orders: { [order.orderId]: { processingAfterMs: 0, decisionAfterMs: 100_000 } } });
      // 30: a lean order writes far fewer events per poll, and must still continue as new here.
      await run.start(order, { continueAsNewAfterEvents: 30 });
      await run.pay(order.orderId, order.buyer);
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    // Refunds settle later (refunds-settle-later): Alipay+ accepts an operator's refund, has no CNY for it
    // for a while, then processes it; notifyRefund tells the order, which shows it PROCESSING until then.
    name: 'refund-settled-later',
    title: 'released, a partial refund waits for funds, then settles',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'REFUND-LATER', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
      await run.stack.helpers.holdRefund(refundRequestIdFor(order.orderId, 1), 10_000);
      await requestRefund(run.stack.client, order.orderId, {
        amountFen: 9_900,
        reason: 'one tin arrived dented',
        requestedBy: 'support-agent',
      });
      return run.waitFor(order.orderId, 'the refund settled', (s) => s.refunds[0]?.status === 'SUCCEEDED');
    },
  },
  {
    // The compensating refund is accepted, then ends FAIL: the order waits stuck with REFUND_FAILED and its
    // reason until the operator retries it; the retry succeeds.
    name: 'refund-failed',
    title: 'goods sent back abroad, the accepted refund fails, retried by an operator',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'REFUND-FAILED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await sentBackAbroad(run, order.orderId, 'the goods do not match the order document');
      await run.stack.helpers.failRefund(refundRequestIdFor(order.orderId, 1), {
        resultCode: 'REFUND_FAILED',
        resultMessage: "the buyer's account is frozen",
      });
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'stuck REFUND_FAILED', (s) => s.stuck?.code === 'REFUND_FAILED');
      await resolveFailedRefund(run.stack.client, order.orderId, { operator: run.operator, reason: 'account unfrozen', action: 'RETRY' });
      return run.waitFor(order.orderId, 'REFUNDED', refunded);
    },
  },
  {
    // Alipay+ refuses the compensating refund (a window of F answers on refund); the order waits stuck
    // with REFUND_FAILED, its quota held, until the operator retries it.
    name: 'refund-refused-retried',
    title: 'goods sent back abroad, refund refused, retried by an operator',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'REFUND-REFUSED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await sentBackAbroad(run, order.orderId, 'the goods do not match the order document');
      await run.start(order);
      await run.pay(order.orderId, order.buyer);
      await run.waitFor(order.orderId, 'CLEARANCE', (s) => s.stage === 'CLEARANCE');
      await run.stack.helpers.faults({ finalWindows: [{ resultCode: 'PROCESS_FAIL', path: APIS.refund.path, durationMs: 60_000 }] });
      try {
        await run.waitFor(order.orderId, 'stuck REFUND_FAILED', (s) => s.stuck?.code === 'REFUND_FAILED');
      } finally {
        await run.stack.helpers.faults({});
      }
      await resolveFailedRefund(run.stack.client, order.orderId, { operator: run.operator, reason: 'Alipay+ fixed it', action: 'RETRY' });
      return run.waitFor(order.orderId, 'REFUNDED', refunded);
    },
  },
  {
    // Alipay+ refuses our signature on declare for a while (a key rotation): the order is stuck with
    // CONFIGURATION and declares by itself once the keys work again.
    name: 'declare-configuration-healed',
    title: 'declare refused with INVALID_SIGNATURE, healed once the keys work',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'KEYS-HEALED', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.stack.helpers.faults({ finalWindows: [{ resultCode: 'INVALID_SIGNATURE', path: APIS.declare.path, durationMs: 20_000 }] });
      try {
        await run.pay(order.orderId, order.buyer);
        await run.waitFor(order.orderId, 'stuck CONFIGURATION', (s) => s.stuck?.code === 'CONFIGURATION');
      } finally {
        await run.stack.helpers.faults({});
      }
      return run.waitFor(order.orderId, 'RELEASED_FOR_DELIVERY', released);
    },
  },
  {
    // The first declare call is refused before the identity check; the corrected retransmission carries
    // the certificate, Alipay+ answers CHECK_NOT_PASSED, and the order is refunded.
    name: 'retransmission-identity-refunded',
    title: 'declare refused, corrected, CHECK_NOT_PASSED on the retransmission, refunded',
    input: (prefix, buyer) => sampleOrder({ prefix, name: 'RETRANSMIT-MISMATCH', buyer, ...TWO_TINS }),
    drive: async (run, order) => {
      await run.start(order);
      await run.stack.helpers.faults({ finalWindows: [{ resultCode: 'PARAM_ILLEGAL', path: APIS.declare.path, durationMs: 20_000 }] });
      try {
        await run.pay(order.orderId, run.otherPayer);
        await run.waitFor(order.orderId, 'DECLARE_REFUSED', (s) => s.stuck?.code === 'DECLARE_REFUSED');
      } finally {
        await run.stack.helpers.faults({});
      }
      await correctDeclaration(run.stack.client, order.orderId, {
        declarationId: `${order.orderId}-D1`,
        merchantCustomsName: 'Example Merchant Ltd.',
        operator: run.operator,
        reason: 'resend with the registered name',
      });
      return run.waitFor(order.orderId, 'REFUNDED', refunded);
    },
  },
];

/** Every path: the ones above, and those of the e-port's messages (customs-paths.ts). */
export const ALL_SCENARIOS: Scenario[] = [...SCENARIOS, ...CUSTOMS_SCENARIOS, ...MONEY_SCENARIOS];

/** The scenarios of these names, in the order given; throws naming the unknown ones. */
export function scenariosNamed(names: readonly string[]): Scenario[] {
  const unknown = names.filter((n) => !ALL_SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown path(s) ${unknown.join(', ')}; known: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}`);
  return names.map((n) => ALL_SCENARIOS.find((s) => s.name === n)!);
}
