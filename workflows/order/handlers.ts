import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { formatCny } from '../../domain/limits';
import {
  cancelOrderUpdate,
  checkoutUpdate,
  correctCustomsDocumentUpdate,
  correctDeclarationUpdate,
  paymentNotificationUpdate,
  returnGoodsUpdate,
  giveUpReturnUpdate,
  pollNowUpdate,
  refundNotificationUpdate,
  requestRefundUpdate,
  resolveFailedRefundUpdate,
  reviewRealNameUpdate,
  statusQuery,
  type AuditEntry,
  type CustomsDocumentCorrection,
  type DeclarationCorrection,
  type GoodsReturnRequest,
  type NotificationAck,
  type OperatorAction,
  type PaymentNotification,
  type RealNameDecision,
  type RefundNotification,
  type RefundRequest,
  type RefundResolution,
  type RefundView,
  type ReturnGiveUp,
} from '../../domain/order-api';
import { refundPayment } from './compensation';
import { customsView } from './customs-receipts';
import { refuseCustomsCorrection, refuseGiveUpReturn, refuseGoodsReturn } from './customs-validators';
import { applyCorrection } from './declaration';
import { giveUp, startReturn } from './goods-return';
import { recordPaid } from './payment';
import { registerReconciliationFlags } from './reconciliation-flags';
import { clearStuck, publishPending } from './progress';
import { followOperatorRefund, onRefundNotification } from './refund-settlement';
import { iso, orderStatus, recordedPayerRealNameVerified, type OrderState } from './state';
import { refuseNotification, refuseRefundNotification } from './notification-validators';
import {
  refuseCancel,
  refuseCorrection,
  refusePollNow,
  refuseRealNameDecision,
  refuseRefund,
  refuseRefundResolution,
  refundWithKey,
} from './validators';

// What order systems, the notify receiver and operators may ask of a running order. Each handler checks
// its rules in a validator, records operator actions in the audit trail, and delegates to a step.

