import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { AlipayActivities, EPortActivities, QuotaActivities } from '../../activities';

// One typed proxy per party the order talks to. Each call carries a `summary` for the Web UI's timeline.

// Alipay+ and e-port calls: U, 5xx, timeouts and traffic limits are retried with backoff until they
// succeed; an F answer is non-retryable and reaches the workflow as an ApplicationFailure typed by its code.
const REMOTE_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
};

// The buyer's quota entity is another workflow on the same Temporal; keying the buyer is a local HMAC.
const QUOTA_ENTITY: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

export const alipayPlus = (summary: string) => proxyActivities<AlipayActivities>({ ...REMOTE_CALL, summary });
export const eport = (summary: string) => proxyActivities<EPortActivities>({ ...REMOTE_CALL, summary });
export const quotaEntity = (summary: string) => proxyActivities<QuotaActivities>({ ...QUOTA_ENTITY, summary });
