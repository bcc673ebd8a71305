import {
  notifyPaymentRequest,
  signedHeaders,
  verifySignedHeaders,
  type NotifyPaymentRequest,
  type SignatureCheck,
} from '../../alipay-plus';
import { testKeys } from './sandbox';
import { startLocalServer } from './wire';

// A merchant notify endpoint on 127.0.0.1: it verifies each notifyPayment with Alipay+'s public key and
// answers an acknowledgement signed with the merchant key, or whatever a test's plan says.

export interface ReceivedNotification {
  path: string;
  rawBody: string;
  check: SignatureCheck;
  /** The body parsed with the notifyPayment schema, when it parses. */
  parsed?: NotifyPaymentRequest;
  /** 1 for the first notification of this paymentRequestId that reached the receiver. */
  attempt: number;
}

export interface Ack {
  resultStatus: 'S' | 'F' | 'U';
  /** Sign the acknowledgement with the merchant key (the default). */
  signed?: boolean;
}

/** What to answer to the n-th notification of a payment. */
export type AckPlan = (attempt: number, n: ReceivedNotification) => Ack;

export async function startNotifyReceiver() {
  const keys = testKeys();
  const received: ReceivedNotification[] = [];
  const plans = new Map<string, AckPlan>();

  const server = await startLocalServer((req, rawBody, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const check = verifySignedHeaders({
      path,
      headers: req.headers,
      rawBody,
      publicKey: keys.alipayPlusPublicKey,
      timeHeader: 'Request-Time',
    });
    let parsed: NotifyPaymentRequest | undefined;
    try {
      const p = notifyPaymentRequest.safeParse(JSON.parse(rawBody));
      if (p.success) parsed = p.data;
    } catch {
      parsed = undefined;
    }
    const id = parsed?.paymentRequestId ?? '';
    const attempt = received.filter((r) => r.parsed?.paymentRequestId === id).length + 1;
    const n: ReceivedNotification = { path, rawBody, check, parsed, attempt };
    received.push(n);

    // A notification that does not verify is never acknowledged.
    const ack: Ack = check.ok && parsed ? (plans.get(id)?.(attempt, n) ?? { resultStatus: 'S' }) : { resultStatus: 'F' };
    const result =
      ack.resultStatus === 'S'
        ? { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' }
        : { resultStatus: ack.resultStatus, resultCode: 'PROCESS_FAIL', resultMessage: 'not recorded yet' };
    const body = JSON.stringify({ result });
    const headers =
      ack.signed === false
        ? { 'Content-Type': 'application/json; charset=UTF-8' }
        : signedHeaders({
            path,
            clientId: check.ok ? check.clientId : 'unknown',
            rawBody: body,
            privateKey: keys.merchantPrivateKey,
            keyVersion: 1,
            timeHeader: 'Response-Time',
            time: new Date().toISOString(),
          });
    res.writeHead(200, headers).end(body);
  });

  return {
    url: server.url,
    /** The notify URL to give pay for a payment. */
    notifyUrl: (paymentRequestId: string) => `${server.url}/alipay/notify/${encodeURIComponent(paymentRequestId)}`,
    received,
    for: (paymentRequestId: string) => received.filter((r) => r.parsed?.paymentRequestId === paymentRequestId),
    plan: (paymentRequestId: string, plan: AckPlan) => void plans.set(paymentRequestId, plan),
    close: () => server.close(),
  };
}
