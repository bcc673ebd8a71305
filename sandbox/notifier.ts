import axios from 'axios';
import { notifyPaymentAck, verifySignedHeaders, signedHeaders, type KeyInput } from '../alipay-plus';
import { HOUR, MINUTE, iso, type SandboxClock } from './clock';
import type { Faults } from './faults';
import type { Payment, PaymentBook } from './payments';
import type { Refund, RefundBook } from './refunds';

/** Alipay+'s notification schedule: the gap before each of the 8 attempts. */
export const NOTIFY_RETRY_GAPS_MS = [0, 2 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR];

export interface NotificationAttempt {
  at: number;
  outcome: 'ACKNOWLEDGED' | 'NOT_ACKNOWLEDGED' | 'UNSIGNED_ACK' | 'BAD_ACK' | 'NO_RESPONSE' | 'DROPPED';
  detail?: string;
  duplicate?: boolean;
}

export interface NotificationDelivery {
  paymentRequestId: string;
  /** PAYMENT_RESULT (notifyPayment) or REFUND_RESULT (notifyRefund, with the refund's id). */
  notifyType: 'PAYMENT_RESULT' | 'REFUND_RESULT';
  refundRequestId?: string;
  attempts: NotificationAttempt[];
  acknowledged: boolean;
  nextAt?: number;
}

/** Notifications in flight at once. */
const CONCURRENT_SENDS = 16;

interface Job {
  dueAt: number;
  run: () => Promise<void>;
}

/**
 * Runs each notification attempt; the sandbox's own runs it at once. A Temporal test stack holds attempts
 * while it skips the test server's clock (test/support/skip-gate.ts).
 */
export type NotificationGate = <T>(attempt: () => Promise<T>) => Promise<T>;

export interface NotifierKeys {
  clientId: string;
  alipayPlusPrivateKey: KeyInput;
  merchantPublicKey: KeyInput;
  keyVersion: number;
}

/**
 * Sends notifyPayment and notifyRefund to the merchant, signed, on the documented schedule of the sandbox clock,
 * until it gets a signed S acknowledgement.
 */
