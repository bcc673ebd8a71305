import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

// Alipay+ and e-port calls: U, 5xx, timeouts and traffic limits are retried with backoff until they
// succeed; an F answer is non-retryable and reaches the workflow as an ApplicationFailure typed by its code.
const ALIPAY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
};

// Calls to Temporal itself (the quota entity) and local computations.
const LOCAL: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** Alipay+ and e-port activities whose calls show `summary` in the Web UI's timeline. */
export const alipay = (summary: string) => proxyActivities<Activities>({ ...ALIPAY, summary });
export const local = (summary: string) => proxyActivities<Activities>({ ...LOCAL, summary });
