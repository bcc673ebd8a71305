import type { Socket } from 'node:net';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { signedHeaders, type KeyInput } from '../alipay-plus';
import { notificationDelivery, refusal, tryAgain, type Outcome } from './delivery';

// The merchant's endpoint for Alipay+ notifyPayment and notifyRefund. It answers a signed S only after
// Temporal has accepted the notification into the order's history; anything else makes Alipay+ try again.
// Every answer, refusals included, is Alipay+'s signed `{result: {...}}`, and every refusal names its rule.

export interface NotifyReceiverLimits {
  /** The largest body taken, in bytes; a notification is a few KB. Larger ones get 413 before they are read. */
  bodyLimitBytes: number;
  /** Notifications handled at once; one more is answered 503 U at once, never queued. */
  maxInFlight: number;
  /** The time a client has to send the request headers. */
  headersTimeoutMs: number;
  /** The time a client has to send the whole request. */
  requestTimeoutMs: number;
  /** A connection with no traffic for this long is closed; longer than `updateDeadlineMs`. */
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How long the update to Temporal may take before Alipay+ is answered 503 U, to try again later. */
  updateDeadlineMs: number;
  /** A notification whose signed Request-Time is further than this from the receiver's clock is refused. */
  requestTimeWindowMs: number;
}

export const DEFAULT_LIMITS: NotifyReceiverLimits = {
  bodyLimitBytes: 64 * 1024,
  maxInFlight: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  updateDeadlineMs: 10_000,
  requestTimeWindowMs: 5 * 60_000,
};

export interface NotifyReceiverOptions extends Partial<NotifyReceiverLimits> {
  temporal: Client;
  /** The merchant's client id at Alipay+, which signs both directions. */
  clientId: string;
  /** Verifies notifications. */
  alipayPlusPublicKey: KeyInput;
  /** Signs acknowledgements. */
  merchantPrivateKey: KeyInput;
  keyVersion?: number;
  host?: string;
  port?: number;
  /** The path Alipay+ posts to, part of what is signed. */
  path?: string;
  logger?: Logger;
  /** The receiver's clock for the Request-Time window; the workflow tests pass the test server's. */
  now?: () => number | Promise<number>;
  /** The orders' task queue (TEMPORAL_TASK_QUEUE), where money taken for a closed order is refunded. */
  ordersTaskQueue?: string;
}

export interface NotifyReceiver {
  url: string;
  /**
   * Stops taking notifications, answers those under way (a Temporal call still running is cancelled
   * and its notification answered "try again"), then closes every connection. When it resolves, no
   * call to Temporal made by the receiver is still running, so the connection can be closed.
   */
  close(): Promise<void>;
}

