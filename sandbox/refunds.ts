import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { APIS, SUCCESS, type Amount, type RefundStatus, type Result } from '../alipay-plus';
import { DAY, HOUR, iso } from './clock';
import { REFUND_WINDOW_MS, parse, type PaymentBook } from './payments';
import { HelperError, ProtocolFailure, helperParse } from './protocol-failure';

// refund and inquiryRefund. A refund is accepted at once and stays PROCESSING until the first business
// cut-off after it was submitted (seed 001: processed at the start of the next day), then becomes SUCCESS,
// or FAIL when a test helper said so. A held refund waits for its funds, then for the cut-off after that.

/** The daily cut-off: 00:00 in Beijing (UTC+8), i.e. 16:00 UTC. */
export const DEFAULT_REFUND_CUTOFF_UTC_HOUR = 16;

/** The first cut-off strictly after `ms`, at `hourUtc` o'clock UTC. */
export function nextCutoff(ms: number, hourUtc = DEFAULT_REFUND_CUTOFF_UTC_HOUR): number {
  const dayStart = Math.floor(ms / DAY) * DAY;
  const today = dayStart + hourUtc * HOUR;
  return today > ms ? today : today + DAY;
}

export interface Refund {
  refundRequestId: string;
  refundId: string;
  paymentRequestId: string;
  amount: Amount;
  reason?: string;
  /** When Alipay+ accepted it. */
  at: number;
  notifyUrl: string;
  requestJson: string;
  status: RefundStatus;
  /** When it becomes final: the cut-off after its submission, or after its hold ends. */
  settleAt: number;
  /** Set by the fail helper: the result it will FAIL with. */
  failWith?: Result;
  finishedAt?: number;
}

/** POST /sandbox/refunds/{refundRequestId}/hold: no funds until `forMs` from now; processed at the cut-off after. */
export const refundHoldBody = z.object({
  forMs: z
    .number()
    .int()
    .min(0)
    .max(400 * DAY),
});
/** POST /sandbox/refunds/{refundRequestId}/fail: the refund will FAIL at its cut-off with this code and message. */
export const refundFailBody = z.object({
  resultCode: z.string().min(1).max(64).optional(),
  resultMessage: z.string().min(1).max(256).optional(),
});

interface RefundRule {
  holdUntil?: number;
  failWith?: Result;
}

export class RefundBook {
  readonly refunds = new Map<string, Refund>();
  /** Rules set by helpers, by refundRequestId: they apply to a refund made later too. */
  private readonly rules = new Map<string, RefundRule>();

  constructor(
    private readonly payments: PaymentBook,
    /** When a refund submitted (or released from its hold) at a time is processed: the next cut-off. */
    private readonly processedAt: (ms: number) => number,
    /** Called once a refund is accepted, to notify its final status when it comes. */
    private readonly onAccepted: (refund: Refund) => void,
  ) {}

