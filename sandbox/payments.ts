import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  APIS,
  SUCCESS,
  mainlandIdProblem,
  maskIdNumber,
  parseMessage,
  type Amount,
  type PayEnv,
  type PaymentStatus,
  type SettlementQuote,
} from '../alipay-plus';
import { DAY, iso } from './clock';
import { HelperError, ProtocolFailure, helperParse } from './protocol-failure';

export const REFUND_WINDOW_MS = 90 * DAY;

export const payerSchema = z
  .object({
    fullName: z.string().min(1).max(128),
    certificateType: z.enum(['ID_CARD', 'PASSPORT']),
    certificateNo: z.string().min(1).max(64),
    realNameVerified: z.boolean(),
  })
  .superRefine((p, ctx) => {
    const problem = p.certificateType === 'ID_CARD' ? mainlandIdProblem(p.certificateNo) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['certificateNo'], message: problem });
  });
export type Payer = z.infer<typeof payerSchema>;

/** POST /sandbox/payments/{paymentRequestId}/succeed: the buyer pays, as this payer. */
export const paymentSucceedBody = z.object({ payer: payerSchema });
/** POST /sandbox/payments/{paymentRequestId}/fail: the buyer's payment fails, for this reason. */
export const paymentFailBody = z.object({ reason: z.string().max(256).optional() });

export interface Refund {
  refundRequestId: string;
  refundId: string;
  paymentRequestId: string;
  amount: Amount;
  reason?: string;
  at: number;
  requestJson: string;
}

export interface Payment {
  paymentRequestId: string;
  paymentId: string;
  referenceOrderId: string;
  amount: Amount;
  notifyUrl: string;
  expiresAt: number;
  createdAt: number;
  status: PaymentStatus;
  paidAt?: number;
  payer?: Payer;
  quote?: SettlementQuote;
  failReason?: string;
  requestJson: string;
  /** The buyer's terminal as pay's `env` gave it; none is the web. */
  env?: PayEnv;
  /** The links pay answers for that terminal. */
  links: PaymentLinks;
  refunds: Refund[];
}

export interface PaymentLinks {
  normalUrl?: string;
  schemeUrl?: string;
  applinkUrl?: string;
  appIdentifier?: string;
}

/** The Android package name of the Alipay app, as Antom's App Links guide lists it for `<queries>`. */
export const ALIPAY_ANDROID_PACKAGE = 'com.eg.android.AlipayGphone';

export interface PaymentSettings {
  /** Base URL of the sandbox, for the cashier link. */
  baseUrl: () => string;
  settlementCurrency: string;
  quotePrice: string;
}

/** A payment as the ledger and the buyer's helpers show it. */
export type PaymentSummary = ReturnType<PaymentBook['summary']>;

/** pay, inquiryPayment, cancelPayment and refund, plus the buyer's actions in the test helpers. */
export class PaymentBook {
  readonly payments = new Map<string, Payment>();
  readonly refunds = new Map<string, Refund>();

  constructor(
    private readonly settings: PaymentSettings,
    /** Called once a payment reaches a final state, to start notifying the merchant. */
    private readonly onFinal: (payment: Payment, now: number) => void,
  ) {}

  get(paymentRequestId: string) {
    return this.payments.get(paymentRequestId);
  }

