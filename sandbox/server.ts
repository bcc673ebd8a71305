import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { APIS, headerValue, signedHeaders, verifySignedHeaders, type ResultStatus } from '../alipay-plus';
import { SandboxClock, iso, type TimeSource } from './clock';
import { CustomsRules, customsRulesInput } from './customs-rules';
import { DeclarationBook } from './declarations';
import { EPort } from './eport';
import { Faults, faultConfig } from './faults';
import { ledgerOf } from './ledger';
import { Notifier } from './notifier';
import { PaymentBook } from './payments';
import { DEFAULT_REFUND_CUTOFF_UTC_HOUR, RefundBook, nextCutoff } from './refunds';
import { HelperError, ProtocolFailure, helperParse } from './protocol-failure';
import { SettlementFiles } from './settlement-file';

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
  logger?: Logger;
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

type Handler = (body: unknown, now: number) => unknown;

/** POST /sandbox/clock/advance: moves the sandbox clock forward. */
export const clockAdvanceBody = z.object({
  ms: z
    .number()
    .int()
    .min(0)
    .max(400 * 86_400_000),
});
/** POST /sandbox/exchange-rate: the quote price of later payments. */
export const exchangeRateBody = z.object({ quotePrice: z.string().regex(/^\d{1,12}(\.\d{1,10})?$/) });
/** GET /sandbox/clock and POST /sandbox/clock/advance answer the sandbox's time. */
export interface SandboxTime {
  nowMs: number;
  now: string;
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

  function newState() {
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
    if (notifying) notifier.start();
    return { settings, payments, refunds, declarations, eport, notifier, settlementFiles };
  }

  const alipayPlus = new Map<string, Handler>([
    [APIS.pay.path, (b, now) => state.payments.pay(b, now)],
    [APIS.inquiryPayment.path, (b) => state.payments.inquiryPayment(b)],
    [APIS.cancelPayment.path, (b, now) => state.payments.cancelPayment(b, now)],
    [APIS.refund.path, (b, now) => state.refunds.refund(b, now)],
    [APIS.inquiryRefund.path, (b, now) => state.refunds.inquiryRefund(b, now)],
    [APIS.declare.path, (b, now) => state.declarations.declare(b, now)],
    [APIS.inquireDeclarationRequests.path, (b, now) => state.declarations.inquire(b, now)],
  ]);

  const helpers: [RegExp, (m: RegExpMatchArray, body: unknown, now: number) => unknown][] = [
    [/^POST \/sandbox\/payments\/([^/]+)\/succeed$/, (m, b, now) => state.payments.succeed(decodeURIComponent(m[1]), b, now)],
    [/^POST \/sandbox\/payments\/([^/]+)\/fail$/, (m, b, now) => state.payments.fail(decodeURIComponent(m[1]), b, now)],
    [/^POST \/sandbox\/refunds\/([^/]+)\/hold$/, (m, b, now) => state.refunds.hold(decodeURIComponent(m[1]), b, now)],
    [/^POST \/sandbox\/refunds\/([^/]+)\/fail$/, (m, b, now) => state.refunds.fail(decodeURIComponent(m[1]), b, now)],
    [/^GET \/sandbox\/clock$/, (_m, _b, now) => ({ nowMs: now, now: iso(now) })],
    [
      /^POST \/sandbox\/clock\/advance$/,
      async (_m, b) => {
        const { ms } = helperParse(clockAdvanceBody, b);
        clock.advance(ms);
        await state.notifier.runDue(); // notifications that fell due are sent before the answer
        const now = await clock.now();
        return { nowMs: now, now: iso(now) };
      },
    ],
    [/^POST \/sandbox\/faults$/, (_m, b, now) => (faults.set(helperParse(faultConfig, b ?? {}), now), { ok: true })],
    [/^POST \/sandbox\/customs\/rules$/, (_m, b) => (rules.apply(helperParse(customsRulesInput, b ?? {})), { ok: true })],
    [
      /^POST \/sandbox\/exchange-rate$/,
      (_m, b) => {
        const { quotePrice } = helperParse(exchangeRateBody, b);
        state.settings.quotePrice = quotePrice;
        return { ok: true };
      },
    ],
    [/^GET \/sandbox\/ledger$/, (_m, _b, now) => ledgerOf({ ...state, faults }, now)],
    [
      /^POST \/sandbox\/reset$/,
      async () => {
        await state.notifier.stop();
        state = newState();
        faults.set(faultConfig.parse({}), await clock.now());
        rules.apply({ reset: true });
        return { ok: true };
      },
    ],
    [/^POST \/eport\/orders$/, (_m, b, now) => state.eport.submitOrder(b, now)],
    [/^POST \/eport\/waybills$/, (_m, b, now) => state.eport.submitWaybill(b, now)],
    [/^POST \/eport\/clearance$/, (_m, b, now) => state.eport.clearance(b, now)],
    // The cashier on the web, its H5 page, and the App Link's page, which opens the H5 cashier without the app.
    [/^GET \/(?:h5\/|applink\/)?cashier\/([^/]+)$/, (m) => cashierPage(decodeURIComponent(m[1]))],
    // The daily transaction file, at the path Alipay+ uses on its SFTP server (alipay-plus/settlement-file.ts).
    [
      /^GET \/v1\/settlements\/([^/]+)\/(\d{8})\/transactionItems_(\d{8})_000\.csv$/,
      (m, _b, now) => ({ csv: state.settlementFiles.file(decodeURIComponent(m[1]), m[2], now) }),
    ],
    [/^POST \/sandbox\/settlement-file\/plants$/, (_m, b) => state.settlementFiles.plant(b)],
  ];

