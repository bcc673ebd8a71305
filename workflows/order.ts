import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  metricMeter,
  patched,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { isCustomsCode, type CustomsCode } from '../alipay-plus/customs-codes';
import { isCustomsRejection } from '../alipay-plus/customs';
import { REFUND_WINDOW_MS, RETRANSMIT_GAP_MS, customsYear, formatCny } from '../domain/limits';
import {
  cancelOrderUpdate,
  checkoutUpdate,
  correctDeclarationUpdate,
  pollNowUpdate,
  reviewRealNameUpdate,
  paymentNotificationUpdate,
  requestRefundUpdate,
  statusQuery,
  type AuditEntry,
  type DeclarationCorrection,
  type OperatorAction,
  type DeclarationView,
  type NotificationAck,
  type OrderStatus,
  type PaymentNotification,
  type PaymentView,
  type RealNameDecision,
  type RefundRequest,
  type RefundView,
  type Stage,
} from '../domain/order-api';
import {
  customsCodeOf,
  customsOrdersOf,
  orderProblems,
  orderInputSchema,
  paymentRequestIdFor,
  refundRequestIdFor,
  type Order,
  type OrderInput,
} from '../domain/order';
import { QUOTA_EXCEEDED } from '../domain/quota-api';
import { CUSTOMS_CODE, DECLARATION_STATUS, ORDER_STAGE, PAYMENT_STATUS, STAGE_SINCE, STUCK_REASON } from '../domain/search-attributes';
import { alipay, local } from './activity-stubs';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** inquiryPayment when no notification came: after 1, 2, 5, then every 10 minutes until expiry. */
const PAYMENT_POLL_GAPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];
/** inquireDeclarationRequests and clearance polling: 30 s, 1, 2, 5, then every 10 minutes. */
const CUSTOMS_POLL_GAPS = [30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];
/** Once an order is stuck it is still polled, hourly, so it unsticks itself if customs moves. */
const STUCK_POLL_GAP = HOUR;
/** An Alipay+ call that has kept failing this long marks the order stuck while Temporal retries it. */
const CALL_STUCK_AFTER = 15 * MINUTE;
/** Retransmit a little after the 5 minutes, never on the boundary. */
const RETRANSMIT_MARGIN = SECOND;
/** A manual real-name review that nobody decides within this time ends the order with a refund. */
const REAL_NAME_REVIEW_DEADLINE = 72 * HOUR;
/** Rejections that customs lacks the data for are retransmitted automatically this many times. */
const MAX_AUTO_RETRANSMITS = 3;
const INQUIRY_BATCH = 10;

export interface OrderTimeouts {
  /** Customs review: past this, the order is stuck. */
  customsReviewDeadlineMs: number;
  /** Three-document match and clearance: past this, the order is stuck. */
  clearanceDeadlineMs: number;
  /** Alipay+'s minimum gap between declare calls for one id: 5 minutes, which Alipay+ says it may adjust. */
  retransmitGapMs?: number;
}

export const DEFAULT_TIMEOUTS: OrderTimeouts = { customsReviewDeadlineMs: 48 * HOUR, clearanceDeadlineMs: 72 * HOUR };

interface Declaration extends DeclarationView {
  /** Whether it carries the buyer's certificate; a retransmission must carry exactly what the first call did. */
  withCertificate: boolean;
  lastCallAtMs?: number;
  retransmitAtMs?: number;
  autoRetransmits: number;
}

const gap = (gaps: number[], i: number) => gaps[Math.min(i, gaps.length - 1)]!;

// Business metrics, emitted through the worker's Prometheus endpoint; the workflow meter skips replays.
const ordersStarted = metricMeter.createCounter('alipay_orders_started', 'orders', 'Orders whose payment was created');
const ordersCleared = metricMeter.createCounter('alipay_orders_cleared', 'orders', 'Orders cleared by customs and released');
const ordersRefunded = metricMeter.createCounter('alipay_orders_refunded', 'orders', 'Orders ended by a compensating refund');
const ordersStuck = metricMeter.createCounter('alipay_orders_stuck', 'orders', 'Times an order became stuck');

/** Short codes of why an order is stuck, for the StuckReason search attribute. */
export type StuckCode =
  | 'DECLARE_REFUSED'
  | 'CUSTOMS_REJECTED'
  | 'REVIEW_DEADLINE'
  | 'CLEARANCE_DEADLINE'
  | 'DECLARATION_UNKNOWN'
  | 'CALL_RETRYING'
  | 'REFUND_FAILED';
const iso = (ms: number) => new Date(ms).toISOString();

/** The Alipay+ result code of a failed activity, when Alipay+ gave a final answer. */
function finalCode(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) {
    return { code: error.cause.type ?? 'UNKNOWN', message: error.cause.message };
  }
  return undefined;
}

function ruleFailure(rule: string, message: string) {
  return ApplicationFailure.create({ type: rule, message: `${rule}: ${message}`, nonRetryable: true });
}

/**
 * One order, from checkout to the end of its refund window. Every wait is a durable timer and every
 * Alipay+ call an activity with a deterministic idempotency key, so a crash anywhere changes nothing.
 */
export async function orderWorkflow(input: OrderInput, timeouts: OrderTimeouts = DEFAULT_TIMEOUTS): Promise<OrderStatus> {
  const run = new OrderRun(input, timeouts);
  return run.execute();
}

class OrderRun {
  private order!: Order;
  private stage: Stage = 'CHECKOUT';
  private waiting?: { what: string; since: string };
  private stuck?: { code: StuckCode; reason: string; since: string };
  /** The search attributes last upserted, to write only what changed. */
  private published: Record<string, string | undefined> = {};
  private payment: PaymentView;
  private paidAtMs?: number;
  private declarations: Declaration[] = [];
  private clearance: OrderStatus['clearance'] = [];
  private refunds: RefundView[] = [];
  private pendingRefundFen = 0;
  private outcome?: { reason: string; buyerMessage: string };
  /** Why checkout cannot hand back a payment URL. */
  private checkoutFailure?: ApplicationFailure;
  private quota?: { buyerKey: string; year: number; held: 'RESERVED' | 'COMMITTED' | 'RELEASED' };
  private refundWindowOpen = false;
  /** Set by updates that change what the review loop should do next. */
  private nudged = false;
  /** An operator asked to poll Alipay+ or the e-port now. */
  private pollRequested = false;
  private audit: AuditEntry[] = [];
  private cancelRequest?: OperatorAction;
  private realNameDecision?: RealNameDecision;
  /** The order's steps after checkout run in this scope, so an operator's cancel can interrupt any wait. */
  private readonly flowScope = new CancellationScope();

