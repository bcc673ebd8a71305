import { refundRequestIdFor } from '../../domain/order';
import type { RefundRequest, RefundView } from '../../domain/order-api';
import { alipayPlus } from './activities';
import { finalCode } from './failures';
import { inquirePayment } from './payment';
import { clearStuck, end, markStuck, setStage, watch } from './progress';
import { releaseQuota } from './quota';
import { iso, refundableFen, type OrderState } from './state';

// Refunds, and the two ways an order is wound up after checkout: a terminal failure after payment
// (refund what is left, give the quota back) and an operator's cancellation.

/** A terminal failure after payment: refund what is left of the payment and give the quota back. */
export async function compensate(o: OrderState, reason: string, buyerMessage: string) {
  setStage(o, 'COMPENSATING', 'the refund of the payment');
  const left = refundableFen(o);
  if (left > 0) {
    const refund = await refundPayment(o, { amountFen: left, reason: reason.slice(0, 256), requestedBy: 'orchestrator' });
    if (refund.status === 'FAILED') {
      markStuck(o, 'REFUND_FAILED', `the compensating refund ${refund.refundRequestId} failed: ${refund.failure}; refund it by hand`);
      end(o, 'FAILED', `${reason}; REFUND_FAILED: ${refund.failure}`, buyerMessage);
      return;
    }
  }
  await releaseQuota(o);
  end(o, 'REFUNDED', reason, buyerMessage);
}

/** An operator cancelled the order: cancel an unpaid payment, or refund a paid one, and give the quota back. */
export async function cancelByOperator(o: OrderState) {
  const by = o.cancelRequest!;
  setStage(o, 'COMPENSATING', 'the cancellation of the order');
  if (o.payment.status === 'PROCESSING') {
    try {
      await alipayPlus('Step 5: cancel the unpaid payment').cancelPayment({ paymentRequestId: o.payment.paymentRequestId });
      o.payment.status = 'CANCELLED';
    } catch (error) {
      if (finalCode(error)?.code !== 'INVALID_ORDER_STATUS') throw error;
      await inquirePayment(o); // the buyer paid meanwhile: refund below
    }
  }
  const left = refundableFen(o);
  if (left > 0) {
    const refund = await refundPayment(o, {
      amountFen: left,
      reason: `cancelled by ${by.operator}: ${by.reason}`.slice(0, 256),
      requestedBy: by.operator,
    });
    if (refund.status === 'FAILED') {
      markStuck(
        o,
        'REFUND_FAILED',
        `the refund ${refund.refundRequestId} of the cancelled order failed: ${refund.failure}; refund it by hand`,
      );
      end(o, 'FAILED', `CANCELLED_BY_OPERATOR; REFUND_FAILED: ${refund.failure}`, 'Your order was cancelled.');
      return;
    }
  }
  await releaseQuota(o);
  clearStuck(o);
  end(
    o,
    'CANCELLED',
    `CANCELLED_BY_OPERATOR: ${by.operator}: ${by.reason}`,
    left > 0 ? 'Your order was cancelled and your payment refunded.' : 'Your order was cancelled.',
  );
}

/** One refund call, with an id derived from the order and the refund's number, so a retry never refunds twice. */
export async function refundPayment(o: OrderState, request: RefundRequest): Promise<RefundView> {
  const view: RefundView = {
    refundRequestId: refundRequestIdFor(o.order.orderId, o.refunds.length + 1),
    amountFen: request.amountFen,
    reason: request.reason,
    requestedBy: request.requestedBy,
    status: 'PENDING',
    at: iso(Date.now()),
  };
  o.refunds.push(view);
  o.pendingRefundFen += view.amountFen;
  try {
    const r = await watch(
      o,
      alipayPlus(`Refund ${view.refundRequestId}`).refundPayment({
        refundRequestId: view.refundRequestId,
        paymentRequestId: o.payment.paymentRequestId,
        amountFen: view.amountFen,
        reason: view.reason,
      }),
      `Alipay+ refund ${view.refundRequestId}`,
    );
    Object.assign(view, { status: 'SUCCEEDED', refundId: r.refundId });
  } catch (error) {
    const f = finalCode(error);
    if (!f) throw error;
    Object.assign(view, { status: 'FAILED', failure: `${f.code}: ${f.message}` });
  } finally {
    o.pendingRefundFen -= view.amountFen;
  }
  return view;
}
