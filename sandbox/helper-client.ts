import axios, { isAxiosError, type AxiosInstance } from 'axios';
import type { z } from 'zod';
import type { CebCustoms } from './ceb-customs';
import type { cebRulesInput } from './ceb-rules';
import type { customsRulesInput } from './customs-rules';
import type { faultConfig } from './faults';
import type { SandboxLedger } from './ledger';
import type { PaymentSummary, paymentFailBody, paymentSucceedBody } from './payments';
import type { refundFailBody, refundHoldBody } from './refunds';
import type { SandboxTime, clockAdvanceBody, exchangeRateBody } from './server';

// The sandbox's test helpers, typed: what the buyer, customs and the test itself do to the sandbox.
// The tests, the demo and the history recorder all go through this client. Bodies are typed from the
// sandbox's own schemas, so a body the sandbox would refuse does not compile.

/** The person who pays: their identity as Alipay holds it (Alipay requires real-name verification for cross-border payment). */
export type Payer = z.input<typeof paymentSucceedBody>['payer'];
/** The customs decisions to come: review outcomes by default, by order or by declaration, and clearance. */
export type CustomsRules = z.input<typeof customsRulesInput>;
/** Injected faults: shares of U results, HTTP 500s and traffic limits, dropped notifications, latency, windows of F answers. */
export type FaultConfig = z.input<typeof faultConfig>;
/** The CEB customs' rules: inventory paths per filing attempt, stepAfterMs and receipt delivery faults, by default or by orderNo. */
export type CebRules = z.input<typeof cebRulesInput>;
/** What the CEB customs holds for one order (ID numbers masked). */
export type CebOrderView = ReturnType<CebCustoms['view']>;
export type { PaymentSummary, SandboxLedger, SandboxTime };

/** The ledger's records of one payment (its paymentRequestId is the order id). */
export interface PaymentLedger {
  payments: SandboxLedger['payments'];
  declarations: SandboxLedger['declarations'];
  refunds: SandboxLedger['refunds'];
  notifications: SandboxLedger['notifications'];
}

export class SandboxHelpers {
  private readonly http: AxiosInstance;

  constructor(
    readonly baseUrl: string,
    { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
  ) {
    this.http = axios.create({ baseURL: baseUrl.replace(/\/+$/, ''), timeout: timeoutMs, validateStatus: () => true });
  }

  /** The buyer pays the payment at the cashier. */
  pay(paymentRequestId: string, payer: Payer): Promise<PaymentSummary> {
    const body: z.input<typeof paymentSucceedBody> = { payer };
    return this.call('pay', 'POST', `/sandbox/payments/${encodeURIComponent(paymentRequestId)}/succeed`, body);
  }

  /** The buyer's payment fails. */
  failPayment(paymentRequestId: string, reason?: string): Promise<PaymentSummary> {
    const body: z.input<typeof paymentFailBody> = { reason };
    return this.call('failPayment', 'POST', `/sandbox/payments/${encodeURIComponent(paymentRequestId)}/fail`, body);
  }

  /**
   * Alipay+ has no CNY for this refund (made or to come) for `forMs` from now: it stays PROCESSING until the
   * first cut-off after that (seed 001: it waits until enough CNY has come in).
   */
  async holdRefund(refundRequestId: string, forMs: number): Promise<void> {
    const body: z.input<typeof refundHoldBody> = { forMs };
    await this.call('holdRefund', 'POST', `/sandbox/refunds/${encodeURIComponent(refundRequestId)}/hold`, body);
  }

  /** This refund (made or to come) FAILs at its cut-off, with this result code and message. */
  async failRefund(refundRequestId: string, failure: z.input<typeof refundFailBody> = {}): Promise<void> {
    await this.call('failRefund', 'POST', `/sandbox/refunds/${encodeURIComponent(refundRequestId)}/fail`, failure);
  }

  /** Adds to the customs rules (review and clearance); `{ reset: true }` first goes back to the defaults. */
  async customsRules(rules: CustomsRules): Promise<void> {
    await this.call('customsRules', 'POST', '/sandbox/customs/rules', rules);
  }

  /** Adds to the CEB customs' rules; `{ reset: true }` first goes back to the defaults (RELEASE, 2-minute steps, no faults). */
  async cebRules(rules: CebRules): Promise<void> {
    await this.call('cebRules', 'POST', '/sandbox/ceb/rules', rules);
  }

  /** What the CEB customs holds for one customs order: documents filed, list lines, statuses, receipts. */
  cebOrder(orderNo: string): Promise<CebOrderView> {
    return this.call('cebOrder', 'GET', `/sandbox/ceb/orders/${encodeURIComponent(orderNo)}`);
  }

  /** Alipay+'s identity check of this payment answers CHECK_NOT_PASSED, whoever pays it: the buyer fails the check. */
  async failIdentityCheck(paymentRequestId: string): Promise<void> {
    await this.customsRules({ identityChecks: { [paymentRequestId]: 'CHECK_NOT_PASSED' } });
  }

  /** Replaces the whole fault configuration; `{}` clears it. */
  async faults(config: FaultConfig): Promise<void> {
    await this.call('faults', 'POST', '/sandbox/faults', config);
  }

  /** The quote price of the payments made from now on. */
  async exchangeRate(quotePrice: string): Promise<void> {
    const body: z.input<typeof exchangeRateBody> = { quotePrice };
    await this.call('exchangeRate', 'POST', '/sandbox/exchange-rate', body);
  }

  /** The sandbox clock. */
  clock(): Promise<SandboxTime> {
    return this.call('clock', 'GET', '/sandbox/clock');
  }

  /** The sandbox clock, in epoch milliseconds. */
  async now(): Promise<number> {
    return (await this.clock()).nowMs;
  }

  /** Moves the sandbox clock forward; the notifications that fell due are sent before it answers. */
  advance(ms: number): Promise<SandboxTime> {
    const body: z.input<typeof clockAdvanceBody> = { ms };
    return this.call('advance', 'POST', '/sandbox/clock/advance', body);
  }

  /** Every effect the sandbox saw. */
  ledger(): Promise<SandboxLedger> {
    return this.call('ledger', 'GET', '/sandbox/ledger');
  }

  /** The ledger's records of one payment. */
  async ledgerOf(paymentRequestId: string): Promise<PaymentLedger> {
    const l = await this.ledger();
    const mine = <T extends { paymentRequestId: string }>(xs: T[]) => xs.filter((x) => x.paymentRequestId === paymentRequestId);
    return {
      payments: mine(l.payments),
      declarations: mine(l.declarations),
      refunds: mine(l.refunds),
      notifications: mine(l.notifications),
    };
  }

  /** Forgets every payment, declaration and filing, and every rule and fault. */
  async reset(): Promise<void> {
    await this.call('reset', 'POST', '/sandbox/reset');
  }

  private async call<T>(name: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res;
    try {
      res = await this.http.request<T>({ method, url: path, data: body ?? (method === 'POST' ? {} : undefined) });
    } catch (error) {
      const why = isAxiosError(error) ? [error.code, error.message].filter(Boolean).join(' ') : String(error);
      throw new Error(`sandbox ${name}: ${method} ${path}: ${why}`, { cause: error });
    }
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`sandbox ${name}: ${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.data)}`);
    }
    return res.data;
  }
}
