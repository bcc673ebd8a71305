import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { refuseAlipayPlus, sendUnsigned } from './alipay-answers';
import { alipayPlusRoutes } from './alipay-routes';
import { cebRoutes } from './ceb-routes';
import type { SandboxContext } from './context';
import { helperRoutes, sendJson } from './helper-routes';
import { InFlight, type SandboxLimits } from './http-limits';
import { HelperError } from './protocol-failure';

// The sandbox's HTTP server: Fastify with the limits of http-limits.ts, the Alipay+ paths (alipay-routes.ts)
// and the plain-JSON ones (helper-routes.ts). No request, however malformed, reaches past an error handler:
// each is answered with a 4xx that names the rule it broke, or a 500 that is logged.

const isAlipayPlusPath = (url: string) => url.startsWith('/aps/');

export function createSandboxApp(ctx: SandboxContext, limits: SandboxLimits): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimitBytes,
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
    // Ids in paths are up to 64 characters, three times that when percent-encoded.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: (error, req, reply) => {
      const why = 'the path is not valid percent-encoding';
      if (error.code !== 'FST_ERR_BAD_URL') void refuseServerError(ctx, reply, error);
      else if (isAlipayPlusPath(req.url)) void refuseAlipayPlus(reply, ctx, 400, why);
      else void sendJson(reply, 400, { error: `${why}: ${req.url.slice(0, 200)}` });
    },
    clientErrorHandler: (error, socket) => refuseMalformedHttp(ctx, limits, error, socket),
  });

  const inFlight = new InFlight(limits.maxInFlight);
  app.addHook('onRequest', async (req, reply) => {
    const place = inFlight.tryEnter();
    if (place) {
      reply.raw.once('close', place.release);
      return;
    }
    const why = `the sandbox is answering ${inFlight.current} requests, its cap of requests in flight; retry later`;
    ctx.logger?.warn({ method: req.method, path: req.url.split('?')[0], inFlight: inFlight.current }, 'sandbox overloaded');
    reply.header('Retry-After', '1');
    // Unsigned, to keep the refusal cheap under load: the client retries any 5xx whatever its body.
    if (isAlipayPlusPath(req.url)) {
      return sendUnsigned(reply, { resultStatus: 'U', resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultMessage: why }, 503);
    }
    return sendJson(reply, 503, { error: why });
  });

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error instanceof HelperError) return sendJson(reply, error.httpStatus, { error: error.message });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendJson(reply, 413, { error: `the body is larger than the sandbox's body limit of ${limits.bodyLimitBytes} bytes` });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendJson(reply, status, { error: `the request is malformed: ${error.message}` });
    return refuseServerError(ctx, reply, error);
  });
  app.setNotFoundHandler((req, reply) => sendJson(reply, 404, { error: `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}` }));

  app.register(alipayPlusRoutes(ctx, limits.bodyLimitBytes));
  app.register(helperRoutes(ctx, limits.bodyLimitBytes));
  app.register(cebRoutes(ctx, limits.bodyLimitBytes));
  return app;
}

function refuseServerError(ctx: SandboxContext, reply: FastifyReply, error: unknown) {
  ctx.logger?.error({ err: error, path: reply.request.url.split('?')[0] }, 'sandbox handler failed');
  if (reply.sent) return;
  return sendJson(reply, 500, { error: 'sandbox internal error' });
}

/** Requests node:http could not parse or did not receive in time: answered on the socket, which is then closed. */
function refuseMalformedHttp(ctx: SandboxContext, limits: SandboxLimits, error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, why] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [
          408,
          'Request Timeout',
          `the request was not received in time: headers within ${limits.headersTimeoutMs} ms, all of it within ${limits.requestTimeoutMs} ms`,
        ]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the headers are larger than the server allows']
        : [400, 'Bad Request', `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`];
  ctx.logger?.info({ code: error.code, status }, 'sandbox refused a malformed request');
  // Write only where no answer has started on this connection, as node:http itself does.
  const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (socket.writable && !answering) {
    const body = JSON.stringify({ error: why });
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=UTF-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