  function cashierPage(paymentId: string) {
    const p = [...state.payments.payments.values()].find((x) => x.paymentId === paymentId);
    if (!p) throw new HelperError(404, 'no such payment');
    return {
      html: `<!doctype html><title>Alipay+ sandbox cashier</title><h1>Sandbox cashier</h1>
<p>Payment ${p.paymentRequestId}: ${p.amount.value} fen ${p.amount.currency}, ${p.status}.</p>
<p>The buyer's action is a test helper: POST /sandbox/payments/${encodeURIComponent(p.paymentRequestId)}/succeed</p>`,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    const now = await clock.now();

    if (alipayPlus.has(path) || path.startsWith('/aps/')) return handleAlipayPlus(req, res, path, rawBody, now);

    const route = `${req.method} ${path}`;
    for (const [pattern, fn] of helpers) {
      const m = route.match(pattern);
      if (!m) continue;
      try {
        const body: unknown = rawBody ? JSON.parse(rawBody) : undefined;
        const out = await fn(m, body, now);
        if (out && typeof out === 'object' && 'html' in out) {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end(String(out.html));
        } else if (out && typeof out === 'object' && 'csv' in out) {
          res.writeHead(200, { 'Content-Type': 'text/csv; charset=UTF-8' }).end(String(out.csv));
        } else {
          sendJson(res, 200, out);
        }
      } catch (error) {
        if (error instanceof HelperError) return sendJson(res, error.httpStatus, { error: error.message });
        if (error instanceof SyntaxError) return sendJson(res, 400, { error: 'body is not JSON' });
        throw error;
      }
      return;
    }
    sendJson(res, 404, { error: `no route ${route}` });
  }

  async function handleAlipayPlus(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string, now: number) {
    const requestClientId = headerValue(req.headers, 'Client-Id');
    const answer = (result: { resultStatus: ResultStatus; resultCode: string; resultMessage: string }, extra: object = {}) => {
      // resultMessage is at most 256 characters on the wire.
      const message = result.resultMessage.length > 256 ? `${result.resultMessage.slice(0, 253)}...` : result.resultMessage;
      const body = JSON.stringify({ result: { ...result, resultMessage: message }, ...extra });
      const headers = signedHeaders({
        path,
        clientId: requestClientId ?? clientId,
        rawBody: body,
        privateKey: options.alipayPlusPrivateKey,
        keyVersion,
        timeHeader: 'Response-Time',
        time: iso(now),
      });
      res.writeHead(200, headers).end(body);
    };
    const fail = (resultCode: string, resultMessage: string) => answer({ resultStatus: 'F', resultCode, resultMessage });

    if (req.method !== 'POST') return fail('METHOD_NOT_SUPPORTED', `${req.method} is not supported; use POST`);
    const handler = alipayPlus.get(path);
    if (!handler) return fail('NO_INTERFACE_DEF', `no API at ${path}`);
    if (!/^application\/json\b/i.test(headerValue(req.headers, 'Content-Type') ?? '')) {
      return fail('MEDIA_TYPE_NOT_ACCEPTABLE', 'Content-Type must be application/json');
    }
    if (requestClientId !== clientId) return fail('INVALID_CLIENT', `unknown Client-Id ${requestClientId ?? '(none)'}`);

    const check = verifySignedHeaders({
      path,
      headers: req.headers,
      rawBody,
      publicKey: options.merchantPublicKey,
      timeHeader: 'Request-Time',
    });
    if (!check.ok) {
      // Alipay+ does not sign an answer to a request whose signature it could not verify.
      const body = JSON.stringify({
        result: { resultStatus: 'F', resultCode: 'INVALID_SIGNATURE', resultMessage: `signature check failed: ${check.reason}` },
      });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' }).end(body);
      return;
    }
    if (check.keyVersion !== String(keyVersion)) return fail('KEY_NOT_FOUND', `no key with keyVersion ${check.keyVersion}`);
    const requestTime = headerValue(req.headers, 'Request-Time')!;
    if (!/^\d{10,16}$/.test(requestTime) && Number.isNaN(Date.parse(requestTime))) {
      return fail('PARAM_ILLEGAL', 'Request-Time must be epoch milliseconds or ISO-8601');
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return fail('PARAM_ILLEGAL', 'the body is not JSON');
    }

    const finalCode = faults.finalFor(path, now);
    if (finalCode) return fail(finalCode, `sandbox fault: every call on ${path} is answered F ${finalCode} for a while`);

    const latency = faults.latencyFor(path);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const fault = faults.forCall(path, now);
    const injectFault = () => {
      if (fault!.kind === 'HTTP_500') res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error (sandbox fault)');
      else if (fault!.kind === 'TRAFFIC_LIMIT')
        answer({ resultStatus: 'U', resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultMessage: 'sandbox fault' });
      else answer({ resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION', resultMessage: 'sandbox fault' });
    };
    if (fault && !fault.afterEffect) return injectFault();

    let response: unknown;
    try {
      response = handler(body, now);
    } catch (error) {
      if (error instanceof ProtocolFailure) {
        options.logger?.info({ path, resultCode: error.resultCode }, 'alipay+ sandbox refused');
        if (fault) return injectFault();
        return answer({ resultStatus: error.resultStatus, resultCode: error.resultCode, resultMessage: error.message });
      }
      throw error;
    }
    if (fault) return injectFault(); // the effect happened, the caller never learns it
    const { result, ...rest } = response as { result: { resultStatus: ResultStatus; resultCode: string; resultMessage: string } };
    answer(result, rest);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger?.error({ err: error }, 'sandbox handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'sandbox internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8090, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url: baseUrl,
    port,
    clock,
    stopNotifications: async () => {
      notifying = false;
      await state.notifier.stop();
    },
    close: async () => {
      notifying = false;
      try {
        await state.notifier.stop();
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}
