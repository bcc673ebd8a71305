import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { notifyPaymentAck, notifyPaymentRequest, signedHeaders, verifySignedHeaders, type NotifyPaymentAck } from '../../alipay-plus';
import { startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import { DEV_KEY_FILES } from '../../sandbox/dev-keys';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStatus } from '../../dev/scenarios/wait-for-status';
import { CUSTOMS_TIMEOUTS, assertLogsFreeOfPii, queryStatus, startE2EStack } from '../support/e2e';
import { freshBuyer, untilNotified } from '../support/workflow-helpers';

// What reaches the notify receiver from outside: a notification must be signed by Alipay+ and match
// the order, or it is answered with a signed F and changes nothing.

const NOTIFY_PATH = '/alipay/notify';
const CLIENT_ID = 'SANDBOX_MERCHANT';

let stack: Stack;
let merchantPublicKey: string;
let alipayPlusPrivateKey: string;
const buyers: { fullName: string; certificateNo: string }[] = [];

before(async () => {
  stack = await startE2EStack('notify');
  merchantPublicKey = readFileSync(join(stack.keysDir, DEV_KEY_FILES.merchantPublic), 'utf8');
  alipayPlusPrivateKey = readFileSync(join(stack.keysDir, DEV_KEY_FILES.alipayPlusPrivate), 'utf8');
});
after(async () => {
  await stack?.stop();
});

/** A notifyPayment of a successful payment, as Alipay+ sends it; it passes the protocol's schema. */
function successNotification(p: { paymentRequestId: string; paymentId: string; fen: number }) {
  const now = new Date().toISOString();
  const body = {
    notifyType: 'PAYMENT_RESULT',
    result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
    paymentRequestId: p.paymentRequestId,
    paymentId: p.paymentId,
    paymentAmount: { currency: 'CNY', value: String(p.fen) },
    paymentCreateTime: now,
    paymentTime: now,
    customsDeclarationAmount: { currency: 'CNY', value: String(p.fen) },
    settlementQuote: { quoteId: 'Q000000000001', quoteCurrencyPair: 'USD/CNY', quotePrice: '7.1000' },
  };
  const parsed = notifyPaymentRequest.safeParse(body);
  assert.ok(parsed.success, `the test's notification must pass the notifyPayment schema: ${JSON.stringify(parsed.error?.issues)}`);
  return body;
}

/** POSTs a notification signed with `privateKey`, and checks that the answer is signed by the merchant. */
async function postNotification(body: unknown, privateKey: string | KeyObject): Promise<{ status: number; ack: NotifyPaymentAck }> {
  const rawBody = JSON.stringify(body);
  const headers = signedHeaders({
    path: NOTIFY_PATH,
    clientId: CLIENT_ID,
    rawBody,
    privateKey,
    keyVersion: 1,
    timeHeader: 'Request-Time',
    time: new Date().toISOString(),
  });
  const res = await fetch(stack.notifyUrl, { method: 'POST', headers, body: rawBody, signal: AbortSignal.timeout(15_000) });
  const rawAck = await res.text();
  const check = verifySignedHeaders({
    path: NOTIFY_PATH,
    headers: Object.fromEntries(res.headers),
    rawBody: rawAck,
    publicKey: merchantPublicKey,
    timeHeader: 'Response-Time',
  });
  assert.ok(
    check.ok,
    `the acknowledgement is not signed by the merchant key (${check.ok ? '' : check.reason}): HTTP ${res.status} ${rawAck}`,
  );
  assert.equal(check.clientId, CLIENT_ID);
  const ack = notifyPaymentAck.safeParse(JSON.parse(rawAck));
  assert.ok(ack.success, `not a notifyPayment acknowledgement: ${rawAck}`);
  return { status: res.status, ack: ack.data };
}

test(
  'forged, mismatched and unknown notifications get a signed F and change nothing; the real one is taken',
  { timeout: 180_000 },
  async () => {
    const buyer = freshBuyer();
    const order = sampleOrder({ buyer });
    buyers.push(buyer);
    await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
    const [payment] = (await stack.helpers.ledgerOf(order.orderId)).payments;
    assert.ok(payment, 'checkout created the payment');
    const genuine = { paymentRequestId: order.orderId, paymentId: payment.paymentId, fen: order.totalFen };

    const assertUnchanged = async (when: string) => {
      const st = await queryStatus(stack, order.orderId);
      assert.equal(st.stage, 'AWAITING_PAYMENT', `stage after ${when}`);
      assert.equal(st.payment.status, 'PROCESSING', `payment after ${when}`);
      assert.equal(st.payment.notificationsReceived, 0, `notificationsReceived after ${when}`);
      assert.equal(st.payment.learnedFrom, undefined);
      assert.equal(st.declarations.length, 0);
    };
    await assertUnchanged('checkout');

    // 1. Claims success, signed with a key that is not Alipay+'s.
    const { privateKey: wrongKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await postNotification(successNotification(genuine), wrongKey);
    assert.equal(forged.ack.result.resultStatus, 'F');
    assert.equal(forged.ack.result.resultCode, 'INVALID_SIGNATURE');
    await assertUnchanged('a forged notification');

    // 2. Signed by Alipay+, but for another amount than the order's.
    const wrongAmount = await postNotification(successNotification({ ...genuine, fen: order.totalFen - 100 }), alipayPlusPrivateKey);
    assert.equal(wrongAmount.ack.result.resultStatus, 'F');
    assert.equal(wrongAmount.ack.result.resultCode, 'PARAM_ILLEGAL');
    const message = wrongAmount.ack.result.resultMessage ?? '';
    assert.match(message, /amount/i);
    assert.match(message, new RegExp(`\\b${order.totalFen - 100}\\b`), 'the message names the amount it refused');
    await assertUnchanged('a notification with another amount');

    // 3. Signed by Alipay+, for a payment no order has.
    const unknown = await postNotification(
      successNotification({ ...genuine, paymentRequestId: `${order.orderId}-UNKNOWN` }),
      alipayPlusPrivateKey,
    );
    assert.equal(unknown.ack.result.resultStatus, 'F');
    assert.equal(unknown.ack.result.resultCode, 'ORDER_NOT_EXIST');
    await assertUnchanged('a notification for an unknown paymentRequestId');

    const l = await stack.helpers.ledgerOf(order.orderId);
    assert.equal(l.payments[0].status, 'PROCESSING', 'the sandbox payment is still unpaid');
    assert.equal(l.notifications.length, 0, 'Alipay+ itself sent nothing yet');

    // The control: the buyer really pays, Alipay+ notifies, and the receiver takes it with a signed S.
    await stack.helpers.pay(order.orderId, payerOf(buyer));
    const paid = await waitForStatus(stack.client, order.orderId, 'the payment', (st) => st.payment.status === 'SUCCESS', {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    assert.equal(paid.payment.learnedFrom, 'NOTIFICATION');
    assert.equal(paid.payment.notificationsReceived, 1, 'only the genuine notification counted');
    assert.equal(paid.payment.paymentId, payment.paymentId);
    // The sandbox records the attempt once the receiver's answer is back, which may come after the order saw the payment.
    await untilNotified(stack.helpers, order.orderId);
    const delivered = (await stack.helpers.ledgerOf(order.orderId)).notifications;
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].acknowledged, true, `attempts: ${JSON.stringify(delivered[0].attempts)}`);
  },
);

test('logs: no buyer name or ID number in the worker or notify receiver logs', () => {
  assertLogsFreeOfPii(stack, buyers);
});