  constructor(
    private readonly input: OrderInput,
    private readonly timeouts: OrderTimeouts,
  ) {
    this.payment = {
      paymentRequestId: paymentRequestIdFor(String(input.orderId)),
      status: 'NOT_CREATED',
      amountFen: Number(input.totalFen),
      notificationsReceived: 0,
    };
    this.registerHandlers();
  }

  async execute(): Promise<OrderStatus> {
    const problems = orderProblems(this.input);
    if (problems) return this.reject('INVALID_ORDER', problems);
    this.order = orderInputSchema.parse(this.input);

    if (!(await this.reserveQuota())) return this.reject(QUOTA_EXCEEDED, this.checkoutFailure!.message);

    // Step 2: the merchant's real-name check. The input schema checked the name and the GB 11643 ID number.
    this.setStage('REAL_NAME_CHECK');

    try {
      await this.flowScope.run(() => this.flow());
    } catch (error) {
      if (!(this.cancelRequest && isCancellation(error))) throw error;
      await CancellationScope.nonCancellable(() => this.cancelByOperator());
    }
    await condition(allHandlersFinished);
    return this.status();
  }

  private async flow() {
    if (await this.createPayment()) {
      const paid = await this.awaitPayment();
      if (paid) await this.afterPayment();
    }
  }

  /** An operator cancelled the order: cancel an unpaid payment, or refund a paid one, and give the quota back. */
  private async cancelByOperator() {
    const by = this.cancelRequest!;
    this.setStage('COMPENSATING', 'the cancellation of the order');
    if (this.payment.status === 'PROCESSING') {
      try {
        await alipay('Step 5: cancel the unpaid payment').cancelPayment({ paymentRequestId: this.payment.paymentRequestId });
        this.payment.status = 'CANCELLED';
      } catch (error) {
        if (finalCode(error)?.code !== 'INVALID_ORDER_STATUS') throw error;
        await this.inquirePayment(); // the buyer paid meanwhile: refund below
      }
    }
    const left = this.refundableFen();
    if (left > 0) {
      const refund = await this.refund({ amountFen: left, reason: `cancelled by ${by.operator}: ${by.reason}`.slice(0, 256), requestedBy: by.operator });
      if (refund.status === 'FAILED') {
        this.markStuck('REFUND_FAILED', `the refund ${refund.refundRequestId} of the cancelled order failed: ${refund.failure}; refund it by hand`);
        this.end('FAILED', `CANCELLED_BY_OPERATOR; REFUND_FAILED: ${refund.failure}`, 'Your order was cancelled.');
        return;
      }
    }
    await this.releaseQuota();
    this.clearStuck();
    this.end(
      'CANCELLED',
      `CANCELLED_BY_OPERATOR: ${by.operator}: ${by.reason}`,
      left > 0 ? 'Your order was cancelled and your payment refunded.' : 'Your order was cancelled.',
    );
  }

  // Step 1: the buyer's annual quota, through the per-buyer, per-year entity workflow.
  private async reserveQuota(): Promise<boolean> {
    this.setStage('RESERVING_QUOTA', "the buyer's annual quota reservation");
    const buyerKey = await local('Step 1: key the buyer quota').buyerQuotaKey({
      certificateType: this.order.buyer.certificateType,
      certificateNo: this.order.buyer.certificateNo,
    });
    const year = customsYear(Date.now());
    try {
      await local('Step 1: reserve the annual quota').reserveQuota({ buyerKey, year, orderId: this.order.orderId, amountFen: this.order.totalFen });
    } catch (error) {
      const f = finalCode(error);
      if (!f) throw error;
      this.checkoutFailure = ApplicationFailure.create({ type: f.code, message: f.message, nonRetryable: true });
      return false;
    }
    this.quota = { buyerKey, year, held: 'RESERVED' };
    return true;
  }

  // Step 3: create the payment; checkout hands its cashier URL back to the caller.
  private async createPayment(): Promise<boolean> {
    this.setStage('CREATING_PAYMENT', 'Alipay+ to create the payment');
    const expiresAtMs = Date.now() + this.order.paymentExpiryMinutes * MINUTE;
    try {
      const created = await this.watch(
        alipay('Step 3: pay').createPayment({
          paymentRequestId: this.payment.paymentRequestId,
          orderId: this.order.orderId,
          amountFen: this.order.totalFen,
          description: this.order.items.map((i) => `${i.name} x${i.quantity}`).join(', ').slice(0, 256),
          expiresAt: iso(expiresAtMs),
        }),
        'Alipay+ pay',
      );
      Object.assign(this.payment, { paymentId: created.paymentId, paymentUrl: created.paymentUrl, status: 'PROCESSING', expiresAt: iso(expiresAtMs) });
      ordersStarted.add(1);
      return true;
    } catch (error) {
      const f = finalCode(error);
      if (!f) throw error;
      this.checkoutFailure = ApplicationFailure.create({ type: f.code, message: `Alipay+ refused the payment: ${f.message}`, nonRetryable: true });
      await this.releaseQuota();
      this.end('FAILED', `PAYMENT_NOT_CREATED: ${f.code}`, 'The payment could not be created. Please try again later.');
      return false;
    }
  }

