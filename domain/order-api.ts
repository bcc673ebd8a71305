import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CustomsCode } from './customs-codes';
import type { ItemCustomsCorrection } from './customs-filing';

// How order systems, the notify receiver and operators talk to one order workflow.

/** Every stage of an order, in the order an order passes through them; the last six end it or wind it up. */
export const STAGES = [
  'CHECKOUT',
  'RESERVING_QUOTA',
  'REAL_NAME_CHECK',
  'CREATING_PAYMENT',
  'AWAITING_PAYMENT',
  'PAID',
  'REAL_NAME_REVIEW',
  'DECLARING',
  'CUSTOMS_REVIEW',
  'CLEARANCE',
  'RELEASED_FOR_DELIVERY',
  'COMPENSATING',
  'COMPLETED',
  'CANCELLED',
  'REFUNDED',
  'REJECTED',
  'FAILED',
] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Short codes of why an order is stuck, most urgent first. An order may be stuck for several reasons at
 * once (one per declaration, say); the StuckReason search attribute and `status.stuck` show the most urgent.
 */
export const STUCK_CODES = [
  'REFUND_FAILED',
  /** The order cannot close its payment: Alipay+ neither cancels it nor reports it paid (exact-money orders). */
  'PAYMENT_NOT_CLOSED',
  'CONFIGURATION',
  'UNEXPECTED_ANSWER',
  'CUSTOMS_REJECTED',
  'CUSTOMS_DOCUMENT_REJECTED',
  'RETURN_REFUSED',
  'RETURN_RECEIPT_DEADLINE',
  'DETENTION_DEADLINE',
  'DECLARE_REFUSED',
  'DECLARATION_UNKNOWN',
  'REVIEW_DEADLINE',
  'CLEARANCE_DEADLINE',
  'INSPECTION_DEADLINE',
  'CALL_RETRYING',
] as const;
export type StuckCode = (typeof STUCK_CODES)[number];

export interface StuckReason {
  code: StuckCode;
  reason: string;
  since: string;
  /** What it is about: `order`, `refund`, a declaration id, or the call that keeps failing. */
  scope?: string;
}

const HOUR_MS = 60 * 60 * 1000;

/** How long an order waits on customs before it shows as stuck; the second argument of `orderWorkflow`. */
export interface OrderTimeouts {
  /** Customs review: past this, the order is stuck. */
  customsReviewDeadlineMs: number;
  /** Three-document match and clearance: past this, the order is stuck. */
  clearanceDeadlineMs: number;
  /** Alipay+'s minimum gap between declare calls for one id: 5 minutes, which Alipay+ says it may adjust. */
  retransmitGapMs?: number;
  /** Goods selected for inspection (500) that customs has not decided on this long: the order is stuck. Default 72 hours. */
  inspectionDeadlineMs?: number;
  /** Goods detained (501 to 503, 599) this long: the order is stuck until an operator acts. Default 7 days. */
  detentionDeadlineMs?: number;
  /** A waiting order continues as new past this many history events (default 10,000); tests set it low. */
  continueAsNewAfterEvents?: number;
  /**
   * A return (CEB625) customs has not answered this long: the order is stuck until an operator polls again or
   * gives the return up; its receipt is then polled only when asked. Default 72 hours. Exact-money orders.
   */
  returnReceiptDeadlineMs?: number;
  /**
   * Customs is polled no less often than this (at least every second): for a stack whose customs answers in
   * seconds. Unset, the gaps are 30 s, 1, 2, 5, then 10 minutes.
   */
  customsPollGapMs?: number;
}

export const DEFAULT_TIMEOUTS: OrderTimeouts = { customsReviewDeadlineMs: 48 * HOUR_MS, clearanceDeadlineMs: 72 * HOUR_MS };
export const DEFAULT_INSPECTION_DEADLINE_MS = 72 * HOUR_MS;
export const DEFAULT_DETENTION_DEADLINE_MS = 7 * 24 * HOUR_MS;
export const DEFAULT_RETURN_RECEIPT_DEADLINE_MS = 72 * HOUR_MS;

/**
 * The links Alipay+ answered pay with, for the buyer's terminal. Web: normalUrl. Mobile browser: normalUrl,
 * an H5 page. App: schemeUrl or applinkUrl open the Alipay app, normalUrl is the H5 page to fall back on,
 * appIdentifier is the Android package name to check for. The buyer comes back with a result to show, but
 * only the notification (or inquiryPayment) says the order is paid.
 */
