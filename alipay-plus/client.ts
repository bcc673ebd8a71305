import axios, { type AxiosInstance, isAxiosError } from 'axios';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { APIS, type ApiDefinition } from './apis';
import {
  AlipayPlusFinalError,
  AlipayPlusRetryableError,
  AlipayPlusThrottledError,
  TRAFFIC_LIMIT_CODE,
  UNSIGNED_FINAL_CODES,
} from './errors';
import { bareResponse } from './fields';
import { headerValue, signedHeaders, verifySignedHeaders, type HeaderBag, type KeyInput } from './signature';
import { parseMessage } from './validation';

export interface AlipayPlusClientOptions {
  baseUrl: string;
  clientId: string;
  /** The merchant's private key, which signs requests. */
  merchantPrivateKey: KeyInput;
  /** Alipay+'s public key, which verifies responses. */
  alipayPlusPublicKey: KeyInput;
  keyVersion?: number;
  timeoutMs?: number;
  /** How long to back off after REQUEST_TRAFFIC_EXCEED_LIMIT. */
  trafficLimitBackoffMs?: number;
  logger?: Logger;
}

type Api = ApiDefinition;

/**
 * Signs every request, verifies every response signature and parses both with zod.
 * Resolves with the parsed S response; rejects with an AlipayPlusError of kind final, retryable or throttled.
 */
export class AlipayPlusClient {
  private readonly http: AxiosInstance;
  private readonly keyVersion: number;
  private readonly trafficLimitBackoffMs: number;

  constructor(private readonly options: AlipayPlusClientOptions) {
    this.keyVersion = options.keyVersion ?? 1;
    this.trafficLimitBackoffMs = options.trafficLimitBackoffMs ?? 30_000;
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      responseType: 'text',
      // The raw body must reach signature verification untouched.
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  pay(request: z.input<typeof APIS.pay.request>) {
    return this.call(APIS.pay, request);
  }
  inquiryPayment(request: z.input<typeof APIS.inquiryPayment.request>) {
    return this.call(APIS.inquiryPayment, request);
  }
  cancelPayment(request: z.input<typeof APIS.cancelPayment.request>) {
    return this.call(APIS.cancelPayment, request);
  }
  refund(request: z.input<typeof APIS.refund.request>) {
    return this.call(APIS.refund, request);
  }
  inquiryRefund(request: z.input<typeof APIS.inquiryRefund.request>) {
    return this.call(APIS.inquiryRefund, request);
  }
  declare(request: z.input<typeof APIS.declare.request>) {
    return this.call(APIS.declare, request);
  }
  inquireDeclarationRequests(request: z.input<typeof APIS.inquireDeclarationRequests.request>) {
    return this.call(APIS.inquireDeclarationRequests, request);
  }

  async call<A extends Api>(api: A, request: z.input<A['request']>): Promise<z.infer<A['response']>> {
    // An invalid request never leaves the process.
    const outbound = parseMessage(api.request, request, `${api.name} request`);
    const rawBody = JSON.stringify(outbound);
    const headers = signedHeaders({
      path: api.path,
      clientId: this.options.clientId,
      rawBody,
      privateKey: this.options.merchantPrivateKey,
      keyVersion: this.keyVersion,
      timeHeader: 'Request-Time',
      time: new Date().toISOString(),
    });

    const started = Date.now();
    let status: number;
    let responseHeaders: HeaderBag;
    let responseBody: string;
    try {
      const response = await this.http.post<string>(api.path, rawBody, { headers });
      status = response.status;
      responseHeaders = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, v == null ? undefined : String(v)]));
      responseBody = typeof response.data === 'string' ? response.data : String(response.data ?? '');
    } catch (error) {
      throw this.transportError(api.name, error);
    }

    const outcome = this.interpret(api, status, responseHeaders, responseBody);
    this.options.logger?.info(
      { api: api.name, httpStatus: status, ms: Date.now() - started, resultStatus: outcome.resultStatus, resultCode: outcome.resultCode },
      'alipay+ call',
    );
    if (outcome.error) throw outcome.error;
    return outcome.value as z.infer<A['response']>;
  }

  private interpret(api: Api, status: number, headers: HeaderBag, rawBody: string) {
    const done = (error: Error, resultStatus?: string, resultCode?: string) => ({ error, value: undefined, resultStatus, resultCode });

    if (status >= 500) {
      return done(new AlipayPlusRetryableError(api.name, `HTTP_${status}`, `server error ${status}`, status));
    }
    if (status === 429) {
      return done(new AlipayPlusThrottledError(api.name, `HTTP_429`, 'too many requests', this.trafficLimitBackoffMs, status));
    }

    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return done(new AlipayPlusRetryableError(api.name, 'INVALID_RESPONSE', `HTTP ${status} with a body that is not JSON`, status));
    }
    const bare = bareResponse.safeParse(body);

    const check = verifySignedHeaders({
      path: api.path,
      headers,
      rawBody,
      publicKey: this.options.alipayPlusPublicKey,
      timeHeader: 'Response-Time',
    });
    if (!check.ok || check.clientId !== this.options.clientId) {
      // Unsigned means no Signature header at all. Such an answer usually lacks Client-Id and Response-Time
      // too, so the reason verifySignedHeaders gives first (MISSING_CLIENT_ID...) must not decide it.
      const unsignedFinal =
        check.ok === false &&
        headerValue(headers, 'Signature') === undefined &&
        bare.success &&
        bare.data.result.resultStatus === 'F' &&
        UNSIGNED_FINAL_CODES.includes(bare.data.result.resultCode);
      if (unsignedFinal) {
        const r = bare.data.result;
        return done(new AlipayPlusFinalError(api.name, r.resultCode, r.resultMessage ?? '', status), r.resultStatus, r.resultCode);
      }
      const why = check.ok ? `signed for client ${check.clientId}` : check.reason;
      // The answer may be forged or garbled: its effect is unknown, so retry with the same idempotency key.
      return done(new AlipayPlusRetryableError(api.name, 'UNTRUSTED_RESPONSE', `response signature not valid (${why})`, status));
    }

    if (!bare.success) {
      return done(new AlipayPlusRetryableError(api.name, 'INVALID_RESPONSE', 'response has no valid result', status));
    }
    const r = bare.data.result;
    if (r.resultStatus === 'F') {
      return done(new AlipayPlusFinalError(api.name, r.resultCode, r.resultMessage ?? '', status), r.resultStatus, r.resultCode);
    }
    if (r.resultStatus === 'U') {
      const error =
        r.resultCode === TRAFFIC_LIMIT_CODE
          ? new AlipayPlusThrottledError(api.name, r.resultCode, r.resultMessage ?? '', this.trafficLimitBackoffMs, status)
          : new AlipayPlusRetryableError(api.name, r.resultCode, r.resultMessage ?? '', status);
      return done(error, r.resultStatus, r.resultCode);
    }
    const parsed = api.response.safeParse(body);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
      return done(
        new AlipayPlusRetryableError(api.name, 'INVALID_RESPONSE', `S response breaks the schema: ${detail}`, status),
        'S',
        r.resultCode,
      );
    }
    return { error: undefined, value: parsed.data, resultStatus: r.resultStatus, resultCode: r.resultCode };
  }

  private transportError(apiName: string, error: unknown) {
    if (isAxiosError(error)) {
      const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
      return new AlipayPlusRetryableError(
        apiName,
        timedOut ? 'TIMEOUT' : 'CONNECTION_ERROR',
        `${error.code ?? 'network error'}: ${error.message}`,
      );
    }
    return new AlipayPlusRetryableError(apiName, 'CONNECTION_ERROR', String(error));
  }
}