  // Steps 4 to 6: the notification, or inquiryPayment polling as the fallback, until the payment expires.
  private async awaitPayment(): Promise<boolean> {
    this.setStage('AWAITING_PAYMENT', "the buyer's payment (notifyPayment)");
    const expiresAtMs = Date.parse(this.payment.expiresAt!);
    for (let i = 0; this.payment.status === 'PROCESSING'; i++) {
      const left = expiresAtMs - Date.now();
      if (left <= 0) break;
      const woke = await condition(() => this.payment.status !== 'PROCESSING' || this.pollRequested, Math.min(gap(PAYMENT_POLL_GAPS, i), left), {
        summary: 'Steps 4-6: wait for notifyPayment, then inquiryPayment',
      });
      if (woke && this.payment.status !== 'PROCESSING') break;
      this.pollRequested = false;
      await this.inquirePayment();
    }
    if (this.payment.status === 'PROCESSING') {
      // Expired: one last look, since the buyer may have paid at the last moment, then cancel.
      await this.inquirePayment();
      if (this.payment.status === 'PROCESSING') {
        try {
          await this.watch(alipay('Step 5: cancel the unpaid payment').cancelPayment({ paymentRequestId: this.payment.paymentRequestId }), 'Alipay+ cancelPayment');
          this.payment.status = 'CANCELLED';
          this.publish();
        } catch (error) {
          if (finalCode(error)?.code !== 'INVALID_ORDER_STATUS') throw error;
          await this.inquirePayment(); // paid after all
        }
      }
    }
    if (this.payment.status === 'SUCCESS') return true;
    await this.releaseQuota();
    const expired = this.payment.status === 'CANCELLED';
    this.end(
      'CANCELLED',
      expired ? 'PAYMENT_EXPIRED: the payment was not made before it expired and was cancelled' : 'PAYMENT_FAILED: the payment failed',
      expired ? 'The order was cancelled because it was not paid in time.' : 'The payment did not go through, so the order was cancelled.',
    );
    return false;
  }

  private async inquirePayment() {
    const r = await this.watch(alipay('Steps 4-6: inquiryPayment').inquirePayment({ paymentRequestId: this.payment.paymentRequestId }), 'Alipay+ inquiryPayment');
    if (this.payment.status !== 'PROCESSING') return; // a notification got here first
    if (r.status === 'SUCCESS') this.recordPaid({ ...r, learnedFrom: 'INQUIRY' });
    else if (r.status === 'FAIL' || r.status === 'CANCELLED') this.payment.status = r.status;
  }

  private recordPaid(r: {
    paymentId: string;
    paymentTime?: string;
    customsDeclarationFen?: number;
    settlementQuote?: PaymentView['settlementQuote'];
    payerRealNameVerified?: boolean;
    learnedFrom: 'NOTIFICATION' | 'INQUIRY';
  }) {
    this.paidAtMs = r.paymentTime ? Date.parse(r.paymentTime) : Date.now();
    Object.assign(this.payment, {
      status: 'SUCCESS',
      paymentId: r.paymentId,
      paidAt: iso(this.paidAtMs),
      customsDeclarationFen: r.customsDeclarationFen ?? this.order.totalFen,
      settlementQuote: r.settlementQuote,
      payerRealNameVerified: r.payerRealNameVerified,
      learnedFrom: r.learnedFrom,
    });
    this.publish();
  }

  private async afterPayment() {
    this.setStage('PAID');
    // Defence in depth: a result that came by notification is confirmed once by an authenticated pull
    // before anything reaches customs, so a forged notification that slipped past the receiver's signature
    // check and the update's validator ends the order instead. Behind a patch: orders that were paid
    // before this change replay their histories without the extra call.
    if (this.payment.learnedFrom === 'NOTIFICATION' && patched('confirm-notified-payment')) {
      this.wait('Alipay+ to confirm the notified payment (inquiryPayment)');
      const p = this.payment;
      const r = await this.watch(
        alipay('Steps 4-6: confirm the notified payment').inquirePayment({ paymentRequestId: p.paymentRequestId }),
        'Alipay+ inquiryPayment',
      );
      const differs = [
        r.status !== 'SUCCESS' && `Alipay+ reports the payment as ${r.status}`,
        r.paymentId !== p.paymentId && `Alipay+ reports payment ${r.paymentId}, the notification named ${p.paymentId}`,
        // Results recorded before the activity returned the amount have none; compare it when present.
        r.paymentAmountFen !== undefined && r.paymentAmountFen !== p.amountFen && `Alipay+ reports ${formatCny(r.paymentAmountFen)} paid for an order of ${formatCny(p.amountFen)}`,
        r.customsDeclarationFen !== undefined &&
          r.customsDeclarationFen !== p.customsDeclarationFen &&
          `Alipay+ allows ${formatCny(r.customsDeclarationFen)} to be declared, the notification said ${formatCny(p.customsDeclarationFen ?? 0)}`,
        r.payerRealNameVerified !== undefined &&
          r.payerRealNameVerified !== p.payerRealNameVerified &&
          `Alipay+ reports the payer as ${r.payerRealNameVerified ? '' : 'not '}real-name verified, unlike the notification`,
      ].find((x): x is string => typeof x === 'string');
      if (differs) {
        const reason = `NOTIFICATION_NOT_CONFIRMED: the notified payment was not confirmed by inquiryPayment: ${differs}`;
        const refunded = 'The payment could not be confirmed with Alipay+, so it has been refunded.';
        // The money is there: refund it, as for any terminal failure after payment.
        if (r.status === 'SUCCESS') return this.compensate(reason, refunded);
        // Nothing was paid: close a payment still open, so it cannot be paid for an order that has ended.
        if (r.status === 'PROCESSING') {
          try {
            await this.watch(alipay('Step 5: cancel the unpaid payment').cancelPayment({ paymentRequestId: p.paymentRequestId }), 'Alipay+ cancelPayment');
          } catch (error) {
            if (finalCode(error)?.code !== 'INVALID_ORDER_STATUS') throw error;
            return this.compensate(reason, refunded); // the buyer paid meanwhile
          }
        }
        p.status = r.status === 'FAIL' ? 'FAIL' : 'CANCELLED';
        await this.releaseQuota();
        this.end('FAILED', reason, 'The payment could not be confirmed with Alipay+, so the order was cancelled.');
        return;
      }
    }
    // The real-name gate: customs refuses payments by payers who are not real-name verified.
    if (this.order.realNameRequired && this.payment.payerRealNameVerified !== true) {
      return this.compensate(
        'PAYER_NOT_REAL_NAME_VERIFIED: customs does not accept a payment from an Alipay account that is not real-name verified',
        'Your Alipay account is not real-name verified, which customs requires for cross-border orders. Your payment has been refunded.',
      );
    }
    if (this.order.realNameRequired && this.order.buyer.certificateType === 'PASSPORT' && !(await this.manualRealNameReview())) return;
    if (!(await this.declare())) return;
    if (!(await this.reviewCustoms())) return;
    if (!(await this.clear())) return;
    await this.releaseForDelivery();
  }

