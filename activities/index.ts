import { alipayActivities, type AlipayDeps } from './alipay';
import { customsActivities, type CustomsDeps } from './customs';
import { eportActivities, type EPortDeps } from './eport';
import { orderLookupActivities, type OrderLookupDeps } from './orders';
import { quotaActivities, type QuotaDeps } from './quota';
import { reconciliationActivities, type ReconciliationDeps } from './reconciliation';

export type ActivityDeps = AlipayDeps & EPortDeps & CustomsDeps & QuotaDeps & ReconciliationDeps & OrderLookupDeps;

/** The activity types, one per external party, for the workflows' typed proxies. */
export type AlipayActivities = ReturnType<typeof alipayActivities>;
export type EPortActivities = ReturnType<typeof eportActivities>;
export type CustomsActivities = ReturnType<typeof customsActivities>;
export type QuotaActivities = ReturnType<typeof quotaActivities>;
export type ReconciliationActivities = ReturnType<typeof reconciliationActivities>;
export type OrderLookupActivities = ReturnType<typeof orderLookupActivities>;

export function createActivities(deps: ActivityDeps) {
  return {
    ...alipayActivities(deps),
    ...eportActivities(deps),
    ...customsActivities(deps),
    ...quotaActivities(deps),
    ...reconciliationActivities(deps),
    ...orderLookupActivities(deps),
  };
}
