import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import {
  notifiedPaymentResult,
  notifyPaymentRequest,
  notifyRefundRequest,
  signedHeaders,
  verifySignedHeaders,
  type KeyInput,
  type Result,
} from '../alipay-plus';
import { orderIdOfRefund, orderWorkflowId } from '../domain/order';
import {
  paymentNotificationUpdate,
  refundNotificationUpdate,
  type NotificationAck,
  type PaymentNotification,
  type RefundNotification,
} from '../domain/order-api';

// The merchant's endpoint for Alipay+ notifyPayment and notifyRefund. It answers a signed S only after
// Temporal has accepted the notification into the order's history; anything else makes Alipay+ try again.

export interface NotifyReceiverOptions {
  temporal: Client;
  /** The merchant's client id at Alipay+, which signs both directions. */
  clientId: string;
  /** Verifies notifications. */
  alipayPlusPublicKey: KeyInput;
  /** Signs acknowledgements. */
  merchantPrivateKey: KeyInput;
  keyVersion?: number;
  host?: string;
  port?: number;
  /** The path Alipay+ posts to, part of what is signed. */
  path?: string;
  logger?: Logger;
}

export interface NotifyReceiver {
  url: string;
  /**
   * Stops taking notifications, answers those under way (a Temporal call still running is cancelled
   * and its notification answered "try again"), then closes every connection. When it resolves, no
   * call to Temporal made by the receiver is still running, so the connection can be closed.
   */
  close(): Promise<void>;
}

type Outcome = { status: number; result: Result; kind: 'delivered' | 'refused' | 'retry' };

