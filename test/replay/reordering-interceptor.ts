import {
  proxyActivities,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';

// An incompatible change to the order workflow, made without copying it: the replay test bundles the
// real workflows with this interceptor, which schedules one more activity (keying the buyer quota again)
// just before Alipay+ pay, whether pay is an activity or, in a lean order, a local activity. The workflow's commands then come in another order than in any recorded
// history that reached payment creation, which a replay must report as a DeterminismViolationError.

type Activities = ReturnType<typeof createActivities>;
const { buyerQuotaKey } = proxyActivities<Activities>({ startToCloseTimeout: '20 seconds' });
const EXTRA = { certificateType: 'ID_CARD', certificateNo: 'reordered' } as const;

class ExtraCallBeforePayment implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (input.activityType === 'createPayment') {
      buyerQuotaKey(EXTRA).catch(() => undefined);
    }
    return next(input);
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    if (input.activityType === 'createPayment') buyerQuotaKey(EXTRA).catch(() => undefined);
    return next(input);
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new ExtraCallBeforePayment()] });
