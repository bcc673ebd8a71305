import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import type { CustomsCode } from '../../domain/customs-codes';
import { REFUND_WINDOW_MS } from '../../domain/limits';
import { paymentRequestIdFor, customsCodeOf, type Order, type OrderInput } from '../../domain/order';
import type {
  AuditEntry,
  DeclarationView,
  GoodsReturnView,
  OperatorAction,
  OrderStatus,
  OrderTimeouts,
  PaymentView,
  RealNameDecision,
  RefundResolution,
  RefundView,
  Stage,
  StuckReason,
} from '../../domain/order-api';
import type { ReconciliationFlag } from '../../domain/reconciliation';
import { customsView, type CustomsOrder } from './customs-receipts';

// Everything one order knows, and its projection into the status that callers query.

export interface Declaration extends DeclarationView {
  /** Whether it carries the buyer's certificate; a retransmission must carry exactly what the first call did. */
  withCertificate: boolean;
  lastCallAtMs?: number;
  /** When the last declare call that Alipay+ accepted was made: customs answers from before it are stale. */
  lastCallStartedAtMs?: number;
  retransmitAtMs?: number;
  autoRetransmits: number;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export class OrderState {
  /** The validated input; set once the input rules passed. */
  order!: Order;
  stage: Stage = 'CHECKOUT';
  waiting?: { what: string; since: string };
  /** The most urgent reason the order is stuck for, as shown. */
  stuck?: StuckReason;
  /** Every reason, by scope: `order`, `refund`, a declaration id, or a call. */
  stuckReasons: Record<string, StuckReason> = {};
  /** The single reason as orders before per-scope reasons kept it: the last one set. */
  legacyStuck?: StuckReason;
  /** Started by the lean code (versions.ts): evaluated once, at the start of each run. */
  lean = false;
  /** Started with identity-check-gate (versions.ts): the real-name gate decides on identityCheckResult only. */
  identityGate = false;
  /**
   * Orders started before identity-check-gate only: payerRealNameVerified as their recorded notification or
   * inquiryPayment result carried it (a field of the old sandbox, not of Alipay+).
   */
  legacyPayerRealNameVerified?: boolean;
  /** Refunds are followed to their final status (versions.ts REFUNDS_SETTLE_LATER): evaluated once per run. */
  settleLater = false;
  /** Files the e-port's own messages and follows their receipts (versions.ts CEB_CUSTOMS): evaluated once per run. */
  cebCustoms = false;
  /** Money and quota exact where features meet (versions.ts EXACT_MONEY): evaluated once per order, carried on. */
  exactMoney = false;
  /** Each customs order at the e-port, once its documents are filed (CEB_CUSTOMS orders). */
  customs: CustomsOrder[] = [];
  /** Where the receipts polling stands (step 9 on the e-port's messages); set once the documents are filed. */
  customsLoop?: { deadline: number; polls: number };
  /** Returns of released goods (CEB625) and what came of them. */
  returns: GoodsReturnView[] = [];
  /** Refunds being followed to their final status, or waiting for an operator's decision: the order waits for them. */
  refundsFollowed = 0;
  /** A lean order's changes not yet published: it publishes where it waits (progress.ts). */
  publishDirty = false;
  /** The search attributes last upserted, to write only what changed. */
  published: Record<string, string | undefined> = {};
  payment: PaymentView;
  paidAtMs?: number;
  declarations: Declaration[] = [];
  clearance: OrderStatus['clearance'] = [];
  refunds: RefundView[] = [];
  /** Where the customs review loop stands (step 8). */
  reviewLoop?: { deadline: number; nextPollAt: number; polls: number };
  /** Where the clearance polling stands (step 9); set once the documents are filed. */
  clearanceLoop?: { deadline: number; polls: number };
  /** Order documents and waybills the e-port holds: customs may clear the order from then on. */
  documentsFiled = 0;
  pendingRefundFen = 0;
  outcome?: { reason: string; buyerMessage: string };
  /** Why checkout cannot hand back a payment URL. */
  checkoutFailure?: ApplicationFailure;
  quota?: { buyerKey: string; year: number; held: 'RESERVED' | 'COMMITTED' | 'RELEASED' };
  refundWindowOpen = false;
  /** Set by updates that change what the review loop should do next. */
  nudged = false;
  /** An operator asked to poll Alipay+ or the e-port now. */
  pollRequested = false;
  audit: AuditEntry[] = [];
  cancelRequest?: OperatorAction;
  realNameDecision?: RealNameDecision;
  /** An operator's answer to a compensating refund that Alipay+ refused. */
  refundResolution?: RefundResolution;
  /** What the daily reconciliation found about the order, by day (reconciliation-flags.ts). */
  reconciliation: ReconciliationFlag[] = [];
  /** The order's steps after checkout run in this scope, so an operator's cancel can interrupt any wait. */
  readonly flowScope = new CancellationScope();

  constructor(
    readonly input: OrderInput,
    readonly timeouts: OrderTimeouts,
  ) {
    this.payment = {
      paymentRequestId: paymentRequestIdFor(String(input.orderId)),
      status: 'NOT_CREATED',
      amountFen: Number(input.totalFen),
      notificationsReceived: 0,
    };
  }
}

/**
 * What is left of the payment to refund: paid, minus refunds that succeeded or are under way (PROCESSING cannot
 * be cancelled). Exact-money orders also keep back what is on its way back: returns filed whose refund has not
 * been made, and failed refunds waiting for an operator's decision, whose retry would refund them again.
 */
export function refundableFen(o: OrderState): number {
  if (o.payment.status !== 'SUCCESS') return 0;
  const refunded = o.refunds
    .filter((r) => r.status === 'SUCCEEDED' || r.status === 'SETTLED_OUTSIDE_ALIPAY' || r.status === 'PROCESSING')
    .reduce((s, r) => s + r.amountFen, 0);
  const left = o.payment.amountFen - refunded - o.pendingRefundFen;
  if (!o.exactMoney) return left;
  const returning = o.returns
    .filter((r) => (r.status === 'FILED' || r.status === 'ACCEPTED') && r.refundRequestId === undefined)
    .reduce((s, r) => s + r.refundFen, 0);
  const awaiting = o.refunds.filter((r) => r.status === 'FAILED' && r.awaitingDecision).reduce((s, r) => s + r.amountFen, 0);
  return left - returning - awaiting;
}

export function orderStatus(o: OrderState): OrderStatus {
  const customsCode: CustomsCode = o.order ? customsCodeOf(o.order) : 'ZONGSHU';
  return {
    orderId: String(o.input.orderId),
    stage: o.stage,
    totalFen: Number(o.input.totalFen),
    customsCode,
    waitingFor: o.waiting,
    stuck: o.stuck && { ...o.stuck },
    stuckReasons: Object.values(o.stuckReasons).map((r) => ({ ...r })),
    payment: { ...o.payment },
    declarations: o.declarations.map(
      ({ lastCallAtMs: _a, lastCallStartedAtMs: _s, retransmitAtMs: _b, autoRetransmits: _c, withCertificate: _d, ...view }) => ({
        ...view,
      }),
    ),
    clearance: o.clearance.map((c) => ({ ...c })),
    refunds: o.refunds.map((r) => ({ ...r })),
    refundableFen: refundableFen(o),
    refundWindowClosesAt: o.paidAtMs === undefined ? undefined : iso(o.paidAtMs + REFUND_WINDOW_MS),
    outcome: o.outcome,
    audit: o.audit.map((a) => ({ ...a })),
    ...(o.cebCustoms && { customs: o.customs.map(customsView) }),
    ...(o.returns.length > 0 && { returns: o.returns.map((r) => ({ ...r, lines: r.lines.map((l) => ({ ...l })) })) }),
    ...(o.reconciliation.length > 0 && { reconciliation: o.reconciliation.map((f) => ({ ...f, codes: [...f.codes] })) }),
  };
}

/** payerRealNameVerified as a result recorded before identity-check-gate carries it; Alipay+'s messages have no such field. */
export function recordedPayerRealNameVerified(recorded: object): boolean | undefined {
  return (recorded as { payerRealNameVerified?: boolean }).payerRealNameVerified;
}