  /** A passport has no check digit to verify: an operator reviews the buyer's identity before customs sees it. */
  private async manualRealNameReview(): Promise<boolean> {
    this.setStage('REAL_NAME_REVIEW', "an operator's manual real-name review of the passport holder");
    const decided = await condition(() => this.realNameDecision !== undefined, REAL_NAME_REVIEW_DEADLINE, {
      summary: 'Step 2: wait for the manual real-name review',
    });
    if (decided && this.realNameDecision!.approved) return true;
    await this.compensate(
      decided
        ? `REAL_NAME_REJECTED: ${this.realNameDecision!.operator}: ${this.realNameDecision!.reason}`
        : `REAL_NAME_REVIEW_TIMEOUT: no review within ${REAL_NAME_REVIEW_DEADLINE / HOUR} hours`,
      "The buyer's identity could not be verified for customs. Your payment has been refunded.",
    );
    return false;
  }

  // Step 7: one declaration, or one per split part, with ids derived from the order id.
  private async declare(): Promise<boolean> {
    this.setStage('DECLARING', 'Alipay+ to accept the customs declaration');
    const customsCode = customsCodeOf(this.order);
    const paid = this.payment.customsDeclarationFen!;
    const parts = customsOrdersOf(this.order);
    const declared = parts.reduce((sum, p) => sum + p.amountFen, 0);
    if (declared > paid) {
      return this.compensate(
        `DECLARED_AMOUNT_LIMIT: the parts add up to ${formatCny(declared)}, more than the ${formatCny(paid)} paid`,
        'The order could not be declared to customs. Your payment has been refunded.',
      ).then(() => false);
    }
    this.declarations = parts.map((p, i) => ({
      declarationId: p.declarationId,
      customsOrderId: p.customsOrderId,
      isSplit: p.isSplit,
      customsCode,
      merchantCustomsCode: this.order.customs.merchantCustomsCode,
      merchantCustomsName: this.order.customs.merchantCustomsName,
      // A plain order declares what Alipay+ says may be declared for the payment.
      amountFen: p.isSplit ? p.amountFen : paid,
      status: 'NOT_SENT',
      attempts: 0,
      corrections: [],
      autoRetransmits: 0,
      // The buyer's certificate goes with the first declaration, which answers whether the buyer is the payer.
      withCertificate: i === 0,
    }));
    for (const d of this.declarations) {
      await this.send(d);
      if (d.identityCheckResult === 'CHECK_NOT_PASSED') {
        await this.compensate(
          'BUYER_IS_NOT_PAYER: Alipay+ reports CHECK_NOT_PASSED; customs requires the buyer who orders to be the payer',
          'Customs requires the person who orders to be the person who pays. The payer was someone else, so your payment has been refunded.',
        );
        return false;
      }
    }
    return true;
  }

  /** One declare call for a declaration: its first submission or a retransmission. */
  private async send(d: Declaration) {
    try {
      const r = await this.watch(
        alipay(`Step 7: declare ${d.declarationId}${d.attempts > 0 ? ' (retransmission)' : ''}`).declare({
          paymentRequestId: this.payment.paymentRequestId,
          declarationId: d.declarationId,
          customsCode: d.customsCode,
          merchantCustomsCode: d.merchantCustomsCode,
          merchantCustomsName: d.merchantCustomsName,
          amountFen: d.amountFen,
          isSplit: d.isSplit,
          referenceOrderId: d.isSplit ? d.customsOrderId : undefined,
          buyer: d.withCertificate ? this.order.buyer : undefined,
        }),
        `Alipay+ declare ${d.declarationId}`,
      );
      d.attempts += 1;
      d.lastCallAtMs = Date.now();
      d.lastCallAt = iso(d.lastCallAtMs);
      d.lastResultCode = 'SUCCESS';
      d.status = 'SUBMITTED';
      d.retransmitAtMs = d.retransmitAt = d.customsResultCode = d.customsResultDescription = undefined;
      if (r.identityCheckResult) d.identityCheckResult = r.identityCheckResult;
      this.publish();
    } catch (error) {
      const f = finalCode(error);
      if (!f) throw error;
      // A refused call does not restart Alipay+'s 5-minute clock, so lastCallAt stays as it was.
      d.lastResultCode = f.code;
      d.status = 'AWAITING_CORRECTION';
      this.markStuck('DECLARE_REFUSED', `Alipay+ refused declaration ${d.declarationId} with ${f.code} (${f.message}); an operator must correct it`);
    }
  }

  // Step 8: poll the review, retransmit what customs rejected, and flag the order when it stalls.
  private async reviewCustoms(): Promise<boolean> {
    this.setStage('CUSTOMS_REVIEW', 'the customs review of the payment document');
    const deadline = Date.now() + this.timeouts.customsReviewDeadlineMs;
    let nextPollAt = Date.now() + gap(CUSTOMS_POLL_GAPS, 0);
    let polls = 0;
    for (;;) {
      if (this.declarations.every((d) => d.status === 'ACCEPTED')) {
        this.clearStuck();
        return true;
      }
      for (const d of this.declarations) {
        if (d.status === 'RETRANSMIT_SCHEDULED' && Date.now() >= d.retransmitAtMs!) {
          await this.send(d);
          if ((d.status as Declaration['status']) === 'SUBMITTED') {
            polls = 0;
            nextPollAt = Date.now() + gap(CUSTOMS_POLL_GAPS, 0);
          }
        }
      }
      if (Date.now() >= nextPollAt) {
        await this.pollDeclarations();
        polls += 1;
        nextPollAt = Date.now() + (this.stuck ? STUCK_POLL_GAP : gap(CUSTOMS_POLL_GAPS, polls));
        continue;
      }
      if (!this.stuck && Date.now() >= deadline) {
        const open = this.declarations.filter((d) => d.status !== 'ACCEPTED');
        this.markStuck(
          'REVIEW_DEADLINE',
          `customs has not accepted ${open.map((d) => `${d.declarationId} (${d.status}, code ${d.customsResultCode ?? 'none'})`).join(', ')} ` +
            `within ${Math.round(this.timeouts.customsReviewDeadlineMs / HOUR)} hours`,
        );
        nextPollAt = Math.min(nextPollAt, Date.now() + STUCK_POLL_GAP);
      }
      const wakeAt = Math.min(
        nextPollAt,
        ...this.declarations.filter((d) => d.status === 'RETRANSMIT_SCHEDULED').map((d) => d.retransmitAtMs!),
        this.stuck ? Infinity : deadline,
      );
      this.nudged = false;
      await condition(() => this.nudged, Math.max(wakeAt - Date.now(), 1), { summary: 'Step 8: wait for the next customs poll' });
      if (this.pollRequested) {
        this.pollRequested = false;
        nextPollAt = Date.now();
      }
      if (this.nudged && this.declarations.some((d) => d.status === 'RETRANSMIT_SCHEDULED')) this.wait('the retransmission of a corrected declaration');
    }
  }