  refund(body: unknown, now: number) {
    const req = parse(APIS.refund.request, body, 'refund');
    const requestJson = JSON.stringify(req);
    const previous = this.refunds.get(req.refundRequestId);
    if (previous) {
      if (previous.requestJson !== requestJson) {
        throw new ProtocolFailure('REPEAT_REQ_INCONSISTENT', `refundRequestId ${req.refundRequestId} was used with other content`);
      }
      return this.refundResponse(previous);
    }
    const p = this.payments.payments.get(req.paymentRequestId);
    if (!p) throw new ProtocolFailure('ORDER_NOT_EXIST', `no payment with paymentRequestId ${req.paymentRequestId}`);
    if (p.status !== 'SUCCESS') throw new ProtocolFailure('INVALID_ORDER_STATUS', `the payment is ${p.status}, not paid`);
    if (req.refundAmount.currency !== p.amount.currency) {
      throw new ProtocolFailure('PARAM_ILLEGAL', `refundAmount.currency must be the payment currency ${p.amount.currency}`);
    }
    const value = BigInt(req.refundAmount.value);
    if (value <= 0n) throw new ProtocolFailure('PARAM_ILLEGAL', 'refundAmount.value must be more than 0');
    if (now - p.paidAt! > REFUND_WINDOW_MS) {
      throw new ProtocolFailure('REFUND_WINDOW_EXCEED', 'refunds are accepted within 90 days of the payment');
    }
    // Refunds under way count: a refund cannot be cancelled once it starts. Failed ones gave nothing back.
    const refunded = this.of(p.paymentRequestId, now)
      .filter((r) => r.status !== 'FAIL')
      .reduce((sum, r) => sum + BigInt(r.amount.value), 0n);
    if (refunded + value > BigInt(p.amount.value)) {
      throw new ProtocolFailure(
        'REFUND_AMOUNT_EXCEED',
        `refunds would total ${refunded + value} fen, more than the ${p.amount.value} fen paid`,
      );
    }
    const refund: Refund = {
      refundRequestId: req.refundRequestId,
      refundId: `R${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      paymentRequestId: p.paymentRequestId,
      amount: req.refundAmount,
      reason: req.refundReason,
      at: now,
      notifyUrl: req.refundNotifyUrl ?? p.notifyUrl,
      requestJson,
      status: 'PROCESSING',
      settleAt: this.processedAt(now),
    };
    this.refunds.set(refund.refundRequestId, refund);
    this.applyRule(refund);
    this.onAccepted(refund);
    return this.refundResponse(refund);
  }

  private refundResponse(r: Refund) {
    const p = this.payments.payments.get(r.paymentRequestId)!;
    return {
      result: SUCCESS,
      refundId: r.refundId,
      refundRequestId: r.refundRequestId,
      paymentId: p.paymentId,
      refundAmount: r.amount,
      // Refunds use the rate recorded at payment time.
      settlementQuote: p.quote,
    };
  }

  inquiryRefund(body: unknown, now: number) {
    const req = parse(APIS.inquiryRefund.request, body, 'inquiryRefund');
    // refundId takes precedence when both are given.
    const r = req.refundId ? [...this.refunds.values()].find((x) => x.refundId === req.refundId) : this.refunds.get(req.refundRequestId!);
    if (!r)
      throw new ProtocolFailure(
        'REFUND_NOT_EXIST',
        `no refund with ${req.refundId ? 'refundId' : 'refundRequestId'} ${req.refundId ?? req.refundRequestId}`,
      );
    this.settle(r, now);
    return { result: SUCCESS, ...this.refundView(r) };
  }

  /** The refund as inquiryRefund and notifyRefund describe it, without the result. */
  refundView(r: Refund) {
    const p = this.payments.payments.get(r.paymentRequestId)!;
    const gross = p.quote ? Math.round(Number(r.amount.value) / Number(p.quote.quotePrice)) : undefined;
    return {
      refundId: r.refundId,
      refundRequestId: r.refundRequestId,
      refundAmount: r.amount,
      refundStatus: r.status,
      ...(r.status === 'SUCCESS' && { refundTime: iso(r.finishedAt!) }),
      // The settlement at the rate recorded at payment (seed 001), in the settlement currency's minor units.
      ...(r.status === 'SUCCESS' &&
        p.quote &&
        gross !== undefined && {
          grossSettlementAmount: { currency: p.quote.quoteCurrencyPair.slice(0, 3), value: String(gross) },
          settlementQuote: p.quote,
        }),
    };
  }

  /** The result a notifyRefund carries: S for SUCCESS, F with the reason for FAIL. */
  resultOf(r: Refund): Result {
    return r.status === 'FAIL' ? r.failWith! : SUCCESS;
  }

  /** Makes the refund final if its time came. Every read goes through it, so the status never goes back. */
  settle(r: Refund, now: number): Refund {
    if (r.status === 'PROCESSING' && now >= r.settleAt) {
      r.status = r.failWith ? 'FAIL' : 'SUCCESS';
      r.finishedAt = r.settleAt;
    }
    return r;
  }

  /** A payment's refunds, each settled to `now`. */
  of(paymentRequestId: string, now: number): Refund[] {
    return [...this.refunds.values()].filter((r) => r.paymentRequestId === paymentRequestId).map((r) => this.settle(r, now));
  }

  /** Holds a refund (made or to come) for want of funds: POST /sandbox/refunds/{refundRequestId}/hold. */
  hold(refundRequestId: string, body: unknown, now: number) {
    const { forMs } = helperParse(refundHoldBody, body);
    return this.setRule(refundRequestId, { holdUntil: now + forMs }, now);
  }

  /** Makes a refund (made or to come) FAIL at its cut-off: POST /sandbox/refunds/{refundRequestId}/fail. */
  fail(refundRequestId: string, body: unknown, now: number) {
    const f = helperParse(refundFailBody, body ?? {});
    const failWith: Result = {
      resultStatus: 'F',
      resultCode: f.resultCode ?? 'REFUND_FAILED',
      resultMessage: f.resultMessage ?? "the refund could not be made to the buyer's account",
    };
    return this.setRule(refundRequestId, { failWith }, now);
  }

  private setRule(refundRequestId: string, rule: RefundRule, now: number) {
    const r = this.refunds.get(refundRequestId);
    if (r && this.settle(r, now).status !== 'PROCESSING') throw new HelperError(409, `refund ${refundRequestId} is ${r.status}`);
    this.rules.set(refundRequestId, { ...this.rules.get(refundRequestId), ...rule });
    if (r) this.applyRule(r);
    return { refundRequestId, rule: this.rules.get(refundRequestId), ...(r && this.summary(r, now)) };
  }

  private applyRule(r: Refund) {
    const rule = this.rules.get(r.refundRequestId);
    if (!rule) return;
    if (rule.failWith) r.failWith = rule.failWith;
    if (rule.holdUntil !== undefined) r.settleAt = Math.max(r.settleAt, this.processedAt(rule.holdUntil));
  }

  /** A refund as the ledger shows it. */
  summary(r: Refund, now: number) {
    this.settle(r, now);
    return {
      refundRequestId: r.refundRequestId,
      refundId: r.refundId,
      paymentRequestId: r.paymentRequestId,
      amount: r.amount,
      reason: r.reason,
      at: iso(r.at),
      status: r.status,
      settlesAt: iso(r.settleAt),
      finishedAt: r.finishedAt === undefined ? undefined : iso(r.finishedAt),
      failure: r.status === 'FAIL' ? `${r.failWith!.resultCode}: ${r.failWith!.resultMessage ?? ''}` : undefined,
    };
  }
}
