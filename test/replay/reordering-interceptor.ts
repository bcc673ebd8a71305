import {
  proxyActivities,
  type ActivityInput,
  type Next,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';

// An incompatible change to the order workflow, made without copying it: the replay test bundles the
// real workflows with this interceptor, which schedules one more activity (keying the buyer quota again)
// just before Alipay+ pay. The workflow's commands then come in another order than in any recorded
// history that reached payment creation, which a replay must report as a DeterminismViolationError.

const { buyerQuotaKey } = proxyActivities<ReturnType<typeof createActivities>>({ startToCloseTimeout: '20 seconds' });

class ExtraCallBeforePayment implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (input.activityType === 'createPayment') {
      buyerQuotaKey({ certificateType: 'ID_CARD', certificateNo: 'reordered' }).catch(() => undefined);
    }
    return next(input);
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new ExtraCallBeforePayment()] });