export async function startNotifyReceiver(o: NotifyReceiverOptions): Promise<NotifyReceiver> {
  const path = o.path ?? '/alipay/notify';
  const limits: NotifyReceiverLimits = { ...DEFAULT_LIMITS, ...definedOnly(o) };
  if (limits.connectionTimeoutMs <= limits.updateDeadlineMs) {
    throw new Error('connectionTimeoutMs must be longer than updateDeadlineMs, or a slow update loses its connection');
  }
  const closing = new AbortController();
  const deliver = notificationDelivery({
    temporal: o.temporal,
    clientId: o.clientId,
    alipayPlusPublicKey: o.alipayPlusPublicKey,
    path,
    requestTimeWindowMs: limits.requestTimeWindowMs,
    updateDeadlineMs: limits.updateDeadlineMs,
    now: o.now ?? Date.now,
    closing: closing.signal,
    ordersTaskQueue: o.ordersTaskQueue ?? 'alipay-orders',
  });
  /** Notifications from their first byte until their answer is written or their connection is gone. */
  const inFlight = new Set<Promise<void>>();

  const signed = (body: string) =>
    signedHeaders({
      path,
      clientId: o.clientId,
      rawBody: body,
      privateKey: o.merchantPrivateKey,
      keyVersion: o.keyVersion ?? 1,
      timeHeader: 'Response-Time',
      time: new Date().toISOString(),
    });

  /** Writes the signed answer and logs it; refusals name their rule, and no body is ever logged. */
  function answer(req: FastifyRequest, reply: FastifyReply, out: Outcome, closeConnection = false) {
    const fields = { kind: out.kind, status: out.status, resultCode: out.result.resultCode, rule: out.rule, orderId: out.orderId };
    const where = {
      method: req.method,
      path: req.url.split('?')[0].slice(0, 200),
      bytes: Number(req.headers['content-length']) || undefined,
    };
    if (out.kind === 'refused' || out.kind === 'retry') {
      o.logger?.warn({ ...fields, ...where, reason: out.result.resultMessage, err: out.error }, 'notification not taken');
    } else {
      o.logger?.info(fields, 'notification');
    }
    const body = JSON.stringify({ result: out.result });
    // A body not read yet would otherwise be read (and thrown away) to keep the connection.
    if (closeConnection) reply.header('Connection', 'close');
    return reply.code(out.status).headers(signed(body)).send(body);
  }

  const app = Fastify({
    bodyLimit: limits.bodyLimitBytes,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the two timeouts on this interval (30 s by default), so it is kept short.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    return503OnClosing: false,
    forceCloseConnections: false,
    // Malformed HTTP, headers too large or too slow: answered on the socket, in Alipay+'s shape.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, rule, detail] =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [
              408,
              'REQUEST_TIMEOUT',
              `the request must arrive within ${limits.headersTimeoutMs} ms (headers) and ${limits.requestTimeoutMs} ms (all)`,
            ]
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'HEADER_LIMIT', 'the request headers are too large']
            : [400, 'HTTP', 'the request is not well-formed HTTP/1.1'];
      const out = refusal(status, 'PARAM_ILLEGAL', rule, detail);
      o.logger?.warn({ kind: out.kind, status, rule, code: err.code }, 'notification not taken');
      const body = JSON.stringify({ result: out.result });
      const headers = Object.entries({ ...signed(body), Connection: 'close', 'Content-Length': String(Buffer.byteLength(body)) });
      if (socket.writable)
        socket.write(`HTTP/1.1 ${status} ${rule}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
      socket.destroy();
    },
  });

  // The raw body, whatever the content type says, for the signature; at most bodyLimit bytes of it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST' || req.url.split('?')[0] !== path) return;
    if (closing.signal.aborted) return answer(req, reply, tryAgain('CLOSING', 'the receiver is stopping; try again'), true);
    if (inFlight.size >= limits.maxInFlight) {
      const detail = `${limits.maxInFlight} notifications are being handled; try again`;
      return answer(req, reply, tryAgain('IN_FLIGHT_LIMIT', detail, 'REQUEST_TRAFFIC_EXCEED_LIMIT'), true);
    }
    const contentType = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      const detail = `a notification is application/json, not ${contentType.slice(0, 60) || 'a body without Content-Type'}`;
      return answer(req, reply, refusal(415, 'MEDIA_TYPE_NOT_ACCEPTABLE', 'CONTENT_TYPE', detail), true);
    }
    const answered = new Promise<void>((resolve) => reply.raw.once('close', resolve));
    inFlight.add(answered);
    void answered.then(() => inFlight.delete(answered));
    o.logger?.debug({ inFlight: inFlight.size }, 'notification received');
  });

  app.post(path, async (req, reply) => answer(req, reply, await deliver(req.headers, typeof req.body === 'string' ? req.body : '')));
  app.get('/healthz', async (_req, reply) => reply.type('application/json').send('{"ok":true}'));

  app.setNotFoundHandler(async (req, reply) => {
    const out =
      req.url.split('?')[0] === path
        ? refusal(405, 'METHOD_NOT_SUPPORTED', 'METHOD', `notifications are POSTed, not sent with ${req.method.slice(0, 20)}`)
        : refusal(404, 'NO_INTERFACE_DEF', 'PATH', `notifications are posted to ${path}`);
    return answer(req, reply, out, true);
  });

  // Whatever went wrong in reading or handling a request is answered; nothing here can stop the process.
  app.setErrorHandler(async (error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return answer(
        req,
        reply,
        refusal(413, 'PARAM_ILLEGAL', 'BODY_LIMIT', `a notification is at most ${limits.bodyLimitBytes} bytes`),
        true,
      );
    }
    if (status >= 400 && status < 500)
      return answer(req, reply, refusal(status, 'PARAM_ILLEGAL', 'HTTP', error.message.slice(0, 120)), true);
    return answer(req, reply, { ...tryAgain('INTERNAL', 'the receiver failed; try again'), status: 500, error });
  });

  await app.listen({ port: o.port ?? 0, host: o.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}${path}`,
    close: async () => {
      closing.abort();
      const closed = app.close();
      // A notification may still arrive on a kept-alive connection while the others are answered.
      while (inFlight.size > 0) await Promise.allSettled(inFlight);
      app.server.closeAllConnections();
      await closed;
    },
  };
}

/** The options that are set, so an undefined one keeps its default. */
function definedOnly(o: Partial<NotifyReceiverLimits>): Partial<NotifyReceiverLimits> {
  const keys = Object.keys(DEFAULT_LIMITS) as (keyof NotifyReceiverLimits)[];
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