  private async pollDeclarations() {
    const open = this.declarations.filter((d) => ['SUBMITTED', 'WAITING_FOR_PROCESSING', 'IN_PROCESS'].includes(d.status));
    for (let i = 0; i < open.length; i += INQUIRY_BATCH) {
      const batch = open.slice(i, i + INQUIRY_BATCH);
      const r = await this.watch(
        alipay('Step 8: inquireDeclarationRequests').inquireDeclarations({ declarationIds: batch.map((d) => d.declarationId) }),
        'Alipay+ inquireDeclarationRequests',
      );
      for (const rec of r.records) {
        const d = batch.find((x) => x.declarationId === rec.declarationId);
        if (!d) continue;
        d.customsResultCode = rec.customsResultCode;
        d.customsResultDescription = rec.customsResultDescription;
        if (rec.status === 'CUSTOMS_ACCEPT_SUCCESS') d.status = 'ACCEPTED';
        else if (isCustomsRejection(rec.customsResultCode)) this.onRejected(d);
        else d.status = rec.status;
      }
      this.publish();
      for (const id of r.notFound) {
        this.markStuck('DECLARATION_UNKNOWN', `Alipay+ does not know declaration ${id}, which it accepted before`);
      }
    }
  }

  private onRejected(d: Declaration) {
    const lacksData = d.customsResultCode!.startsWith('-') || /missing|not received|lack/i.test(d.customsResultDescription ?? '');
    if (lacksData && d.autoRetransmits < MAX_AUTO_RETRANSMITS) {
      d.autoRetransmits += 1;
      this.scheduleRetransmit(d);
      return;
    }
    d.status = 'AWAITING_CORRECTION';
    this.markStuck(
      'CUSTOMS_REJECTED',
      `customs rejected ${d.declarationId} (code ${d.customsResultCode}: ${d.customsResultDescription ?? 'no description'}); ` +
        'an operator must correct and retransmit it',
    );
  }

  /** A retransmission waits until 5 minutes after the last declare call for that id, on a durable timer. */
  private scheduleRetransmit(d: Declaration) {
    d.status = 'RETRANSMIT_SCHEDULED';
    const gapMs = this.timeouts.retransmitGapMs ?? RETRANSMIT_GAP_MS;
    d.retransmitAtMs = Math.max(Date.now(), (d.lastCallAtMs ?? 0) + gapMs + RETRANSMIT_MARGIN);
    d.retransmitAt = iso(d.retransmitAtMs);
  }

  // Step 9: the three-document match. The merchant files the order document, the carrier the waybill.
  private async clear(): Promise<boolean> {
    this.setStage('CLEARANCE', 'customs clearance (three-document match)');
    const items = this.declarations.length === 1 ? this.order.items : [];
    for (const d of this.declarations) {
      await this.watch(
        alipay(`Step 9: order document ${d.customsOrderId}`).submitOrderDocument({
          orderNo: d.customsOrderId,
          ebpCode: d.merchantCustomsCode,
          goodsValueFen: d.amountFen,
          buyer: this.order.buyer,
          items: items.map((i) => ({ name: i.name, quantity: i.quantity, valueFen: i.unitPriceFen * i.quantity })),
        }),
        'e-port order document',
      );
      const part = customsOrdersOf(this.order).find((p) => p.customsOrderId === d.customsOrderId)!;
      await this.watch(
        alipay(`Step 9: waybill ${d.customsOrderId}`).submitWaybill({ orderNo: d.customsOrderId, waybillNo: part.waybillNo, carrier: this.order.logistics.carrier }),
        'e-port waybill',
      );
      this.clearance.push({ customsOrderId: d.customsOrderId, status: 'PENDING' });
    }
    const deadline = Date.now() + this.timeouts.clearanceDeadlineMs;
    for (let polls = 0; ; polls++) {
      const open = this.clearance.filter((c) => c.status === 'PENDING');
      if (open.length === 0) break;
      await condition(() => this.pollRequested, this.stuck ? STUCK_POLL_GAP : gap(CUSTOMS_POLL_GAPS, polls), {
        summary: 'Step 9: wait for the next clearance poll',
      });
      this.pollRequested = false;
      for (const c of open) {
        const r = await this.watch(alipay(`Step 9: clearance of ${c.customsOrderId}`).inquireClearance({ orderNo: c.customsOrderId }), 'e-port clearance inquiry');
        if (r.status === 'RELEASED' || r.status === 'REJECTED') Object.assign(c, { status: r.status, reason: r.reason });
      }
      const rejected = this.clearance.find((c) => c.status === 'REJECTED');
      if (rejected) {
        await this.compensate(
          `CUSTOMS_CLEARANCE_REJECTED: customs rejected order ${rejected.customsOrderId}: ${rejected.reason ?? 'no reason given'}`,
          'Customs did not clear your order, so it cannot be delivered. Your payment has been refunded.',
        );
        return false;
      }
      if (!this.stuck && Date.now() >= deadline) {
        this.markStuck('CLEARANCE_DEADLINE', `customs has not cleared ${open.map((c) => c.customsOrderId).join(', ')} within ${Math.round(this.timeouts.clearanceDeadlineMs / HOUR)} hours`);
      }
    }
    this.clearStuck();
    return true;
  }

  // Step 10: release for delivery, commit the quota, then take refunds until the 90-day window closes.
  private async releaseForDelivery() {
    await local('Step 10: commit the annual quota').commitQuota({ buyerKey: this.quota!.buyerKey, year: this.quota!.year, orderId: this.order.orderId });
    this.quota!.held = 'COMMITTED';
    ordersCleared.add(1);
    const closesAt = this.paidAtMs! + REFUND_WINDOW_MS;
    this.refundWindowOpen = true;
    this.setStage('RELEASED_FOR_DELIVERY', `refund requests, until the refund window closes at ${iso(closesAt)}`);
    if (closesAt > Date.now()) await sleep(closesAt - Date.now(), { summary: 'Step 10: the 90-day refund window' });
    this.refundWindowOpen = false;
    await condition(allHandlersFinished);
    this.end('COMPLETED', 'CLEARED: released for delivery; the refund window has closed', 'Your order cleared customs and was delivered.');
  }

