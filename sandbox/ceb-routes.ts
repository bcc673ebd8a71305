import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { MAX_MESSAGE_BYTES } from '../eport/ceb';
import { cebRulesInput } from './ceb-rules';
import type { SandboxContext } from './context';
import { sendJson } from './helper-routes';
import { HelperError, helperParse } from './protocol-failure';

// The customs e-port on the CEB messages: POST /ceb/messages takes one signed filing (XML), GET /ceb/receipts the
// signed receipts of an order so far. The test helpers /sandbox/ceb/... set the customs' rules and show what it holds.

const XML_TYPES = ['application/xml', 'text/xml'];
const receiptsQuery = z.object({ orderNo: z.string().min(1).max(60) });

export function cebRoutes(ctx: SandboxContext, jsonBodyLimitBytes: number) {
  const ceb = () => {
    const c = ctx.state().ceb;
    if (!c) throw new HelperError(503, 'the sandbox has no CEB customs configured (its customs and enterprise keys)');
    return c;
  };

  return function plugin(app: FastifyInstance, _options: unknown, done: () => void) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(XML_TYPES, { parseAs: 'string', bodyLimit: MAX_MESSAGE_BYTES }, (_req, body, next) => next(null, body));
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: jsonBodyLimitBytes }, (_req, body, next) => {
      try {
        next(null, String(body).trim() === '' ? undefined : JSON.parse(String(body)));
      } catch (error) {
        next(new HelperError(400, `the body is not JSON: ${(error as Error).message}`), undefined);
      }
    });
    app.addContentTypeParser('*', (req, _payload, next) => {
      if (req.headers['content-length'] === '0') return next(null, undefined);
      next(
        new HelperError(
          415,
          `Content-Type must be application/xml, text/xml or application/json, not ${(req.headers['content-type'] ?? '(none)').slice(0, 100)}`,
        ),
        undefined,
      );
    });
    app.setErrorHandler((error: FastifyError, _req, reply) => {
      if (error instanceof HelperError) return sendJson(reply, error.httpStatus, { error: error.message });
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendJson(reply, 413, {
          accepted: false,
          rule: 'BODY_TOO_LARGE',
          error: `a CEB message is at most ${MAX_MESSAGE_BYTES} bytes`,
        });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) return sendJson(reply, status, { error: `the request is malformed: ${error.message}` });
      ctx.logger?.error({ err: error }, 'sandbox CEB handler failed');
      return sendJson(reply, 500, { error: 'sandbox internal error' });
    });

    app.post('/ceb/messages', async (req, reply: FastifyReply) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!XML_TYPES.includes(type) || typeof req.body !== 'string') {
        return sendJson(reply, 415, {
          accepted: false,
          rule: 'CONTENT_TYPE',
          error: 'a CEB message is sent as application/xml or text/xml',
        });
      }
      const result = ceb().file(req.body, await ctx.clock.now());
      if (!result.accepted) ctx.logger?.info({ rule: result.rule }, 'sandbox customs refused a CEB message');
      return sendJson(reply, result.accepted ? 200 : 400, result);
    });
    app.get('/ceb/receipts', async (req, reply) => {
      const { orderNo } = helperParse(receiptsQuery, req.query);
      return sendJson(reply, 200, { orderNo, receipts: ceb().receiptsOf(orderNo, await ctx.clock.now()) });
    });
    app.post('/sandbox/ceb/rules', async (req, reply) => {
      ctx.state().cebRules.apply(helperParse(cebRulesInput, req.body ?? {}));
      return sendJson(reply, 200, { ok: true });
    });
    app.get<{ Params: { orderNo: string } }>('/sandbox/ceb/orders/:orderNo', async (req, reply) =>
      sendJson(reply, 200, ceb().view(req.params.orderNo, await ctx.clock.now())),
    );
    done();
  };
}
