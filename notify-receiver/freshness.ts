// The age of a notification: its signed Request-Time against the receiver's clock. A captured notification
// stays correctly signed forever; the window makes a replay of it worthless once it has passed. Alipay+
// sends each retry as a new request with the time it is sent (docs/alipay-plus-fields.md), so a real retry
// is always fresh.

/** Request-Time as Alipay+ and Antom send it: ISO-8601 with an offset, or epoch milliseconds. */
export function requestTimeMs(value: string): number | undefined {
  if (/^\d{13}$/.test(value)) return Number(value);
  // Only a full date and time with a zone: Date.parse would also take "2026" or a local time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Why a Request-Time is refused, or undefined when it is inside `windowMs` either side of `nowMs`. */
export function staleRequestTime(requestTime: string, nowMs: number, windowMs: number): string | undefined {
  const at = requestTimeMs(requestTime);
  if (at === undefined) return 'Request-Time must be ISO-8601 with a zone (2026-01-31T12:00:00+08:00) or epoch milliseconds';
  const skewMs = nowMs - at;
  if (Math.abs(skewMs) <= windowMs) return undefined;
  const seconds = (ms: number) => `${Math.round(Math.abs(ms) / 1000)} s`;
  return skewMs > 0
    ? `Request-Time ${requestTime} is ${seconds(skewMs)} old; a notification is taken within ${seconds(windowMs)} of its Request-Time`
    : `Request-Time ${requestTime} is ${seconds(skewMs)} ahead of the receiver's clock; at most ${seconds(windowMs)} is allowed`;
}
