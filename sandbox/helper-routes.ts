import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteGenericInterface } from 'fastify';
import { iso } from './clock';
import type { SandboxContext } from './context';
import { faultConfig } from './faults';
import { customsRulesInput } from './customs-rules';
import { ledgerOf } from './ledger';
import { HelperError, helperParse } from './protocol-failure';

// The plain-JSON paths: the test helpers (/sandbox/...), the customs e-port (/eport/...), the cashier pages and
// the daily transaction file. Bodies are JSON; a refusal is {error} with a 4xx status that says which rule broke.

const JSON_TYPE = 'application/json; charset=UTF-8';

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

/** Sends a JSON answer with the sandbox's content type. */
export const sendJson = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));

type Id<K extends string> = { Params: Record<K, string> };

export function helperRoutes(ctx: SandboxContext, bodyLimitBytes: number) {
  const state = () => ctx.state();
  const time = (now: number): SandboxTime => ({ nowMs: now, now: iso(now) });

  return function plugin(app: FastifyInstance, _options: unknown, done: () => void) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(new HelperError(400, `the body is not JSON: ${(error as Error).message}`), undefined);
      }
    });
    app.addContentTypeParser('*', (req, _payload, done) => {
      // No body at all is no body, whatever type it claims (an HTTP client may add one to an empty POST).
      if (req.headers['content-length'] === '0') return done(null, undefined);
      const type = req.headers['content-type'] ?? '(none)';
      done(new HelperError(415, `Content-Type must be application/json, not ${type.slice(0, 100)}`), undefined);
    });

    const routes = new Map<string, HTTPMethods[]>();
    const route = <R extends RouteGenericInterface>(
      method: 'GET' | 'POST',
      url: string,
      handle: (req: FastifyRequest<R>, now: number, reply: FastifyReply) => unknown,
    ) => {
      routes.set(url, [...(routes.get(url) ?? []), method]);
      app.route({
        method,
        url,
        handler: async (req, reply) => {
          // An id segment may not be empty (`/sandbox/payments//succeed`): no route, as for any other unknown path.
          if (Object.values(req.params ?? {}).some((v) => v === ''))
            return sendJson(reply, 404, { error: `no route ${req.method} ${req.url}` });
          const now = await ctx.clock.now();
          // The router matched `url`, so the params are those R names.
          const out = await handle(req as FastifyRequest<R>, now, reply);
          if (!reply.sent) sendJson(reply, 200, out);
        },
      });
    };

    route<Id<'paymentRequestId'>>('POST', '/sandbox/payments/:paymentRequestId/succeed', (req, now) =>
      state().payments.succeed(req.params.paymentRequestId, req.body, now),
    );
    route<Id<'paymentRequestId'>>('POST', '/sandbox/payments/:paymentRequestId/fail', (req, now) =>
      state().payments.fail(req.params.paymentRequestId, req.body, now),
    );
    route<Id<'refundRequestId'>>('POST', '/sandbox/refunds/:refundRequestId/hold', (req, now) =>
      state().refunds.hold(req.params.refundRequestId, req.body, now),
    );
    route<Id<'refundRequestId'>>('POST', '/sandbox/refunds/:refundRequestId/fail', (req, now) =>
      state().refunds.fail(req.params.refundRequestId, req.body, now),
    );
    route('GET', '/sandbox/clock', (_req, now) => time(now));
    route('POST', '/sandbox/clock/advance', async (req) => {
      const { ms } = helperParse(clockAdvanceBody, req.body);
      ctx.clock.advance(ms);
      await state().notifier.runDue(); // notifications that fell due are sent before the answer
      return time(await ctx.clock.now());
    });
    route('POST', '/sandbox/faults', (req, now) => (ctx.faults.set(helperParse(faultConfig, req.body ?? {}), now), { ok: true }));
    route('POST', '/sandbox/customs/rules', (req) => (ctx.rules.apply(helperParse(customsRulesInput, req.body ?? {})), { ok: true }));
    route('POST', '/sandbox/exchange-rate', (req) => {
      state().settings.quotePrice = helperParse(exchangeRateBody, req.body).quotePrice;
      return { ok: true };
    });
    route('GET', '/sandbox/ledger', (_req, now) => ledgerOf({ ...state(), faults: ctx.faults }, now));
    route('POST', '/sandbox/reset', async () => (await ctx.reset(), { ok: true }));
    route('POST', '/sandbox/settlement-file/plants', (req) => state().settlementFiles.plant(req.body));

    route('POST', '/eport/orders', (req, now) => state().eport.submitOrder(req.body, now));
    route('POST', '/eport/waybills', (req, now) => state().eport.submitWaybill(req.body, now));
    route('POST', '/eport/clearance', (req, now) => state().eport.clearance(req.body, now));

    // The cashier on the web, its H5 page, and the App Link's page, which opens the H5 cashier without the app.
    for (const url of ['/cashier/:paymentId', '/h5/cashier/:paymentId', '/applink/cashier/:paymentId']) {
      route<Id<'paymentId'>>('GET', url, (req, _now, reply) =>
        reply.type('text/html; charset=UTF-8').send(cashierPage(req.params.paymentId)),
      );
    }
    // The daily transaction file, at the path Alipay+ uses on its SFTP server (alipay-plus/settlement-file.ts).
    route<Id<'customerId' | 'day' | 'fileName'>>('GET', '/v1/settlements/:customerId/:day/:fileName', (req, now, reply) => {
      const { customerId, day, fileName } = req.params;
      if (!/^\d{8}$/.test(day) || !/^transactionItems_\d{8}_000\.csv$/.test(fileName)) {
        return sendJson(reply, 404, { error: `no route ${req.method} ${req.url}` });
      }
      return reply.type('text/csv; charset=UTF-8').send(state().settlementFiles.file(customerId, day, now));
    });

    // A known path with another method: 405 with the methods it takes (HEAD comes with GET).
    const common: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
    for (const [url, methods] of routes) {
      const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
      const others = common.filter((m) => !allowed.includes(m));
      app.route({
        method: others,
        url,
        handler: (req, reply) =>
          sendJson(reply.header('Allow', allowed.join(', ')), 405, {
            error: `${req.method} is not allowed on ${url}; use ${allowed.join(' or ')}`,
          }),
      });
    }
    done();
  };

  function cashierPage(paymentId: string) {
    const p = [...state().payments.payments.values()].find((x) => x.paymentId === paymentId);
    if (!p) throw new HelperError(404, 'no such payment');
    return `<!doctype html><title>Alipay+ sandbox cashier</title><h1>Sandbox cashier</h1>
<p>Payment ${p.paymentRequestId}: ${p.amount.value} fen ${p.amount.currency}, ${p.status}.</p>
<p>The buyer's action is a test helper: POST /sandbox/payments/${encodeURIComponent(p.paymentRequestId)}/succeed</p>`;
  }
}