export interface PaymentLinks {
  normalUrl?: string;
  schemeUrl?: string;
  applinkUrl?: string;
  appIdentifier?: string;
}

export interface BuyerTerminal {
  terminalType: 'WEB' | 'WAP' | 'APP';
  osType?: 'ANDROID' | 'IOS';
}

export interface CheckoutResult {
  orderId: string;
  paymentRequestId: string;
  /** Where to send the buyer: the cashier page on the web, else the first link Alipay+ gave for the terminal. */
  paymentUrl: string;
  paymentExpiresAt: string;
  /** The terminal the payment was created for; absent on orders started before terminals were taken. */
  terminal?: BuyerTerminal;
  /** Every link Alipay+ answered for that terminal; absent on orders started before terminals were taken. */
  links?: PaymentLinks;
}

/** The facts of an Alipay+ notifyPayment, after the receiver verified its signature. */
export interface PaymentNotification {
  paymentRequestId: string;
  paymentId: string;
  resultStatus: 'S' | 'F' | 'U';
  resultCode: string;
  paymentAmountFen: number;
  paymentTime?: string;
  customsDeclarationFen?: number;
  settlementQuote?: { quoteCurrencyPair: string; quotePrice: string; quoteId?: string };
}

/** The facts of an Alipay+ notifyRefund (REFUND_RESULT), after the receiver verified its signature. */
export interface RefundNotification {
  refundRequestId: string;
  refundId: string;
  refundStatus: 'SUCCESS' | 'FAIL';
  /** The notification's result: why a refund failed. */
  resultCode: string;
  resultMessage?: string;
  refundAmountFen: number;
  refundTime?: string;
}

export interface NotificationAck {
  accepted: true;
  /** True for a notification that reached the order while another copy of it was being recorded. */
  duplicate: boolean;
}

/**
 * The ApplicationFailure type with which the notification updates' validators refuse a notification the
 * order has already recorded. A refused update adds nothing to the history, so replays cannot grow it;
 * the notify receiver answers Alipay+ S for it.
 */
export const NOTIFICATION_ALREADY_RECORDED = 'NOTIFICATION_ALREADY_RECORDED';

/** An operator's correction: only the four fields a retransmission may change. */
export interface DeclarationCorrection {
  declarationId: string;
  merchantCustomsCode?: string;
  merchantCustomsName?: string;
  customsCode?: CustomsCode;
  amountFen?: number;
  operator: string;
  reason: string;
}

/** Every operator action names who did it and why; the order keeps them as an audit trail. */
export interface OperatorAction {
  operator: string;
  reason: string;
}

/** What an operator does about a compensating refund that Alipay+ refused. */
export interface RefundResolution extends OperatorAction {
  /** RETRY: ask Alipay+ again, with a new refund request; SETTLED_OUTSIDE_ALIPAY: the buyer was paid back another way. */
  action: 'RETRY' | 'SETTLED_OUTSIDE_ALIPAY';
}

export interface RealNameDecision extends OperatorAction {
  approved: boolean;
}

export interface AuditEntry {
  at: string;
  action:
    | 'correctDeclaration'
    | 'requestRefund'
    | 'cancelOrder'
    | 'reviewRealName'
    | 'pollNow'
    | 'resolveFailedRefund'
    | 'correctCustomsDocument'
    | 'returnGoods'
    | 'giveUpReturn';
  operator: string;
  reason: string;
  detail?: string;
}

export interface RefundRequest {
  amountFen: number;
  reason: string;
  requestedBy: string;
  /**
   * The caller's key (1 to 64 of A-Z a-z 0-9 . _ : -): the same key with the same request answers the same
   * refund, with another amount, reason or requester it is refused (REFUND_KEY_REUSED). Optional on the wire;
   * client/orders.ts makes one when the caller gives none, which then protects nothing against the caller's retry.
   */
  idempotencyKey?: string;
}

/** The rule of a refund's idempotency key. */
export const REFUND_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export interface PaymentView {
  paymentRequestId: string;
  paymentId?: string;
  paymentUrl?: string;
  /** The buyer's terminal and the links pay answered for it (see CheckoutResult). */
  terminal?: BuyerTerminal;
  links?: PaymentLinks;
  status: 'NOT_CREATED' | 'PROCESSING' | 'SUCCESS' | 'FAIL' | 'CANCELLED';
  amountFen: number;
  expiresAt?: string;
  paidAt?: string;
  customsDeclarationFen?: number;
  settlementQuote?: { quoteCurrencyPair: string; quotePrice: string; quoteId?: string };
  /** How the result became known: the notification, or polling inquiryPayment. */
  learnedFrom?: 'NOTIFICATION' | 'INQUIRY';
  notificationsReceived: number;
}

