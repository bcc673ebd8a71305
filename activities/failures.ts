import { ApplicationFailure } from '@temporalio/activity';
import { AlipayPlusError, AlipayPlusThrottledError, MessageValidationError } from '../alipay-plus';
import { EPortError } from '../eport/client';

/**
 * Maps protocol outcomes to Temporal failures: F is non-retryable and typed by its result code; U, 5xx and
 * timeouts are retried with the activity's backoff; a traffic limit asks for a longer delay.
 */
export function toTemporalFailure(error: unknown): unknown {
  if (error instanceof AlipayPlusThrottledError) {
    return ApplicationFailure.create({ type: error.resultCode, message: error.message, nextRetryDelay: error.retryAfterMs });
  }
  if (error instanceof AlipayPlusError) {
    return ApplicationFailure.create({ type: error.resultCode, message: error.message, nonRetryable: error.kind === 'final' });
  }
  if (error instanceof MessageValidationError) {
    return ApplicationFailure.create({ type: 'INVALID_REQUEST', message: error.message, nonRetryable: true });
  }
  if (error instanceof EPortError) {
    return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: !error.retryable });
  }
  return error;
}

export async function mapFailures<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTemporalFailure(error);
  }
}