export class Notifier {
  readonly deliveries: NotificationDelivery[] = [];
  private jobs: Job[] = [];
  private running: Promise<void> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly clock: SandboxClock,
    private readonly keys: NotifierKeys,
    private readonly faults: Faults,
    private readonly payments: () => PaymentBook,
    private readonly refunds: () => RefundBook,
    {
      gate = (attempt) => attempt(),
      retryGapsMs = NOTIFY_RETRY_GAPS_MS,
    }: {
      gate?: NotificationGate;
      /** The gap before each attempt; Alipay+'s schedule unless a local stack shortens it. */
      retryGapsMs?: readonly number[];
    } = {},
  ) {
    this.gate = gate;
    this.retryGapsMs = retryGapsMs;
  }

  private readonly gate: NotificationGate;
  private readonly retryGapsMs: readonly number[];

  start(pollMs = 50) {
    this.ticker = setInterval(() => void this.runDue(), pollMs);
    this.ticker.unref();
  }

  /**
   * Stops sending: no new run starts, a run under way ends after its current attempt, and the promise
   * settles only once it has (with its error, if it failed). After it, the notifier reads the clock no
   * more, so whatever backs the clock (e.g. a Temporal test server) can be shut down.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    await this.running;
  }

  notify(payment: Payment, now: number) {
    const delivery: NotificationDelivery = {
      paymentRequestId: payment.paymentRequestId,
      notifyType: 'PAYMENT_RESULT',
      attempts: [],
      acknowledged: false,
    };
    this.deliveries.push(delivery);
    this.schedule(delivery, now);
  }

  /**
   * Sends notifyRefund once the refund is final, on the same schedule as notifyPayment. A refund held
   * after this was called settles later: the job looks again at its new time.
   */
  notifyRefundWhenFinal(refund: Refund) {
    const check = async () => {
      const now = await this.clock.now();
      if (this.refunds().settle(refund, now).status === 'PROCESSING') {
        this.jobs.push({ dueAt: refund.settleAt, run: check });
        return;
      }
      const delivery: NotificationDelivery = {
        paymentRequestId: refund.paymentRequestId,
        notifyType: 'REFUND_RESULT',
        refundRequestId: refund.refundRequestId,
        attempts: [],
        acknowledged: false,
      };
      this.deliveries.push(delivery);
      this.schedule(delivery, now);
    };
    this.jobs.push({ dueAt: refund.settleAt, run: check });
  }

  /**
   * Runs every job due on the sandbox clock, earliest first, up to CONCURRENT_SENDS at a time: Alipay+ does
   * not wait for one payment's acknowledgement before notifying the next. One payment's attempts never
   * overlap, since its next attempt is scheduled only when the last one has ended.
   */
  runDue(): Promise<void> {
    if (!this.running && !this.stopped) {
      this.running = (async () => {
        try {
          while (!this.stopped) {
            const now = await this.clock.now();
            const due = this.jobs.filter((j) => j.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
            if (due.length === 0) return;
            this.jobs = this.jobs.filter((j) => !due.includes(j));
            const sender = async () => {
              for (let job = due.shift(); job; job = due.shift()) {
                if (this.stopped)
                  this.jobs.push(job); // kept, so nothing is lost if sending resumes
                else await job.run();
              }
            };
            await Promise.all(Array.from({ length: Math.min(CONCURRENT_SENDS, due.length) }, sender));
          }
        } finally {
          this.running = null;
        }
      })();
    }
    return this.running ?? Promise.resolve();
  }

  private schedule(delivery: NotificationDelivery, after: number) {
    const index = delivery.attempts.filter((a) => !a.duplicate).length;
    if (delivery.acknowledged || index >= this.retryGapsMs.length) {
      delivery.nextAt = undefined;
      return;
    }
    const dueAt = after + this.retryGapsMs[index];
    delivery.nextAt = dueAt;
    this.jobs.push({ dueAt, run: () => this.gate(() => this.attempt(delivery)) });
  }

  private async attempt(delivery: NotificationDelivery) {
    const now = await this.clock.now();
    const message = this.messageOf(delivery);
    const fault = this.faults.forNotification();
    if (fault === 'DROP') {
      delivery.attempts.push({ at: now, outcome: 'DROPPED' });
    } else {
      delivery.attempts.push(await this.send(message, now));
      if (fault === 'DUPLICATE') delivery.attempts.push({ ...(await this.send(message, now)), duplicate: true });
    }
    delivery.acknowledged = delivery.attempts.some((a) => a.outcome === 'ACKNOWLEDGED');
    this.schedule(delivery, now);
  }

  /** The notification's URL and body, built when it is sent. */
  private messageOf(delivery: NotificationDelivery): { notifyUrl: string; body: string } {
    if (delivery.notifyType === 'REFUND_RESULT') {
      const refund = this.refunds().refunds.get(delivery.refundRequestId!)!;
      const body = JSON.stringify({
        notifyType: 'REFUND_RESULT',
        result: this.refunds().resultOf(refund),
        ...this.refunds().refundView(refund),
      });
      return { notifyUrl: refund.notifyUrl, body };
    }
    const payment = this.payments().get(delivery.paymentRequestId)!;
    const view = this.payments().paymentView(payment);
    const { result: _apiResult, paymentStatus: _status, paymentResult, ...rest } = view;
    const body = JSON.stringify({
      notifyType: 'PAYMENT_RESULT',
      result: paymentResult,
      ...rest,
      paymentCreateTime: iso(payment.createdAt),
    });
    return { notifyUrl: payment.notifyUrl, body };
  }

  private async send({ notifyUrl, body }: { notifyUrl: string; body: string }, now: number): Promise<NotificationAttempt> {
    const url = new URL(notifyUrl);
    const headers = signedHeaders({
      path: url.pathname,
      clientId: this.keys.clientId,
      rawBody: body,
      privateKey: this.keys.alipayPlusPrivateKey,
      keyVersion: this.keys.keyVersion,
      timeHeader: 'Request-Time',
      time: iso(now),
    });
    try {
      const response = await axios.post<string>(notifyUrl, body, {
        headers,
        timeout: 5_000,
        responseType: 'text',
        transformResponse: (d: unknown) => d,
        validateStatus: () => true,
      });
      const rawAck = String(response.data ?? '');
      const check = verifySignedHeaders({
        path: url.pathname,
        headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, v == null ? undefined : String(v)])),
        rawBody: rawAck,
        publicKey: this.keys.merchantPublicKey,
        timeHeader: 'Response-Time',
      });
      if (!check.ok) return { at: now, outcome: 'UNSIGNED_ACK', detail: `HTTP ${response.status}, ${check.reason}` };
      let ack;
      try {
        ack = notifyPaymentAck.safeParse(JSON.parse(rawAck));
      } catch {
        return { at: now, outcome: 'BAD_ACK', detail: 'acknowledgement is not JSON' };
      }
      if (!ack.success) return { at: now, outcome: 'BAD_ACK', detail: 'acknowledgement has no valid result' };
      return ack.data.result.resultStatus === 'S'
        ? { at: now, outcome: 'ACKNOWLEDGED' }
        : { at: now, outcome: 'NOT_ACKNOWLEDGED', detail: `${ack.data.result.resultStatus} ${ack.data.result.resultCode}` };
    } catch (error) {
      return { at: now, outcome: 'NO_RESPONSE', detail: (error as Error).message };
    }
  }
}