export type DeclarationState =
  | 'NOT_SENT'
  | 'SUBMITTED'
  | 'WAITING_FOR_PROCESSING'
  | 'IN_PROCESS'
  | 'ACCEPTED'
  | 'REJECTED'
  | 'RETRANSMIT_SCHEDULED'
  | 'AWAITING_CORRECTION';

export interface DeclarationView {
  declarationId: string;
  customsOrderId: string;
  isSplit: boolean;
  customsCode: CustomsCode;
  merchantCustomsCode: string;
  merchantCustomsName: string;
  amountFen: number;
  status: DeclarationState;
  /** Accepted declare calls: the first one and each retransmission. */
  attempts: number;
  lastResultCode?: string;
  lastCallAt?: string;
  customsResultCode?: string;
  customsResultDescription?: string;
  retransmitAt?: string;
  identityCheckResult?: 'CHECK_PASSED' | 'CHECK_NOT_PASSED';
  corrections: { at: string; operator: string; reason: string; fields: string[] }[];
}

export interface RefundView {
  refundRequestId: string;
  amountFen: number;
  reason: string;
  requestedBy: string;
  /**
   * PENDING: the refund call is under way; PROCESSING: Alipay+ accepted it and processes it at its next
   * cut-off, or when it has the CNY; SETTLED_OUTSIDE_ALIPAY: an operator paid the buyer back another way.
   */
  status: 'PENDING' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'SETTLED_OUTSIDE_ALIPAY';
  refundId?: string;
  failure?: string;
  at: string;
  /** When it became final (Alipay+'s refundTime when it succeeded). */
  settledAt?: string;
  /** How the final status became known. */
  learnedFrom?: 'NOTIFICATION' | 'INQUIRY';
  /** The caller's key (RefundRequest.idempotencyKey); absent on refunds the order made itself. */
  idempotencyKey?: string;
  /** FAILED and waiting for an operator's decision (resolve-refund): a retry would refund it again. */
  awaitingDecision?: boolean;
}

export interface OrderStatus {
  orderId: string;
  stage: Stage;
  totalFen: number;
  customsCode: CustomsCode;
  waitingFor?: { what: string; since: string };
  stuck?: StuckReason;
  /** Every reason the order is stuck for, each with what it is about: the order, a declaration, a call. */
  stuckReasons?: StuckReason[];
  payment: PaymentView;
  declarations: DeclarationView[];
  clearance: { customsOrderId: string; status: 'NOT_SUBMITTED' | 'PENDING' | 'RELEASED' | 'REJECTED'; reason?: string }[];
  refunds: RefundView[];
  refundableFen: number;
  refundWindowClosesAt?: string;
  /** Why the order ended where it did, in words the merchant can pass to the buyer. */
  outcome?: { reason: string; buyerMessage: string };
  audit: AuditEntry[];
  /** Steps 9 and 10 on the e-port's messages, one entry per customs order; absent on orders before them. */
  customs?: CustomsOrderView[];
  /** Goods returned under a return declaration (CEB625); absent when none. */
  returns?: GoodsReturnView[];
  /** What the daily reconciliation found about the order, by day; absent when it found nothing. */
  reconciliation?: { date: string; codes: string[]; reconciliationId: string }[];
}

/**
 * Where a customs order stands at the e-port, in one word (the CustomsStatus search attribute shows the one
 * needing attention first): documents being filed or awaiting receipts, a document refused, the inventory
 * list's review, inspection, detention, release, or goods sent back abroad.
 */
export const CUSTOMS_STATES = [
  'DOCUMENT_REJECTED',
  'DETAINED',
  'INSPECTION',
  'MANUAL_REVIEW',
  'AWAITING_RECEIPTS',
  'FILING',
  'STORED',
  'REVIEWED',
  'RETURNED_ABROAD',
  'RELEASED',
] as const;
export type CustomsState = (typeof CUSTOMS_STATES)[number];

/** One document of a customs order, as its receipts left it. */
export interface CustomsDocumentView {
  /** 0 the first filing; each correction files it again. */
  attempt: number;
  filedAt?: string;
  /** The latest receipt's status code, its time and why (returnInfo). */
  returnStatus?: string;
  returnTime?: string;
  returnInfo?: string;
}

