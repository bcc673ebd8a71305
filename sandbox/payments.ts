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
import { DAY, MINUTE, iso } from './clock';
import { HelperError, ProtocolFailure, helperParse } from './protocol-failure';

export const REFUND_WINDOW_MS = 90 * DAY;
/**
 * A pay request without paymentExpiryTime expires this long after it is created: Alipay+'s default for
 * Cashier Payment (Alipay+ ACQP FAQ, "Integration": the default expiry time is 10 minutes).
 */
export const DEFAULT_PAYMENT_EXPIRY_MS = 10 * MINUTE;

export const payerSchema = z
  .object({
    fullName: z.string().min(1).max(128),
    certificateType: z.enum(['ID_CARD', 'PASSPORT']),
    certificateNo: z.string().min(1).max(64),
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

/** pay, inquiryPayment and cancelPayment (refunds are in refunds.ts), plus the buyer's actions in the test helpers. */
export class PaymentBook {
  readonly payments = new Map<string, Payment>();

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
    const expiresAt = req.paymentExpiryTime === undefined ? now + DEFAULT_PAYMENT_EXPIRY_MS : Date.parse(req.paymentExpiryTime);
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
      },
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
