import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { orderWorkflowId } from '../domain/order';
import { statusQuery, type PaymentView, type Stage } from '../domain/order-api';

export interface OrderLookupDeps {
  temporal: Client;
}

/** What a closed order knew of its payment; the late-payment workflow reads it. */
export function orderLookupActivities(deps: OrderLookupDeps) {
  return {
    async closedOrderPayment(p: { orderId: string }): Promise<{ stage?: Stage; paymentStatus?: PaymentView['status'] }> {
      try {
        const st = await deps.temporal.workflow.getHandle(orderWorkflowId(p.orderId)).query(statusQuery);
        return { stage: st.stage, paymentStatus: st.payment.status };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return {};
        throw error;
      }
    },
  };
}