export interface CustomsOrderView {
  orderNo: string;
  state: CustomsState;
  /** The documents the merchant's side files; the payment document is Alipay's (step 7). */
  order: CustomsDocumentView;
  waybill: CustomsDocumentView;
  inventory: CustomsDocumentView;
  /** The customs' number of the inventory list, once assigned: a return names it. */
  invtNo?: string;
  /** When customs released the goods (800): returns are accepted for 30 days from then. */
  releasedAt?: string;
  /** When the goods entered inspection or detention: each wait has its own deadline. */
  inspectionSince?: string;
  detainedSince?: string;
  /** Operators' corrections before a refused document was filed again. */
  corrections: { at: string; operator: string; reason: string; items: ItemCustomsCorrection[] }[];
  /**
   * The part will not be delivered (customs sent it back abroad, or an operator gave it up): its share of the
   * payment is refunded and its dutiable value is not counted against the buyer's quota; other parts go on.
   */
  settlement?: PartSettlement;
}

export interface PartSettlement {
  reason: string;
  /** The part's share of the payment: goods, freight and tax. */
  refundFen: number;
  /** The part's dutiable value, which the buyer's annual quota does not count. */
  quotaFen: number;
  at: string;
}

/** An operator's correction of a customs order whose order document or inventory list customs refused. */
export interface CustomsDocumentCorrection extends OperatorAction {
  /** The customs order: the order id, or a split part's reference id. */
  orderNo: string;
  /** Corrected customs fields of items; none to file the same facts again (after customs fixed its side). */
  items?: ItemCustomsCorrection[];
}

/** The merchant files a return (CEB625) for goods that came back; once customs accepts it, the buyer is refunded. */
export interface GoodsReturnRequest extends OperatorAction {
  orderNo?: string;
  lines: { sku: string; quantity: number }[];
}

/** An operator gives up a return customs has not answered past its deadline (RETURN_RECEIPT_DEADLINE). */
export interface ReturnGiveUp extends OperatorAction {
  returnId: string;
}

export interface GoodsReturnView {
  returnId: string;
  orderNo: string;
  lines: { sku: string; quantity: number }[];
  /**
   * FILED: CEB625 filed, awaiting its receipt; ACCEPTED: customs took it (399), refund and quota follow; REFUSED: 100;
   * GIVEN_UP: no receipt came and an operator (or the refund window's close) gave it up: no refund, no quota back.
   */
  status: 'FILED' | 'ACCEPTED' | 'REFUSED' | 'GIVEN_UP';
  /** Goods and their tax, paid back to the buyer; capped at what was left to refund when the return was filed. */
  refundFen: number;
  /** What the goods and their tax were worth when the refund was capped at what was left (a refund came first). */
  refundCappedFromFen?: number;
  /** The refund made for it, once customs accepted it. */
  refundRequestId?: string;
  /** Who gave it up, why and when (status GIVEN_UP). */
  givenUp?: { by: string; reason: string; at: string };
  /** The dutiable value given back to the buyer's annual quota. */
  quotaFen: number;
  requestedBy: string;
  at: string;
  returnInfo?: string;
  quotaGivenBack?: boolean;
}

export const checkoutUpdate = defineUpdate<CheckoutResult, []>('checkout');
export const paymentNotificationUpdate = defineUpdate<NotificationAck, [PaymentNotification]>('paymentNotification');
export const refundNotificationUpdate = defineUpdate<NotificationAck, [RefundNotification]>('refundNotification');
export const correctDeclarationUpdate = defineUpdate<DeclarationView, [DeclarationCorrection]>('correctDeclaration');
export const requestRefundUpdate = defineUpdate<RefundView, [RefundRequest]>('requestRefund');
export const cancelOrderUpdate = defineUpdate<OrderStatus, [OperatorAction]>('cancelOrder');
export const reviewRealNameUpdate = defineUpdate<OrderStatus, [RealNameDecision]>('reviewRealName');
export const pollNowUpdate = defineUpdate<OrderStatus, [OperatorAction]>('pollNow');
export const resolveFailedRefundUpdate = defineUpdate<OrderStatus, [RefundResolution]>('resolveFailedRefund');
export const correctCustomsDocumentUpdate = defineUpdate<CustomsOrderView, [CustomsDocumentCorrection]>('correctCustomsDocument');
export const returnGoodsUpdate = defineUpdate<GoodsReturnView, [GoodsReturnRequest]>('returnGoods');
export const giveUpReturnUpdate = defineUpdate<GoodsReturnView, [ReturnGiveUp]>('giveUpReturn');
export const statusQuery = defineQuery<OrderStatus>('status');
