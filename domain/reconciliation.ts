import { defineSignal } from '@temporalio/workflow';
import type { SettlementLine } from '../alipay-plus/settlement-file';

export type { SettlementLine };
import type { OrderStatus, RefundView } from './order-api';

// The daily reconciliation: Alipay+'s transaction file of a day against the orders. Pure, so the workflow
// runs it deterministically and unit tests check every rule.

/** Every kind of mismatch the reconciliation reports. */
export const RECONCILIATION_ISSUES = [
  /** A payment in the file that no order records as paid. */
  'PAYMENT_WITHOUT_ORDER',
  /** An order paid that day whose payment is not in the file. */
  'PAYMENT_MISSING_FROM_FILE',
  /** A payment or refund whose amount differs between the file and the order. */
  'AMOUNT_MISMATCH',
  /** A payment or refund whose currency differs between the file and the order. */
  'CURRENCY_MISMATCH',
  /** A refund whose status in the file differs from the order's. */
  'REFUND_STATUS_MISMATCH',
  /** A refund settled at another rate than the one recorded at payment. */
  'REFUND_RATE_MISMATCH',
  /** A refund in the file that no order records. */
  'REFUND_WITHOUT_ORDER',
  /** A refund an order made that day (accepted by Alipay+) that is not in the file. */
  'REFUND_MISSING_FROM_FILE',
] as const;
export type ReconciliationIssueCode = (typeof RECONCILIATION_ISSUES)[number];

export interface ReconciliationIssue {
  code: ReconciliationIssueCode;
  /** The order involved, when there is one. */
  orderId?: string;
  /** The paymentRequestId or refundRequestId the issue is about. */
  transactionRequestId: string;
  detail: string;
}

/** What the reconciliation needs of an order: its payment and refunds, from its status query. */
export interface OrderMoney {
  orderId: string;
  paymentRequestId: string;
  paymentStatus: OrderStatus['payment']['status'];
  paymentId?: string;
  paidAt?: string;
  amountFen: number;
  /** Buyers pay in CNY (domain/order.ts). */
  currency: 'CNY';
  /** The rate recorded at payment: refunds settle at it. */
  quotePrice?: string;
  refunds: { refundRequestId: string; refundId?: string; amountFen: number; status: RefundView['status']; at: string }[];
}

export function orderMoneyOf(st: OrderStatus): OrderMoney {
  return {
    orderId: st.orderId,
    paymentRequestId: st.payment.paymentRequestId,
    paymentStatus: st.payment.status,
    paymentId: st.payment.paymentId,
    paidAt: st.payment.paidAt,
    amountFen: st.payment.amountFen,
    currency: 'CNY',
    quotePrice: st.payment.settlementQuote?.quotePrice,
    refunds: st.refunds.map((r) => ({
      refundRequestId: r.refundRequestId,
      refundId: r.refundId,
      amountFen: r.amountFen,
      status: r.status,
      at: r.at,
    })),
  };
}

/** A transaction day, YYYY-MM-DD, runs from 00:00 to 24:00 UTC (docs/sandbox.md). */
export function dayBounds(date: string): { start: number; end: number } {
  const start = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== date) {
    throw new TypeError(`not a date (YYYY-MM-DD): ${date}`);
  }
  return { start, end: start + 24 * 60 * 60 * 1000 };
}

