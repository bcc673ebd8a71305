import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { AlipayActivities, CustomsActivities, EPortActivities, QuotaActivities } from '../../activities';

// The parties an order talks to, as typed proxies. Each call carries a `summary` for the Web UI's timeline.
// A call is made as a local activity first, in the workflow task (remote-call.ts), and as an activity when
// that does not succeed in time; orders started before local calls only use activities.

export interface Parties {
  alipayPlus: (summary: string) => AlipayActivities;
  eport: (summary: string) => EPortActivities;
  customs: (summary: string) => CustomsActivities;
  quotaEntity: (summary: string) => QuotaActivities;
}

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

export const asActivities: Parties = {
  alipayPlus: (summary) => proxyActivities<AlipayActivities>({ ...REMOTE_CALL, summary }),
  eport: (summary) => proxyActivities<EPortActivities>({ ...REMOTE_CALL, summary }),
  customs: (summary) => proxyActivities<CustomsActivities>({ ...REMOTE_CALL, summary }),
  quotaEntity: (summary) => proxyActivities<QuotaActivities>({ ...QUOTA_ENTITY, summary }),
};

/**
 * Local activities that give up after a few quick attempts (about 1.4 s of backoff). A count, not a
 * schedule-to-close time: the time-skipping test server never fires the latter. Their backoff stays under
 * the local retry threshold, so retrying adds no timer to the history.
 */
const localCall = (startToCloseTimeout: string): LocalActivityOptions => ({
  startToCloseTimeout,
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumAttempts: 4 },
});

export const asLocalActivities: Parties = {
  alipayPlus: (summary) => proxyLocalActivities<AlipayActivities>({ ...localCall('30 seconds'), summary }),
  eport: (summary) => proxyLocalActivities<EPortActivities>({ ...localCall('30 seconds'), summary }),
  customs: (summary) => proxyLocalActivities<CustomsActivities>({ ...localCall('30 seconds'), summary }),
  quotaEntity: (summary) => proxyLocalActivities<QuotaActivities>({ ...localCall('20 seconds'), summary }),
};

/** For the one call orders made outside callRemote before it existed (compensation.ts). */
export const alipayPlus = asActivities.alipayPlus;