  /** A terminal failure after payment: refund what is left of the payment and give the quota back. */
  private async compensate(reason: string, buyerMessage: string) {
    this.setStage('COMPENSATING', 'the refund of the payment');
    const left = this.refundableFen();
    if (left > 0) {
      const refund = await this.refund({ amountFen: left, reason: reason.slice(0, 256), requestedBy: 'orchestrator' });
      if (refund.status === 'FAILED') {
        this.markStuck('REFUND_FAILED', `the compensating refund ${refund.refundRequestId} failed: ${refund.failure}; refund it by hand`);
        this.end('FAILED', `${reason}; REFUND_FAILED: ${refund.failure}`, buyerMessage);
        return;
      }
    }
    await this.releaseQuota();
    this.end('REFUNDED', reason, buyerMessage);
  }

  private async refund(request: RefundRequest): Promise<RefundView> {
    const view: RefundView = {
      refundRequestId: refundRequestIdFor(this.order.orderId, this.refunds.length + 1),
      amountFen: request.amountFen,
      reason: request.reason,
      requestedBy: request.requestedBy,
      status: 'PENDING',
      at: iso(Date.now()),
    };
    this.refunds.push(view);
    this.pendingRefundFen += view.amountFen;
    try {
      const r = await this.watch(
        alipay(`Refund ${view.refundRequestId}`).refundPayment({
          refundRequestId: view.refundRequestId,
          paymentRequestId: this.payment.paymentRequestId,
          amountFen: view.amountFen,
          reason: view.reason,
        }),
        `Alipay+ refund ${view.refundRequestId}`,
      );
      Object.assign(view, { status: 'SUCCEEDED', refundId: r.refundId });
    } catch (error) {
      const f = finalCode(error);
      if (!f) throw error;
      Object.assign(view, { status: 'FAILED', failure: `${f.code}: ${f.message}` });
    } finally {
      this.pendingRefundFen -= view.amountFen;
    }
    return view;
  }

  private refundableFen() {
    if (this.payment.status !== 'SUCCESS') return 0;
    const refunded = this.refunds.filter((r) => r.status === 'SUCCEEDED').reduce((s, r) => s + r.amountFen, 0);
    return this.payment.amountFen - refunded - this.pendingRefundFen;
  }

  private async releaseQuota() {
    if (this.quota?.held !== 'RESERVED') return;
    await local('Release the annual quota').releaseQuota({ buyerKey: this.quota.buyerKey, year: this.quota.year, orderId: this.order.orderId });
    this.quota.held = 'RELEASED';
  }

  /** Ends an order whose input or quota is refused, before any effect: the workflow fails with the rule. */
  private async reject(rule: string, message: string): Promise<never> {
    this.checkoutFailure ??= ApplicationFailure.create({ type: rule, message, nonRetryable: true });
    this.end('REJECTED', message, message);
    await condition(allHandlersFinished);
    throw this.checkoutFailure;
  }

  private end(stage: Stage, reason: string, buyerMessage: string) {
    this.stage = stage;
    this.waiting = undefined;
    this.outcome = { reason, buyerMessage };
    if (stage === 'REFUNDED') ordersRefunded.add(1);
    this.publish();
  }

  private setStage(stage: Stage, waitingFor?: string) {
    this.stage = stage;
    if (waitingFor) this.wait(waitingFor);
    else this.waiting = undefined;
    this.publish();
  }

  private wait(what: string) {
    this.waiting = { what, since: iso(Date.now()) };
    this.publish();
  }

  private markStuck(code: StuckCode, reason: string) {
    if (!this.stuck) ordersStuck.add(1, { reason: code });
    this.stuck = { code, reason, since: this.stuck?.since ?? iso(Date.now()) };
    this.publish();
  }

  private clearStuck() {
    this.stuck = undefined;
    this.publish();
  }

  /** Makes the order findable and readable in the Web UI: search attributes and the current details. */
  private publish() {
    const values: Record<string, string | undefined> = {
      [ORDER_STAGE.name]: this.stage,
      [PAYMENT_STATUS.name]: this.payment.status,
      [DECLARATION_STATUS.name]: this.declarationSummary(),
      [CUSTOMS_CODE.name]: this.order ? customsCodeOf(this.order) : undefined,
      [STUCK_REASON.name]: this.stuck?.code,
    };
    const keys = [ORDER_STAGE, PAYMENT_STATUS, DECLARATION_STATUS, CUSTOMS_CODE, STUCK_REASON];
    const changed = keys.filter((k) => values[k.name] !== this.published[k.name]);
    if (changed.length > 0) {
      const pairs = changed.map((key) => ({ key, value: values[key.name] ?? null }));
      // The stage's start time goes with the stage, in the same upsert.
      const stageChanged = changed.includes(ORDER_STAGE);
      upsertSearchAttributes(stageChanged ? [...pairs, { key: STAGE_SINCE, value: new Date(Date.now()) }] : pairs);
      this.published = values;
    }
    setCurrentDetails(this.details());
  }

  /** The declarations in one word: the one that needs attention first. */
  private declarationSummary(): string {
    if (this.declarations.length === 0) return 'NONE';
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
    return order.find((st) => this.declarations.some((d) => d.status === st))!;
  }

  private details(): string {
    const lines = [`**Stage:** ${this.stage}`];
    if (this.waiting) lines.push(`**Waiting for:** ${this.waiting.what}, since ${this.waiting.since}`);
    if (this.stuck) lines.push(`**Stuck (${this.stuck.code}) since ${this.stuck.since}:** ${this.stuck.reason}`);
    lines.push(`**Payment:** ${this.payment.status}${this.payment.paidAt ? `, paid ${this.payment.paidAt}` : ''}`);
    for (const d of this.declarations) {
      lines.push(
        `- \`${d.declarationId}\` ${d.status}, ${d.attempts} call(s), last result ${d.lastResultCode ?? '-'}` +
          (d.customsResultCode ? `, customs code ${d.customsResultCode}` : '') +
          (d.retransmitAt ? `, retransmits at ${d.retransmitAt}` : ''),
      );
    }
    if (this.outcome) lines.push(`**Outcome:** ${this.outcome.reason}`);
    return lines.join('\n');
  }

