import { createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SandboxClock, type TimeSource } from './clock';
import type { SandboxContext, SandboxState } from './context';
import { CebCallback } from './ceb-callback';
import { CebCustoms } from './ceb-customs';
import { CebRules } from './ceb-rules';
import { CustomsRules } from './customs-rules';
import { DeclarationBook } from './declarations';
import { EPort } from './eport';
import { Faults, faultConfig } from './faults';
import { createSandboxApp } from './http-app';
import { sandboxLimits, type SandboxLimits } from './http-limits';
import { NOTIFY_RETRY_GAPS_MS, Notifier, type NotificationGate } from './notifier';
import { PaymentBook } from './payments';
import { DEFAULT_REFUND_CUTOFF_UTC_HOUR, RefundBook, nextCutoff } from './refunds';
import { SettlementFiles } from './settlement-file';

export { clockAdvanceBody, exchangeRateBody, type SandboxTime } from './helper-routes';
export type { SandboxLimits } from './http-limits';

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The merchant client id the sandbox trusts. */
  clientId?: string;
  keyVersion?: number;
  merchantPublicKey: string;
  alipayPlusPrivateKey: string;
  /** Read the time from here instead of the real clock, e.g. Temporal's time-skipping test server. */
  timeSource?: TimeSource;
  /** Runs each notification attempt, so a test on the time-skipping server can keep them apart from its skips. */
  notificationGate?: NotificationGate;
  /**
   * A shortcut for the local stack, as retransmitGapMs is: the gaps of Alipay+'s notification schedule (2 minutes
   * to 15 hours) times this, e.g. 0.1 for the chaos run, which drops notifications and waits minutes, not hours.
   */
  notifyRetryScale?: number;
  settlementCurrency?: string;
  quotePrice?: string;
  /** The minimum gap between declare calls for one id; 5 minutes unless a demo shortens it. */
  retransmitGapMs?: number;
  /** The hour (UTC) of the daily cut-off at which refunds are processed: 16, i.e. 00:00 in Beijing, unless set. */
  refundCutoffHourUtc?: number;
  /**
   * A shortcut for the demo and the local stack, as retransmitGapMs is: refunds are processed this long after
   * they are submitted (or their hold ends) instead of at the next cut-off.
   */
  refundSettleDelayMs?: number;
  /** Body limit, cap of requests in flight and timeouts of the HTTP server; the defaults of http-limits.ts unless set. */
  limits?: Partial<SandboxLimits>;
  /** The customs on the CEB messages (POST /ceb/messages, GET /ceb/receipts); without it those paths answer 503. */
  ceb?: SandboxCebOptions;
  logger?: Logger;
}

export interface SandboxCebOptions {
  /** The customs' development key (PEM), which signs the receipts. */
  customsPrivateKey: string;
  /** The filing enterprises' public keys (PEM) by customs code (BaseTransfer copCode). */
  enterprises: Record<string, string>;
  /** Time between the inventory list's states after 120; 2 minutes unless set (the demo shortens it). */
  stepAfterMs?: number;
  /** Where each receipt's signed XML is also POSTed once available (CEB_RECEIPT_CALLBACK_URL). */
  callbackUrl?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  clock: SandboxClock;
  /**
   * Stops sending notifications and waits for the attempt under way, if any. After it the sandbox
   * no longer reads its clock by itself (requests still do). close() does it too.
   */
  stopNotifications(): Promise<void>;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const clientId = options.clientId ?? 'SANDBOX_MERCHANT';
  const keyVersion = options.keyVersion ?? 1;
  const clock = new SandboxClock(options.timeSource);
  const faults = new Faults();
  const rules = new CustomsRules();
  let baseUrl = '';
  let notifying = true;
  let state = newState();

  function newState(): SandboxState {
    const settings = {
      baseUrl: () => baseUrl,
      settlementCurrency: options.settlementCurrency ?? 'USD',
      quotePrice: options.quotePrice ?? '7.1000',
    };
    const notifier: Notifier = new Notifier(
      clock,
      { clientId, alipayPlusPrivateKey: options.alipayPlusPrivateKey, merchantPublicKey: options.merchantPublicKey, keyVersion },
      faults,
      () => payments,
      () => refunds,
      {
        gate: options.notificationGate,
        retryGapsMs: NOTIFY_RETRY_GAPS_MS.map((ms) => Math.round(ms * (options.notifyRetryScale ?? 1))),
      },
    );
    const payments: PaymentBook = new PaymentBook(settings, (p, now) => notifier.notify(p, now));
    const refunds: RefundBook = new RefundBook(
      payments,
      (ms) =>
        options.refundSettleDelayMs !== undefined
          ? ms + options.refundSettleDelayMs
          : nextCutoff(ms, options.refundCutoffHourUtc ?? DEFAULT_REFUND_CUTOFF_UTC_HOUR),
      (r) => notifier.notifyRefundWhenFinal(r),
    );
    const declarations = new DeclarationBook(payments, rules, options.retransmitGapMs);
    const eport = new EPort(payments, declarations, rules);
    const settlementFiles = new SettlementFiles(payments, refunds, clientId);
    const cebRules = new CebRules(options.ceb?.stepAfterMs);
    const ceb = options.ceb && new CebCustoms(cebOptions(options.ceb), cebRules, payments, declarations);
    const cebCallback = ceb && options.ceb?.callbackUrl ? new CebCallback(options.ceb.callbackUrl, clock, ceb, options.logger) : undefined;
    if (notifying) {
      notifier.start();
      cebCallback?.start();
    }
    return { settings, payments, refunds, declarations, eport, notifier, settlementFiles, ceb, cebRules, cebCallback };
  }

  const limits = sandboxLimits(options.limits);
  const ctx: SandboxContext = {
    clientId,
    keyVersion,
    merchantPublicKey: options.merchantPublicKey,
    alipayPlusPrivateKey: options.alipayPlusPrivateKey,
    clock,
    faults,
    rules,
    logger: options.logger,
    state: () => state,
    reset: async () => {
      await state.notifier.stop();
      await state.cebCallback?.stop();
      state = newState();
      faults.set(faultConfig.parse({}), await clock.now());
      rules.apply({ reset: true });
    },
  };
  const app = createSandboxApp(ctx, limits);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 8090, host });
  const { port } = app.server.address() as AddressInfo;
  baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    clock,
    stopNotifications: async () => {
      notifying = false;
      await state.notifier.stop();
      await state.cebCallback?.stop();
    },
    close: async () => {
      notifying = false;
      try {
        await state.notifier.stop();
        await state.cebCallback?.stop();
      } finally {
        app.server.closeAllConnections();
        await app.close();
      }
    },
  };
}

function cebOptions(o: SandboxCebOptions) {
  return { customsKey: { privateKey: createPrivateKey(o.customsPrivateKey), keyName: 'SANDBOX-CUSTOMS-DEV' }, enterprises: o.enterprises };
}
