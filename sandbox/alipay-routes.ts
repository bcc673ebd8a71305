import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APIS, headerValue, verifySignedHeaders, type ResultStatus } from '../alipay-plus';
import { refuseAlipayPlus, sendSigned, sendUnsigned, signedPath, type WireResult } from './alipay-answers';
import type { SandboxContext } from './context';
import { ProtocolFailure } from './protocol-failure';

// The Alipay+ API paths (/aps/...): POST only, application/json, Client-Id and a signature over the exact body.
// The body is kept as the raw string it came as, since the signature is over its bytes; it is parsed as JSON
// only once the signature holds.

type ApiHandler = (body: unknown, now: number) => unknown;

export function alipayPlusRoutes(ctx: SandboxContext, bodyLimitBytes: number) {
  const apis = new Map<string, ApiHandler>([
    [APIS.pay.path, (b, now) => ctx.state().payments.pay(b, now)],
    [APIS.inquiryPayment.path, (b) => ctx.state().payments.inquiryPayment(b)],
    [APIS.cancelPayment.path, (b, now) => ctx.state().payments.cancelPayment(b, now)],
    [APIS.refund.path, (b, now) => ctx.state().refunds.refund(b, now)],
    [APIS.inquiryRefund.path, (b, now) => ctx.state().refunds.inquiryRefund(b, now)],
    [APIS.declare.path, (b, now) => ctx.state().declarations.declare(b, now)],
    [APIS.inquireDeclarationRequests.path, (b, now) => ctx.state().declarations.inquire(b, now)],
  ]);

  return function plugin(app: FastifyInstance, _options: unknown, done: () => void) {
    app.removeAllContentTypeParsers();
    // Any media type is read as a string: the handler answers MEDIA_TYPE_NOT_ACCEPTABLE in Alipay+'s own shape.
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: bodyLimitBytes }, (_req, body, done) => done(null, body));

    for (const [path, handler] of apis) {
      app.post<{ Body: string | undefined }>(path, (req, reply) => apiCall(ctx, req, reply, handler));
    }
    // Every other method on an API path, and every unknown path under /aps/.
    app.all('/aps/*', async (req, reply) => {
      const path = signedPath(req.url);
      const known = apis.has(path);
      const [resultCode, resultMessage] = known
        ? ['METHOD_NOT_SUPPORTED', `${req.method} is not supported; use POST`]
        : ['NO_INTERFACE_DEF', `no API at ${path}`];
      return fail(ctx, req, reply, await ctx.clock.now(), resultCode, resultMessage);
    });

    app.setErrorHandler((error: FastifyError, req, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return refuseAlipayPlus(reply, ctx, 413, `the body is larger than the sandbox's body limit of ${bodyLimitBytes} bytes`);
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) return refuseAlipayPlus(reply, ctx, status, `the request is malformed: ${error.message}`);
      ctx.logger?.error({ err: error, path: signedPath(req.url) }, 'alipay+ sandbox handler failed');
      return sendUnsigned(reply, { resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION', resultMessage: 'sandbox internal error' }, 500);
    });
    done();
  };
}

function fail(ctx: SandboxContext, req: FastifyRequest, reply: FastifyReply, now: number, resultCode: string, resultMessage: string) {
  const path = signedPath(req.url);
  const requestClientId = headerValue(req.headers, 'Client-Id');
  return sendSigned(reply, ctx, { path, requestClientId, now, result: { resultStatus: 'F', resultCode, resultMessage } });
}

async function apiCall(ctx: SandboxContext, req: FastifyRequest<{ Body: string | undefined }>, reply: FastifyReply, handler: ApiHandler) {
  const now = await ctx.clock.now();
  const path = signedPath(req.url);
  const rawBody = req.body ?? '';
  const requestClientId = headerValue(req.headers, 'Client-Id');
  const answer = (result: WireResult, extra: object = {}) => sendSigned(reply, ctx, { path, requestClientId, now, result, extra });
  const refuse = (resultCode: string, resultMessage: string) => answer({ resultStatus: 'F', resultCode, resultMessage });

  if (!/^application\/json\b/i.test(headerValue(req.headers, 'Content-Type') ?? '')) {
    return refuse('MEDIA_TYPE_NOT_ACCEPTABLE', 'Content-Type must be application/json');
  }
  if (requestClientId !== ctx.clientId) return refuse('INVALID_CLIENT', `unknown Client-Id ${requestClientId ?? '(none)'}`);

  const check = verifySignedHeaders({ path, headers: req.headers, rawBody, publicKey: ctx.merchantPublicKey, timeHeader: 'Request-Time' });
  if (!check.ok) {
    // Alipay+ does not sign an answer to a request whose signature it could not verify.
    return sendUnsigned(reply, {
      resultStatus: 'F',
      resultCode: 'INVALID_SIGNATURE',
      resultMessage: `signature check failed: ${check.reason}`,
    });
  }
  if (check.keyVersion !== String(ctx.keyVersion)) return refuse('KEY_NOT_FOUND', `no key with keyVersion ${check.keyVersion}`);
  const requestTime = headerValue(req.headers, 'Request-Time')!;
  if (!/^\d{10,16}$/.test(requestTime) && Number.isNaN(Date.parse(requestTime))) {
    return refuse('PARAM_ILLEGAL', 'Request-Time must be epoch milliseconds or ISO-8601');
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return refuse('PARAM_ILLEGAL', 'the body is not JSON');
  }

  const { faults } = ctx;
  const finalCode = faults.finalFor(path, now);
  if (finalCode) return refuse(finalCode, `sandbox fault: every call on ${path} is answered F ${finalCode} for a while`);

  const latency = faults.latencyFor(path);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency));
  const fault = faults.forCall(path, now);
  const injectFault = () => {
    if (fault!.kind === 'HTTP_500') return reply.code(500).type('text/plain').send('internal error (sandbox fault)');
    if (fault!.kind === 'TRAFFIC_LIMIT')
      return answer({ resultStatus: 'U', resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultMessage: 'sandbox fault' });
    return answer({ resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION', resultMessage: 'sandbox fault' });
  };
  if (fault && !fault.afterEffect) return injectFault();

  let response: unknown;
  try {
    response = handler(body, now);
  } catch (error) {
    if (!(error instanceof ProtocolFailure)) throw error;
    ctx.logger?.info({ path, resultCode: error.resultCode }, 'alipay+ sandbox refused');
    if (fault) return injectFault();
    return answer({ resultStatus: error.resultStatus, resultCode: error.resultCode, resultMessage: error.message });
  }
  if (fault) return injectFault(); // the effect happened, the caller never learns it
  const { result, ...rest } = response as { result: { resultStatus: ResultStatus; resultCode: string; resultMessage: string } };
  return answer(result, rest);
}
