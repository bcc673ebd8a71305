import { alipayActivities, type AlipayDeps } from './alipay';
import { quotaActivities, type QuotaDeps } from './quota';

export type ActivityDeps = AlipayDeps & QuotaDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...alipayActivities(deps), ...quotaActivities(deps) };
}
