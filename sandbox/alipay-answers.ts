import type { FastifyReply } from 'fastify';
import { signedHeaders, type ResultStatus } from '../alipay-plus';
import { iso } from './clock';
import { nowForRefusal, type SandboxContext } from './context';

// How the sandbox answers on the Alipay+ paths: a `result` (and whatever the API returns), signed with the
// Alipay+ key over the path that was called. The few unsigned answers are said where they are made.

export interface WireResult {
  resultStatus: ResultStatus;
  resultCode: string;
  resultMessage: string;
}

const JSON_TYPE = 'application/json; charset=UTF-8';

/** The path the signature covers: the request target without its query. */
export const signedPath = (url: string) => url.split('?')[0];

/** Sends a signed answer; the HTTP status is 200 unless the request was refused before it reached an API. */
export function sendSigned(
  reply: FastifyReply,
  ctx: SandboxContext,
  o: { path: string; requestClientId?: string; now: number; result: WireResult; extra?: object; httpStatus?: number },
) {
  // resultMessage is at most 256 characters on the wire.
  const message = o.result.resultMessage.length > 256 ? `${o.result.resultMessage.slice(0, 253)}...` : o.result.resultMessage;
  const body = JSON.stringify({ result: { ...o.result, resultMessage: message }, ...o.extra });
  const headers = signedHeaders({
    path: o.path,
    clientId: o.requestClientId ?? ctx.clientId,
    rawBody: body,
    privateKey: ctx.alipayPlusPrivateKey,
    keyVersion: ctx.keyVersion,
    timeHeader: 'Response-Time',
    time: iso(o.now),
  });
  return reply
    .code(o.httpStatus ?? 200)
    .headers(headers)
    .send(body);
}

/** Sends a result without a signature: for INVALID_SIGNATURE, and for refusals that must stay cheap (overload). */
export function sendUnsigned(reply: FastifyReply, result: WireResult, httpStatus = 200) {
  return reply.code(httpStatus).type(JSON_TYPE).send(JSON.stringify({ result }));
}

/** A refusal of the HTTP layer (too big, bad path) on an Alipay+ path: F PARAM_ILLEGAL with that HTTP status, signed. */
export async function refuseAlipayPlus(reply: FastifyReply, ctx: SandboxContext, httpStatus: number, resultMessage: string) {
  const path = signedPath(reply.request.url);
  ctx.logger?.info({ path, httpStatus, resultCode: 'PARAM_ILLEGAL', why: resultMessage }, 'alipay+ sandbox refused');
  const requestClientId = reply.request.headers['client-id'];
  return sendSigned(reply, ctx, {
    path,
    requestClientId: typeof requestClientId === 'string' && requestClientId.length <= 128 ? requestClientId : undefined,
    now: await nowForRefusal(ctx),
    result: { resultStatus: 'F', resultCode: 'PARAM_ILLEGAL', resultMessage },
    httpStatus,
  });
}