  /** Awaits an activity; if Temporal is still retrying it after a while, the order shows as stuck meanwhile. */
  private async watch<T>(call: Promise<T>, what: string): Promise<T> {
    const timer = new CancellationScope();
    let flagged = false;
    timer
      .run(() => sleep(CALL_STUCK_AFTER))
      .then(() => {
        flagged = true;
        this.markStuck('CALL_RETRYING', `${what} has not succeeded for ${CALL_STUCK_AFTER / MINUTE} minutes; Temporal keeps retrying it`);
      })
      .catch(() => undefined);
    try {
      return await call;
    } finally {
      timer.cancel();
      if (flagged) this.clearStuck();
    }
  }

  private registerHandlers() {
    setHandler(checkoutUpdate, async () => {
      await condition(() => this.payment.paymentUrl !== undefined || this.checkoutFailure !== undefined || this.outcome !== undefined);
      if (!this.payment.paymentUrl) {
        throw this.checkoutFailure ?? ApplicationFailure.create({ type: 'ORDER_ENDED', message: this.outcome!.reason, nonRetryable: true });
      }
      return {
        orderId: String(this.input.orderId),
        paymentRequestId: this.payment.paymentRequestId,
        paymentUrl: this.payment.paymentUrl,
        paymentExpiresAt: this.payment.expiresAt!,
      };
    });

    setHandler(
      paymentNotificationUpdate,
      (n: PaymentNotification): NotificationAck => {
        this.payment.notificationsReceived += 1;
        if (this.payment.status !== 'PROCESSING') return { accepted: true, duplicate: true };
        if (n.resultStatus === 'S') {
          this.recordPaid({
            paymentId: n.paymentId,
            paymentTime: n.paymentTime,
            customsDeclarationFen: n.customsDeclarationFen,
            settlementQuote: n.settlementQuote,
            payerRealNameVerified: n.payerRealNameVerified,
            learnedFrom: 'NOTIFICATION',
          });
        } else if (n.resultStatus === 'F') {
          this.payment.status = 'FAIL';
        }
        return { accepted: true, duplicate: false };
      },
      {
        validator: (n: PaymentNotification) => {
          if (n.paymentRequestId !== this.payment.paymentRequestId) {
            throw ruleFailure('NOTIFICATION_MISMATCH', `paymentRequestId ${n.paymentRequestId} is not this order's`);
          }
          if (n.paymentAmountFen !== this.payment.amountFen) {
            throw ruleFailure('NOTIFICATION_MISMATCH', `amount ${n.paymentAmountFen} fen differs from the order's ${this.payment.amountFen} fen`);
          }
          if (this.payment.paymentId && n.paymentId !== this.payment.paymentId) {
            throw ruleFailure('NOTIFICATION_MISMATCH', `paymentId ${n.paymentId} is not this order's payment`);
          }
          if (this.payment.status === 'NOT_CREATED') throw ruleFailure('NOTIFICATION_MISMATCH', 'no payment was created for this order yet');
        },
      },
    );

    setHandler(
      correctDeclarationUpdate,
      (c: DeclarationCorrection) => {
        const d = this.declarations.find((x) => x.declarationId === c.declarationId)!;
        const fields: string[] = [];
        if (c.merchantCustomsCode !== undefined) (d.merchantCustomsCode = c.merchantCustomsCode), fields.push('merchantCustomsCode');
        if (c.merchantCustomsName !== undefined) (d.merchantCustomsName = c.merchantCustomsName), fields.push('merchantCustomsName');
        if (c.customsCode !== undefined) (d.customsCode = c.customsCode), fields.push('customsCode');
        if (c.amountFen !== undefined) (d.amountFen = c.amountFen), fields.push('declarationAmount');
        d.corrections.push({ at: iso(Date.now()), operator: c.operator, reason: c.reason, fields });
        this.record('correctDeclaration', c, `${c.declarationId}: ${fields.join(', ') || 'retransmit unchanged'}`);
        this.scheduleRetransmit(d);
        this.clearStuck();
        this.nudged = true;
        return { ...d };
      },
      { validator: (c: DeclarationCorrection) => this.refuseCorrection(c) },
    );

    setHandler(
      requestRefundUpdate,
      async (r: RefundRequest) => {
        this.record('requestRefund', { operator: r.requestedBy, reason: r.reason }, formatCny(r.amountFen));
        const view = await this.refund(r);
        if (view.status === 'FAILED') throw ApplicationFailure.create({ type: 'REFUND_FAILED', message: view.failure!, nonRetryable: true });
        return view;
      },
      { validator: (r: RefundRequest) => this.refuseRefund(r) },
    );

    setHandler(
      cancelOrderUpdate,
      async (a: OperatorAction) => {
        this.record('cancelOrder', a);
        this.cancelRequest = a;
        this.flowScope.cancel();
        await condition(() => this.outcome !== undefined);
        return this.status();
      },
      {
        validator: (a: OperatorAction) => {
          this.refuseWithoutOperator(a);
          if (this.cancelRequest) throw ruleFailure('CANCEL_PENDING', 'the order is already being cancelled');
          if (this.outcome) throw ruleFailure('ORDER_ENDED', `the order has ended: ${this.stage}`);
          if (this.stage === 'RELEASED_FOR_DELIVERY') {
            throw ruleFailure('CANCEL_BEFORE_RELEASE', 'the order is released for delivery; refund it instead of cancelling');
          }
          if (this.stage === 'COMPENSATING') throw ruleFailure('ORDER_ENDING', 'the order is already being refunded');
          if (!this.order) throw ruleFailure('ORDER_ENDING', 'the order is still being checked');
        },
      },
    );

    setHandler(
      reviewRealNameUpdate,
      (d: RealNameDecision) => {
        this.record('reviewRealName', d, d.approved ? 'approved' : 'rejected');
        this.realNameDecision = d;
        return this.status();
      },
      {
        validator: (d: RealNameDecision) => {
          this.refuseWithoutOperator(d);
          if (typeof d.approved !== 'boolean') throw ruleFailure('REVIEW_DECISION', 'approved must be true or false');
          if (this.stage !== 'REAL_NAME_REVIEW' || this.realNameDecision) {
            throw ruleFailure('REAL_NAME_REVIEW_NOT_PENDING', `the order is not waiting for a real-name review; it is ${this.stage}`);
          }
        },
      },
    );

    setHandler(
      pollNowUpdate,
      (a: OperatorAction) => {
        this.record('pollNow', a, this.stage);
        this.pollRequested = true;
        this.nudged = true;
        return this.status();
      },
      {
        validator: (a: OperatorAction) => {
          this.refuseWithoutOperator(a);
          if (!['AWAITING_PAYMENT', 'CUSTOMS_REVIEW', 'CLEARANCE'].includes(this.stage)) {
            throw ruleFailure('NOTHING_TO_POLL', `only an order awaiting payment, customs review or clearance is polled; it is ${this.stage}`);
          }
        },
      },
    );

    setHandler(statusQuery, () => this.status());
  }