export function registerHandlers(o: OrderState) {
  setHandler(checkoutUpdate, async () => {
    await condition(() => o.payment.paymentUrl !== undefined || o.checkoutFailure !== undefined || o.outcome !== undefined);
    if (!o.payment.paymentUrl) {
      throw o.checkoutFailure ?? ApplicationFailure.create({ type: 'ORDER_ENDED', message: o.outcome!.reason, nonRetryable: true });
    }
    return {
      orderId: String(o.input.orderId),
      paymentRequestId: o.payment.paymentRequestId,
      paymentUrl: o.payment.paymentUrl,
      paymentExpiresAt: o.payment.expiresAt!,
      ...(o.payment.links && { terminal: o.payment.terminal, links: o.payment.links }),
    };
  });

  setHandler(paymentNotificationUpdate, (n: PaymentNotification): NotificationAck => onPaymentNotification(o, n), {
    validator: (n: PaymentNotification) => refuseNotification(o, n),
  });

  setHandler(refundNotificationUpdate, (n: RefundNotification): NotificationAck => onRefundNotification(o, n), {
    validator: (n: RefundNotification) => refuseRefundNotification(o, n),
  });

  setHandler(
    correctDeclarationUpdate,
    (c: DeclarationCorrection) => {
      const d = applyCorrection(o, c);
      record(o, 'correctDeclaration', c, `${c.declarationId}: ${d.corrections.at(-1)!.fields.join(', ') || 'retransmit unchanged'}`);
      clearStuck(o, d.declarationId);
      o.nudged = true;
      return { ...d };
    },
    { validator: (c: DeclarationCorrection) => refuseCorrection(o, c) },
  );

  setHandler(
    requestRefundUpdate,
    async (r: RefundRequest) => {
      const earlier = refundWithKey(o, r.idempotencyKey);
      if (earlier) return answerRepeat(earlier);
      record(o, 'requestRefund', { operator: r.requestedBy, reason: r.reason }, formatCny(r.amountFen));
      const view = await refundPayment(o, r);
      publishPending(o); // the order's main flow may be asleep for weeks
      if (view.status === 'FAILED') throw ApplicationFailure.create({ type: 'REFUND_FAILED', message: view.failure!, nonRetryable: true });
      // Accepted, not returned yet: followed to its final status after this update answers.
      // A retry is a new refund: the caller's key stays with the one it asked for.
      const again = (amountFen: number) =>
        refundPayment(o, o.exactMoney ? { amountFen, reason: r.reason, requestedBy: r.requestedBy } : { ...r, amountFen });
      if (view.status === 'PROCESSING') void followOperatorRefund(o, view, again);
      return { ...view };
    },
    { validator: (r: RefundRequest) => refuseRefund(o, r) },
  );

  setHandler(
    cancelOrderUpdate,
    async (a: OperatorAction) => {
      record(o, 'cancelOrder', a);
      o.cancelRequest = a;
      o.flowScope.cancel();
      // A refund settles at Alipay+'s next cut-off: the cancellation answers once the refund is accepted.
      await condition(
        () =>
          o.outcome !== undefined ||
          (o.settleLater && o.refunds.some((r) => r.status === 'PROCESSING')) ||
          (o.exactMoney && (o.stage === 'RELEASED_FOR_DELIVERY' || o.stuckReasons.payment !== undefined)),
      );
      return orderStatus(o);
    },
    { validator: (a: OperatorAction) => refuseCancel(o, a) },
  );

  setHandler(
    reviewRealNameUpdate,
    (d: RealNameDecision) => {
      record(o, 'reviewRealName', d, d.approved ? 'approved' : 'rejected');
      o.realNameDecision = d;
      return orderStatus(o);
    },
    { validator: (d: RealNameDecision) => refuseRealNameDecision(o, d) },
  );

  setHandler(
    pollNowUpdate,
    (a: OperatorAction) => {
      record(o, 'pollNow', a, o.stage);
      o.pollRequested = true;
      o.nudged = true;
      return orderStatus(o);
    },
    { validator: (a: OperatorAction) => refusePollNow(o, a) },
  );

  setHandler(
    resolveFailedRefundUpdate,
    (r: RefundResolution) => {
      record(o, 'resolveFailedRefund', r, r.action);
      o.refundResolution = r;
      return orderStatus(o);
    },
    { validator: (r: RefundResolution) => refuseRefundResolution(o, r) },
  );

  setHandler(
    correctCustomsDocumentUpdate,
    (c: CustomsDocumentCorrection) => {
      const customs = o.customs.find((x) => x.orderNo === c.orderNo)!;
      const items = (c.items ?? []).map((i) => ({ ...i }));
      record(o, 'correctCustomsDocument', c, `${c.orderNo}: ${items.map((i) => i.sku).join(', ') || 'file again unchanged'}`);
      customs.corrections.push({ at: iso(Date.now()), operator: c.operator, reason: c.reason, items });
      customs.refile = true; // the clearance loop files the refused documents again
      clearStuck(o, `customs:${c.orderNo}`);
      return customsView(customs);
    },
    { validator: (c: CustomsDocumentCorrection) => refuseCustomsCorrection(o, c) },
  );

  setHandler(
    returnGoodsUpdate,
    (r: GoodsReturnRequest) => {
      record(o, 'returnGoods', r, r.lines.map((l) => `${l.sku} x${l.quantity}`).join(', '));
      const view = startReturn(o, r);
      publishPending(o); // the order's main flow may be asleep for weeks
      return { ...view, lines: view.lines.map((l) => ({ ...l })) };
    },
    { validator: (r: GoodsReturnRequest) => refuseGoodsReturn(o, r) },
  );

  setHandler(
    giveUpReturnUpdate,
    (g: ReturnGiveUp) => {
      const view = o.returns.find((r) => r.returnId === g.returnId)!;
      record(o, 'giveUpReturn', g, view.returnId);
      giveUp(o, view, { by: g.operator, reason: g.reason });
      publishPending(o);
      return { ...view, lines: view.lines.map((l) => ({ ...l })) };
    },
    { validator: (g: ReturnGiveUp) => refuseGiveUpReturn(o, g) },
  );

  setHandler(statusQuery, () => orderStatus(o));
  registerReconciliationFlags(o);
}

/**
 * Steps 5 and 6: Alipay+'s notifyPayment, verified by the receiver; duplicates and late ones change nothing.
 * The validator refuses one the order has already recorded, so only copies that arrive together get here.
 */
function onPaymentNotification(o: OrderState, n: PaymentNotification): NotificationAck {
  o.payment.notificationsReceived += 1;
  if (o.payment.status !== 'PROCESSING') return { accepted: true, duplicate: true };
  if (n.resultStatus === 'S') {
    recordPaid(o, {
      paymentId: n.paymentId,
      paymentTime: n.paymentTime,
      customsDeclarationFen: n.customsDeclarationFen,
      settlementQuote: n.settlementQuote,
      payerRealNameVerified: recordedPayerRealNameVerified(n),
      learnedFrom: 'NOTIFICATION',
    });
  } else if (n.resultStatus === 'F') {
    Object.assign(o.payment, { status: 'FAIL', learnedFrom: 'NOTIFICATION' });
  }
  return { accepted: true, duplicate: false };
}

/** A refund asked for again with its key: the same refund's answer, once its call has been answered. */
async function answerRepeat(view: RefundView): Promise<RefundView> {
  await condition(() => view.status !== 'PENDING');
  if (view.status === 'FAILED' && !view.awaitingDecision) {
    throw ApplicationFailure.create({ type: 'REFUND_FAILED', message: view.failure!, nonRetryable: true });
  }
  return { ...view };
}

function record(o: OrderState, action: AuditEntry['action'], by: OperatorAction, detail?: string) {
  o.audit.push({ at: iso(Date.now()), action, operator: by.operator, reason: by.reason, ...(detail && { detail }) });
}
