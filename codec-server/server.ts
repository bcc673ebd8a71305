import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OperatorVerifier } from '../platform/operator-identity';

// The codec server the Web UI and the CLI call to show decrypted payloads to the people allowed to see
// them: POST /encode and /decode with {payloads: [...]} (JSON proto, data in base64). The caller's own
// `Authorization: Bearer <token>` says who they are (platform/operator-identity.ts); every call writes one
// audit line, allowed or denied, and never the payloads. No secret is ever in a URL.

export interface CodecServerOptions {
  codec: PayloadCodec;
  verifier: OperatorVerifier;
  /** Origins allowed by CORS, e.g. the Web UI's http://127.0.0.1:8233. */
  allowedOrigins: string[];
  host?: string;
  port?: number;
  logger?: Logger;
  limits?: Partial<CodecLimits>;
  /**
   * Serve HTTPS with this certificate. The Web UI sends the signed-in user's access token only to an
   * https:// codec endpoint, so the UI's endpoint needs it; the CLI may use plain HTTP on loopback.
   */
  tls?: { cert: Buffer; key: Buffer };
}

export interface CodecLimits {
  /**
   * Largest body read. The UI and the CLI send the payloads of one history event or one workflow at a
   * time; Temporal refuses a payload over 2 MB and a gRPC message over 4 MB, so one batch holds at most
   * ~4 MB of payload bytes, ~5.4 MB once base64 and JSON wrap it. 6 MiB takes every real batch and stops
   * a caller from making the server buffer more.
   */
  bodyLimitBytes: number;
  /** Payloads in one request, at most. */
  maxPayloads: number;
  /** Requests being worked on at once; past it the server answers 503 instead of queueing without bound. */
  maxInFlight: number;
  /** Time for the whole request, and for its headers. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

export const DEFAULT_CODEC_LIMITS: CodecLimits = {
  bodyLimitBytes: 6 * 1024 * 1024,
  maxPayloads: 1_000,
  maxInFlight: 64,
  requestTimeoutMs: 15_000,
  headersTimeoutMs: 10_000,
};

const jsonPayload = z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() });
type JsonPayload = z.infer<typeof jsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** A refusal: its status and the rule it names, in the answer and in the log. */
const refuse = (reply: FastifyReply, status: number, rule: string) => reply.code(status).send({ error: rule });

export async function startCodecServer(o: CodecServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const limits = { ...DEFAULT_CODEC_LIMITS, ...o.limits };
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    serverFactory: (handler) =>
      // An https.Server serves requests as an http.Server does; Fastify's types know only the latter here.
      o.tls ? (createHttpsServer(o.tls, handler) as unknown as Server) : createHttpServer(handler),
  });
  app.server.headersTimeout = limits.headersTimeoutMs;
  const log = o.logger;
  const audit = log?.child({ audit: 'codec' });
  let inFlight = 0;

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && o.allowedOrigins.includes(origin)) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      // The headers the Web UI sends: Authorization-Extras carries the signed-in user's ID token.
      reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization, Authorization-Extras, X-Namespace');
      reply.header('Access-Control-Allow-Credentials', 'true');
      reply.header('Access-Control-Max-Age', '600');
      reply.header('Vary', 'Origin');
    }
    if (inFlight >= limits.maxInFlight) {
      reply.header('Retry-After', '1');
      return refuse(reply, 503, `the codec server is busy: at most ${limits.maxInFlight} requests at once`);
    }
    inFlight++;
    reply.raw.once('close', () => inFlight--);
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const rule =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `the body is larger than ${limits.bodyLimitBytes} bytes`
        : status < 500
          ? error.message
          : 'the codec server failed on this request';
    log?.warn(
      { method: req.method, path: req.routeOptions.url ?? 'unknown', status, code: error.code, err: error.message },
      'request refused',
    );
    return refuse(reply, status, rule);
  });
  app.setNotFoundHandler((_req, reply) => refuse(reply, 404, 'the codec server answers POST /encode, POST /decode and GET /healthz'));

  app.options('/*', (_req, reply) => reply.code(204).send());
  app.options('/', (_req, reply) => reply.code(204).send());
  app.get('/healthz', (_req, reply) => reply.send({ ok: true }));

  const handle = (op: 'encode' | 'decode') => async (req: FastifyRequest, reply: FastifyReply) => {
    const namespace = typeof req.headers['x-namespace'] === 'string' ? req.headers['x-namespace'].slice(0, 200) : undefined;
    // protojson leaves out an empty list, so {} is a batch of none (the CLI sends it).
    const body = z.object({ payloads: z.array(jsonPayload).max(limits.maxPayloads).default([]) }).safeParse(req.body);
    const count = body.success ? body.data.payloads.length : undefined;
    const line = { op, namespace, payloads: count, origin: req.headers.origin, ip: req.ip };

    let verdict;
    try {
      verdict = await o.verifier.verifyHeader(req.headers.authorization);
    } catch (error) {
      verdict = { ok: false as const, status: 503 as const, rule: `the operator could not be identified: ${(error as Error).message}` };
    }
    if (!verdict.ok) {
      audit?.warn({ ...line, operator: null, decision: 'denied', status: verdict.status, rule: verdict.rule }, 'codec access denied');
      return refuse(reply, verdict.status, verdict.rule);
    }
    const operator = verdict.operator;
    const who = { operator: operator.name, via: operator.source };
    const access = o.verifier.mayDecrypt(operator);
    if (!access.allowed) {
      audit?.warn({ ...line, ...who, decision: 'denied', status: 403, rule: access.rule }, 'codec access denied');
      return refuse(reply, 403, access.rule);
    }
    if (!body.success) {
      const rule = `the body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}, at most ${limits.maxPayloads} payloads`;
      audit?.warn({ ...line, ...who, decision: 'refused', status: 400, rule }, 'codec request refused');
      return refuse(reply, 400, rule);
    }
    let out: Payload[];
    try {
      const payloads = body.data.payloads.map(fromJson);
      out = op === 'encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
    } catch (error) {
      const rule = `the payloads could not be ${op}d: ${(error as Error).message}`;
      audit?.warn({ ...line, ...who, decision: 'refused', status: 400, rule }, 'codec request refused');
      return refuse(reply, 400, rule);
    }
    audit?.info({ ...line, ...who, decision: 'allowed', status: 200 }, `codec ${op}`);
    return reply.send({ payloads: out.map(toJson) });
  };
  app.post('/encode', handle('encode'));
  app.post('/decode', handle('decode'));

  await app.listen({ port: o.port ?? 8888, host: o.host ?? '127.0.0.1' });
  const { address, port } = app.server.address() as AddressInfo;
  return {
    url: `${o.tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