  private record(action: AuditEntry['action'], by: OperatorAction, detail?: string) {
    this.audit.push({ at: iso(Date.now()), action, operator: by.operator, reason: by.reason, ...(detail && { detail }) });
  }

  private refuseWithoutOperator(a: OperatorAction) {
    if (!a?.operator?.trim() || !a.reason?.trim()) throw ruleFailure('OPERATOR_ACTION', 'an operator action names the operator and the reason');
    if (a.operator.length > 128 || a.reason.length > 256) throw ruleFailure('FIELD_LENGTH', 'operator is at most 128 characters and reason 256');
  }

  /** The rules an operator's correction must keep; throws naming the rule it breaks. */
  private refuseCorrection(c: DeclarationCorrection) {
    const allowed = ['declarationId', 'merchantCustomsCode', 'merchantCustomsName', 'customsCode', 'amountFen', 'operator', 'reason'];
    const other = Object.keys(c).filter((k) => !allowed.includes(k));
    if (other.length > 0) {
      throw ruleFailure(
        'RETRANSMIT_MUTABLE_FIELDS',
        `only merchantCustomsCode, merchantCustomsName, customsCode and amountFen may change on a retransmission, not ${other.join(', ')}`,
      );
    }
    if (!c.operator?.trim() || !c.reason?.trim()) throw ruleFailure('OPERATOR_ACTION', 'a correction names the operator and the reason');
    const d = this.declarations.find((x) => x.declarationId === c.declarationId);
    if (!d) throw ruleFailure('UNKNOWN_DECLARATION', `this order has no declaration ${c.declarationId}`);
    if (d.status === 'ACCEPTED') throw ruleFailure('DECLARATION_ACCEPTED', `customs already accepted ${c.declarationId}`);
    if (d.status === 'NOT_SENT') throw ruleFailure('DECLARATION_NOT_SENT', `${c.declarationId} has not been declared yet`);
    if (c.customsCode !== undefined && !isCustomsCode(c.customsCode)) {
      throw ruleFailure('CUSTOMS_CODE_TABLE', `${c.customsCode} is not a customs code (ZONGSHU, ZHENGZHOU, NINGBO, SHANGHAI_CBT)`);
    }
    for (const [field, value, max] of [
      ['merchantCustomsCode', c.merchantCustomsCode, 128],
      ['merchantCustomsName', c.merchantCustomsName, 256],
    ] as const) {
      if (value !== undefined && (value.trim() === '' || value.length > max)) {
        throw ruleFailure('FIELD_LENGTH', `${field} must have 1 to ${max} characters`);
      }
    }
    if (c.amountFen !== undefined) {
      if (!Number.isInteger(c.amountFen) || c.amountFen <= 0) throw ruleFailure('AMOUNT_IN_FEN', 'amountFen must be a whole number of fen above 0');
      const others = this.declarations.filter((x) => x !== d).reduce((s, x) => s + x.amountFen, 0);
      const limit = this.payment.customsDeclarationFen!;
      if (others + c.amountFen > limit) {
        throw ruleFailure(
          'DECLARED_AMOUNT_LIMIT',
          `the declarations would total ${formatCny(others + c.amountFen)}, more than the ${formatCny(limit)} that may be declared for the payment`,
        );
      }
    }
  }

  private refuseRefund(r: RefundRequest) {
    if (!r.requestedBy?.trim() || !r.reason?.trim()) throw ruleFailure('OPERATOR_ACTION', 'a refund names who asks for it and why');
    if (r.reason.length > 256) throw ruleFailure('FIELD_LENGTH', 'reason must have at most 256 characters');
    if (!Number.isInteger(r.amountFen) || r.amountFen <= 0) throw ruleFailure('AMOUNT_IN_FEN', 'amountFen must be a whole number of fen above 0');
    if (this.stage !== 'RELEASED_FOR_DELIVERY') {
      throw ruleFailure('REFUND_AFTER_RELEASE', `refunds are taken once the order is released for delivery; it is ${this.stage}`);
    }
    if (!this.refundWindowOpen || Date.now() > this.paidAtMs! + REFUND_WINDOW_MS) {
      throw ruleFailure('REFUND_WINDOW', `refunds are accepted within 90 days of the payment on ${this.payment.paidAt}`);
    }
    const left = this.refundableFen();
    if (r.amountFen > left) {
      throw ruleFailure(
        'REFUND_NOT_ABOVE_PAYMENT',
        `${formatCny(r.amountFen)} is more than the ${formatCny(left)} that can still be refunded of the ${formatCny(this.payment.amountFen)} paid`,
      );
    }
  }

  private status(): OrderStatus {
    const customsCode: CustomsCode = this.order ? customsCodeOf(this.order) : 'ZONGSHU';
    return {
      orderId: String(this.input.orderId),
      stage: this.stage,
      totalFen: Number(this.input.totalFen),
      customsCode,
      waitingFor: this.waiting,
      stuck: this.stuck,
      payment: { ...this.payment },
      declarations: this.declarations.map(({ lastCallAtMs: _a, retransmitAtMs: _b, autoRetransmits: _c, withCertificate: _d, ...view }) => ({
        ...view,
      })),
      clearance: this.clearance.map((c) => ({ ...c })),
      refunds: this.refunds.map((r) => ({ ...r })),
      refundableFen: this.refundableFen(),
      refundWindowClosesAt: this.paidAtMs === undefined ? undefined : iso(this.paidAtMs + REFUND_WINDOW_MS),
      outcome: this.outcome,
      audit: this.audit.map((a) => ({ ...a })),
    };
  }
}