export async function startNotifyReceiver(o: NotifyReceiverOptions): Promise<NotifyReceiver> {
  const path = o.path ?? '/alipay/notify';
  const closing = new AbortController();
  /** Notifications whose answer has not been written yet. */
  const inFlight = new Set<Promise<void>>();

  const refuse = (code: string, message: string): Outcome => ({
    status: 200,
    result: { resultStatus: 'F', resultCode: code, resultMessage: message },
    kind: 'refused',
  });
  const issuesOf = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
    e.issues.map((i) => `${i.path.map(String).join('.')} ${i.message}`).join('; ');

  async function deliver(req: IncomingMessage, rawBody: string): Promise<Outcome> {
    if (req.method !== 'POST') return refuse('METHOD_NOT_SUPPORTED', 'use POST');
    const check = verifySignedHeaders({
      path,
      headers: req.headers,
      rawBody,
      publicKey: o.alipayPlusPublicKey,
      timeHeader: 'Request-Time',
    });
    if (!check.ok) return refuse('INVALID_SIGNATURE', `signature check failed: ${check.reason}`);
    if (check.clientId !== o.clientId) return refuse('INVALID_CLIENT', 'notification for another client id');
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return refuse('PARAM_ILLEGAL', 'body is not JSON');
    }
    if ((body as { notifyType?: unknown } | null)?.notifyType === 'REFUND_RESULT') return deliverRefund(body);
    const parsed = notifyPaymentRequest.safeParse(body);
    if (!parsed.success) return refuse('PARAM_ILLEGAL', issuesOf(parsed.error));
    const n = parsed.data;
    // Antom announces a payment still in process as PAYMENT_PENDING; Alipay+ sends no notifyType.
    if (n.notifyType === 'PAYMENT_PENDING')
      return { status: 200, result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'pending noted' }, kind: 'delivered' };
    if (n.paymentAmount.currency !== 'CNY') return refuse('PARAM_ILLEGAL', 'paymentAmount.currency must be CNY');

    const notification: PaymentNotification = {
      paymentRequestId: n.paymentRequestId,
      paymentId: n.paymentId,
      resultStatus: notifiedPaymentResult(n).resultStatus,
      resultCode: notifiedPaymentResult(n).resultCode,
      paymentAmountFen: Number(n.paymentAmount.value),
      paymentTime: n.paymentTime,
      customsDeclarationFen: n.customsDeclarationAmount ? Number(n.customsDeclarationAmount.value) : undefined,
      settlementQuote: n.settlementQuote,
    };
    // The order's paymentRequestId is its order id. The update's validator checks the id and the amount.
    return intoOrder(n.paymentRequestId, `paymentRequestId ${n.paymentRequestId}`, (handle) =>
      handle.executeUpdate(paymentNotificationUpdate, { args: [notification] }),
    );
  }

  /** notifyRefund: the final status of a refund, into the order whose refund it is. */
  function deliverRefund(body: unknown): Promise<Outcome> | Outcome {
    const parsed = notifyRefundRequest.safeParse(body);
    if (!parsed.success) return refuse('PARAM_ILLEGAL', issuesOf(parsed.error));
    const n = parsed.data;
    if (n.refundAmount.currency !== 'CNY') return refuse('PARAM_ILLEGAL', 'refundAmount.currency must be CNY');
    const orderId = orderIdOfRefund(n.refundRequestId);
    if (!orderId) return refuse('ORDER_NOT_EXIST', `refundRequestId ${n.refundRequestId} is not one of this merchant's orders`);
    const notification: RefundNotification = {
      refundRequestId: n.refundRequestId,
      refundId: n.refundId,
      refundStatus: n.refundStatus,
      resultCode: n.result.resultCode,
      resultMessage: n.result.resultMessage,
      refundAmountFen: Number(n.refundAmount.value),
      refundTime: n.refundTime,
    };
    // The update's validator checks that the order has this refund, for this amount.
    return intoOrder(orderId, `refundRequestId ${n.refundRequestId}`, (handle) =>
      handle.executeUpdate(refundNotificationUpdate, { args: [notification] }),
    );
  }

  /** Hands a notification to the order's update; S only once Temporal accepted it. */
  async function intoOrder(
    orderId: string,
    what: string,
    update: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<NotificationAck>,
  ): Promise<Outcome> {
    try {
      // A call started after the abort would not see it: while closing, take nothing new to Temporal.
      if (closing.signal.aborted) throw new Error('the receiver is closing');
      const handle = o.temporal.workflow.getHandle(orderWorkflowId(orderId));
      const ack = await o.temporal.withAbortSignal(closing.signal, () => update(handle));
      return {
        status: 200,
        result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: ack.duplicate ? 'duplicate' : 'success' },
        kind: 'delivered',
      };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return refuse('ORDER_NOT_EXIST', `no order for ${what}`);
      if (error instanceof WorkflowUpdateFailedError) return refuse('PARAM_ILLEGAL', error.cause?.message ?? error.message);
      // Temporal did not take it: no S, so Alipay+ sends it again later.
      o.logger?.warn({ err: error, orderId }, 'notification not delivered, Alipay+ will retry');
      return { status: 503, result: { resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION', resultMessage: 'try again' }, kind: 'retry' };
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && url === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
        return;
      }
      const outcome: Promise<Outcome> =
        url === path
          ? deliver(req, rawBody)
          : Promise.resolve({
              status: 404,
              result: { resultStatus: 'F', resultCode: 'NO_INTERFACE_DEF', resultMessage: 'not found' },
              kind: 'refused',
            });
      const answered = outcome.then((out) => {
        o.logger?.info({ kind: out.kind, resultCode: out.result.resultCode }, 'notification');
        const body = JSON.stringify({ result: out.result });
        const headers = signedHeaders({
          path,
          clientId: o.clientId,
          rawBody: body,
          privateKey: o.merchantPrivateKey,
          keyVersion: o.keyVersion ?? 1,
          timeHeader: 'Response-Time',
          time: new Date().toISOString(),
        });
        res.writeHead(out.status, headers).end(body);
      });
      inFlight.add(answered);
      void answered.finally(() => inFlight.delete(answered));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}${path}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      closing.abort();
      // A notification may still arrive on a kept-alive connection while the others are answered.
      while (inFlight.size > 0) await Promise.allSettled(inFlight);
      server.closeAllConnections();
      await closed;
    },
  };
}