  pay(body: unknown, now: number) {
    const req = parse(APIS.pay.request, body, 'pay');
    const requestJson = JSON.stringify(req);
    const existing = this.payments.get(req.paymentRequestId);
    if (existing) {
      if (existing.requestJson !== requestJson) {
        throw new ProtocolFailure('REPEAT_REQ_INCONSISTENT', `paymentRequestId ${req.paymentRequestId} was used with other content`);
      }
      return this.payResponse(existing);
    }
    if (req.paymentAmount.currency !== 'CNY') {
      throw new ProtocolFailure('PARAM_ILLEGAL', 'paymentAmount.currency must be "CNY": buyers pay in CNY');
    }
    if (req.order.orderAmount.currency !== req.paymentAmount.currency || req.order.orderAmount.value !== req.paymentAmount.value) {
      throw new ProtocolFailure('PARAM_ILLEGAL', 'order.orderAmount must equal paymentAmount');
    }
    if (req.settlementStrategy && req.settlementStrategy.settlementCurrency !== this.settings.settlementCurrency) {
      throw new ProtocolFailure(
        'PARAM_ILLEGAL',
        `settlementStrategy.settlementCurrency must be the contract currency ${this.settings.settlementCurrency}`,
      );
    }
    const expiresAt = Date.parse(req.paymentExpiryTime);
    if (expiresAt <= now) throw new ProtocolFailure('PARAM_ILLEGAL', 'paymentExpiryTime must be in the future');
    if (req.env?.terminalType === 'APP' && !req.env.osType) {
      throw new ProtocolFailure('PARAM_ILLEGAL', 'env.osType is required when env.terminalType is APP: the app links depend on it');
    }
    const paymentId = `2026${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const payment: Payment = {
      paymentRequestId: req.paymentRequestId,
      paymentId,
      referenceOrderId: req.order.referenceOrderId,
      amount: req.paymentAmount,
      notifyUrl: req.paymentNotifyUrl,
      expiresAt,
      createdAt: now,
      status: 'PROCESSING',
      requestJson,
      env: req.env,
      links: this.linksFor(paymentId, req.env),
      refunds: [],
    };
    this.payments.set(payment.paymentRequestId, payment);
    return this.payResponse(payment);
  }

  private payResponse(p: Payment) {
    return { result: SUCCESS, paymentId: p.paymentId, paymentCreateTime: iso(p.createdAt), ...p.links };
  }

  /**
   * The links for the buyer's terminal, as Antom's "URLs for payment redirection" sorts them: the web gets
   * normalUrl (the PC cashier); a mobile browser or mini program normalUrl (an H5 page); an app schemeUrl and
   * applinkUrl to open the Alipay app, normalUrl as the H5 fallback, and on Android the app's package name.
   */
  private linksFor(paymentId: string, env: PayEnv | undefined): PaymentLinks {
    const base = this.settings.baseUrl();
    const id = encodeURIComponent(paymentId);
    const h5 = `${base}/h5/cashier/${id}`;
    switch (env?.terminalType ?? 'WEB') {
      case 'WEB':
        return { normalUrl: `${base}/cashier/${id}` };
      case 'APP':
        return {
          schemeUrl: `alipays://platformapi/startApp?appId=10000007&qrcode=${encodeURIComponent(h5)}`,
          applinkUrl: `${base}/applink/cashier/${id}`,
          normalUrl: h5,
          ...(env?.osType === 'ANDROID' && { appIdentifier: ALIPAY_ANDROID_PACKAGE }),
        };
      default:
        return { normalUrl: h5 };
    }
  }

  inquiryPayment(body: unknown) {
    const req = parse(APIS.inquiryPayment.request, body, 'inquiryPayment');
    return this.paymentView(this.mustGet(req.paymentRequestId));
  }

  /** The payment as inquiryPayment and notifyPayment describe it. */
  paymentView(p: Payment) {
    const paid = p.status === 'SUCCESS';
    return {
      result: SUCCESS,
      paymentStatus: p.status,
      paymentResult: paid
        ? SUCCESS
        : p.status === 'PROCESSING'
          ? { resultStatus: 'U' as const, resultCode: 'PAYMENT_IN_PROCESS', resultMessage: 'waiting for the buyer' }
          : {
              resultStatus: 'F' as const,
              resultCode: p.status === 'CANCELLED' ? 'ORDER_IS_CLOSED' : 'USER_PAYMENT_FAILED',
              resultMessage: p.failReason ?? p.status,
            },
      paymentRequestId: p.paymentRequestId,
      paymentId: p.paymentId,
      paymentAmount: p.amount,
      ...(paid && {
        paymentTime: iso(p.paidAt!),
        // The buyer pays in CNY, so the whole payment is what customs may be declared against.
        customsDeclarationAmount: { currency: 'CNY', value: p.amount.value },
        settlementQuote: p.quote,
        payerRealNameVerified: String(p.payer!.realNameVerified) as 'true' | 'false',
      }),
    };
  }

  cancelPayment(body: unknown, now: number) {
    const req = parse(APIS.cancelPayment.request, body, 'cancelPayment');
    const p = this.mustGet(req.paymentRequestId);
    if (p.status === 'SUCCESS') {
      throw new ProtocolFailure('INVALID_ORDER_STATUS', 'the payment is paid: refund it instead of cancelling');
    }
    if (p.status !== 'CANCELLED') {
      p.status = 'CANCELLED';
      p.failReason = `cancelled at ${iso(now)}`;
    }
    return { result: SUCCESS, paymentId: p.paymentId, paymentRequestId: p.paymentRequestId, cancelTime: iso(now) };
  }

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
    const p = this.mustGet(req.paymentRequestId);
    if (p.status !== 'SUCCESS') throw new ProtocolFailure('INVALID_ORDER_STATUS', `the payment is ${p.status}, not paid`);
    if (req.refundAmount.currency !== p.amount.currency) {
      throw new ProtocolFailure('PARAM_ILLEGAL', `refundAmount.currency must be the payment currency ${p.amount.currency}`);
    }
    const value = BigInt(req.refundAmount.value);
    if (value <= 0n) throw new ProtocolFailure('PARAM_ILLEGAL', 'refundAmount.value must be more than 0');
    if (now - p.paidAt! > REFUND_WINDOW_MS) {
      throw new ProtocolFailure('REFUND_WINDOW_EXCEED', 'refunds are accepted within 90 days of the payment');
    }
    const refunded = p.refunds.reduce((sum, r) => sum + BigInt(r.amount.value), 0n);
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
      requestJson,
    };
    p.refunds.push(refund);
    this.refunds.set(refund.refundRequestId, refund);
    return this.refundResponse(refund);
  }

  private refundResponse(r: Refund) {
    const p = this.payments.get(r.paymentRequestId)!;
    return {
      result: SUCCESS,
      refundId: r.refundId,
      refundRequestId: r.refundRequestId,
      paymentId: p.paymentId,
      refundAmount: r.amount,
      refundTime: iso(r.at),
      // Refunds use the rate recorded at payment time.
      settlementQuote: p.quote,
    };
  }

  /** The buyer pays: POST /sandbox/payments/{paymentRequestId}/succeed. */
  succeed(paymentRequestId: string, body: unknown, now: number) {
    const { payer } = helperParse(paymentSucceedBody, body);
    const p = this.helperGet(paymentRequestId);
    if (p.status !== 'PROCESSING') throw new HelperError(409, `payment is ${p.status}`);
    if (now > p.expiresAt) throw new HelperError(409, `payment expired at ${iso(p.expiresAt)}`);
    p.status = 'SUCCESS';
    p.paidAt = now;
    p.payer = payer;
    p.quote = {
      quoteId: `Q${p.paymentId.slice(-12)}`,
      quoteCurrencyPair: `${this.settings.settlementCurrency}/CNY`,
      quotePrice: this.settings.quotePrice,
    };
    this.onFinal(p, now);
    return this.summary(p);
  }

  /** The buyer's payment fails: POST /sandbox/payments/{paymentRequestId}/fail. */
  fail(paymentRequestId: string, body: unknown, now: number) {
    const reason = paymentFailBody.safeParse(body ?? {});
    const p = this.helperGet(paymentRequestId);
    if (p.status !== 'PROCESSING') throw new HelperError(409, `payment is ${p.status}`);
    p.status = 'FAIL';
    p.failReason = (reason.success && reason.data.reason) || 'the buyer did not complete the payment';
    this.onFinal(p, now);
    return this.summary(p);
  }

  /** A payment as the ledger shows it: the payer's identity is masked. */
  summary(p: Payment) {
    return {
      paymentRequestId: p.paymentRequestId,
      paymentId: p.paymentId,
      referenceOrderId: p.referenceOrderId,
      amount: p.amount,
      env: p.env,
      links: p.links,
      status: p.status,
      createdAt: iso(p.createdAt),
      expiresAt: iso(p.expiresAt),
      paidAt: p.paidAt === undefined ? undefined : iso(p.paidAt),
      settlementQuote: p.quote,
      payer: p.payer && {
        fullName: `${p.payer.fullName.slice(0, 1)}**`,
        certificateType: p.payer.certificateType,
        certificateNo: maskIdNumber(p.payer.certificateNo),
        realNameVerified: p.payer.realNameVerified,
      },
      refunds: p.refunds.map((r) => ({
        refundRequestId: r.refundRequestId,
        refundId: r.refundId,
        amount: r.amount,
        reason: r.reason,
        at: iso(r.at),
      })),
    };
  }

  private mustGet(paymentRequestId: string) {
    const p = this.payments.get(paymentRequestId);
    if (!p) throw new ProtocolFailure('ORDER_NOT_EXIST', `no payment with paymentRequestId ${paymentRequestId}`);
    return p;
  }

  private helperGet(paymentRequestId: string) {
    const p = this.payments.get(paymentRequestId);
    if (!p) throw new HelperError(404, `no payment with paymentRequestId ${paymentRequestId}`);
    return p;
  }
}

/** Parses a request, or answers PARAM_ILLEGAL naming the field and the rule. */
export function parse<S extends z.ZodType>(schema: S, body: unknown, api: string): z.infer<S> {
  try {
    return parseMessage(schema, body, `${api} request`);
  } catch (error) {
    throw new ProtocolFailure('PARAM_ILLEGAL', (error as Error).message);
  }
}