/** The day before the one `ms` falls in: what a daily run reconciles. */
export const dayBefore = (ms: number) => new Date(ms - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

/**
 * The order's refund status as the file would say it. A refund Alipay+ refused (no refundId) never reached
 * Alipay+'s books, so it has no line. Statuses added later map to themselves and so show as a mismatch.
 */
export function fileStatusOfRefund(status: RefundView['status']): string {
  switch (status) {
    case 'PENDING':
    case 'PROCESSING':
      return 'PROCESSING';
    case 'SUCCEEDED':
      return 'SUCCESS';
    case 'FAILED':
    case 'SETTLED_OUTSIDE_ALIPAY':
      return 'FAIL';
    default:
      return status;
  }
}

const sameRate = (a: string, b: string) => Number(a) === Number(b);

/** Every line against the orders, and every order with money movement on `date` against the lines. */
export function reconcile(date: string, lines: SettlementLine[], orders: OrderMoney[]): ReconciliationIssue[] {
  const { start, end } = dayBounds(date);
  const within = (iso?: string) => iso !== undefined && Date.parse(iso) >= start && Date.parse(iso) < end;
  const byPayment = new Map(orders.map((o) => [o.paymentRequestId, o]));
  const issues: ReconciliationIssue[] = [];
  const money = (o: OrderMoney, line: SettlementLine, fen: number, what: string) => {
    const id = line.transactionRequestId;
    if (line.transactionCurrency !== o.currency) {
      issues.push({
        code: 'CURRENCY_MISMATCH',
        orderId: o.orderId,
        transactionRequestId: id,
        detail: `${what}: the file says ${line.transactionCurrency}, the order ${o.currency}`,
      });
    }
    if (Number(line.transactionAmountValue) !== fen) {
      issues.push({
        code: 'AMOUNT_MISMATCH',
        orderId: o.orderId,
        transactionRequestId: id,
        detail: `${what}: the file says ${line.transactionAmountValue}, the order ${fen} (minor units)`,
      });
    }
  };

  for (const line of lines) {
    const id = line.transactionRequestId;
    if (line.transactionType === 'PAYMENT') {
      const o = byPayment.get(id);
      if (!o || o.paymentStatus !== 'SUCCESS') {
        const why = o ? `order ${o.orderId} records its payment as ${o.paymentStatus}` : 'no order has this paymentRequestId';
        issues.push({ code: 'PAYMENT_WITHOUT_ORDER', orderId: o?.orderId, transactionRequestId: id, detail: `payment ${id}: ${why}` });
        continue;
      }
      money(o, line, o.amountFen, `payment ${id}`);
      continue;
    }
    const o = byPayment.get(line.originalTransactionRequestId);
    const r = o?.refunds.find((x) => x.refundRequestId === id);
    if (!o || !r) {
      const why = o ? `order ${o.orderId} has no such refund` : `no order has paymentRequestId ${line.originalTransactionRequestId}`;
      issues.push({ code: 'REFUND_WITHOUT_ORDER', orderId: o?.orderId, transactionRequestId: id, detail: `refund ${id}: ${why}` });
      continue;
    }
    money(o, line, r.amountFen, `refund ${id}`);
    if (fileStatusOfRefund(r.status) !== line.transactionStatus) {
      issues.push({
        code: 'REFUND_STATUS_MISMATCH',
        orderId: o.orderId,
        transactionRequestId: id,
        detail: `refund ${id}: the file says ${line.transactionStatus}, the order ${r.status}`,
      });
    }
    if (o.quotePrice !== undefined && !sameRate(line.quotePrice, o.quotePrice)) {
      issues.push({
        code: 'REFUND_RATE_MISMATCH',
        orderId: o.orderId,
        transactionRequestId: id,
        detail: `refund ${id}: settled at ${line.quotePrice} ${line.quoteCurrencyPair}, the payment's rate was ${o.quotePrice}`,
      });
    }
  }

  const inFile = new Set(lines.map((l) => l.transactionRequestId));
  for (const o of orders) {
    if (o.paymentStatus === 'SUCCESS' && within(o.paidAt) && !inFile.has(o.paymentRequestId)) {
      issues.push({
        code: 'PAYMENT_MISSING_FROM_FILE',
        orderId: o.orderId,
        transactionRequestId: o.paymentRequestId,
        detail: `order ${o.orderId} was paid at ${o.paidAt}; the file has no line for it`,
      });
    }
    for (const r of o.refunds) {
      if (r.refundId !== undefined && within(r.at) && !inFile.has(r.refundRequestId)) {
        issues.push({
          code: 'REFUND_MISSING_FROM_FILE',
          orderId: o.orderId,
          transactionRequestId: r.refundRequestId,
          detail: `refund ${r.refundRequestId} of order ${o.orderId} (${r.status}, ${r.at}) is not in the file`,
        });
      }
    }
  }
  return issues;
}

/** What the reconciliation tells an order it found about it; the order shows it in a search attribute. */
export interface ReconciliationFlag {
  date: string;
  codes: ReconciliationIssueCode[];
  /** The reconciliation's workflow id, so an operator can open its report. */
  reconciliationId: string;
}
export const reconciliationFlagSignal = defineSignal<[ReconciliationFlag]>('reconciliationIssues');

/** The reconciliation of a day, started from the CLI, has this id; the schedule's runs add their time to theirs. */
export const reconciliationWorkflowId = (date: string) => `reconciliation-${date}`;
export const RECONCILIATION_SCHEDULE_ID = 'reconciliation-daily';
