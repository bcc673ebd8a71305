// How every Alipay+ call can end other than in S. Activities map these to Temporal failures:
//   final     -> non-retryable, typed by the result code
//   retryable -> retried with backoff (U, HTTP 5xx, timeouts, connection errors, untrusted responses)
//   throttled -> retried after a longer delay (REQUEST_TRAFFIC_EXCEED_LIMIT)

export type FailureKind = 'final' | 'retryable' | 'throttled';

export abstract class AlipayPlusError extends Error {
  abstract readonly kind: FailureKind;
  constructor(
    readonly api: string,
    /** The Alipay+ result code, or a local code such as TIMEOUT or HTTP_503. */
    readonly resultCode: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${api}: ${resultCode}: ${message}`);
  }
}

/** F: a final answer. Do not retry. */
export class AlipayPlusFinalError extends AlipayPlusError {
  readonly kind = 'final' as const;
  override name = 'AlipayPlusFinalError';
}

/** U, 5xx, timeouts, broken connections and responses that cannot be trusted: retry with the same idempotency key. */
export class AlipayPlusRetryableError extends AlipayPlusError {
  readonly kind = 'retryable' as const;
  override name = 'AlipayPlusRetryableError';
}

/** REQUEST_TRAFFIC_EXCEED_LIMIT: retry, but back off for longer. */
export class AlipayPlusThrottledError extends AlipayPlusError {
  readonly kind = 'throttled' as const;
  override name = 'AlipayPlusThrottledError';
  /** How long to wait before the next attempt. */
  readonly retryAfterMs: number;
  constructor(api: string, resultCode: string, message: string, retryAfterMs: number, httpStatus?: number) {
    super(api, resultCode, message, httpStatus);
    this.retryAfterMs = retryAfterMs;
  }
}

export const TRAFFIC_LIMIT_CODE = 'REQUEST_TRAFFIC_EXCEED_LIMIT';

/** F answers that Alipay+ sends without a signature: it could not verify ours, so it does not sign back. */
export const UNSIGNED_FINAL_CODES: readonly string[] = ['INVALID_SIGNATURE'];
