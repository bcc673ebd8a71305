import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { notifyRefundRequest } from '../../alipay-plus';
import { requestRefund, startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import { DEV_KEY_FILES } from '../../sandbox/dev-keys';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { orderWorkflowId } from '../../domain/order';
import {
  CUSTOMS_TIMEOUTS,
  FAST_CUSTOMS,
  assertLogsFreeOfPii,
  jsonLines,
  queryStatus,
  readLog,
  sleep,
  sharedE2EStack,
} from '../support/e2e';
import { postNotification as postSigned, successNotification } from '../support/notify-wire';
import { freshBuyer, untilNotified } from '../support/workflow-helpers';

// What reaches the notify receiver from outside: a notification must be signed by Alipay+ and match
// the order, or it is answered with a signed F and changes nothing.

const CLIENT_ID = 'SANDBOX_MERCHANT';

let stack: Stack;
let merchantPublicKey: string;
let alipayPlusPrivateKey: string;
const buyers: { fullName: string; certificateNo: string }[] = [];

before(async () => {
  stack = await sharedE2EStack('notify');
  merchantPublicKey = readFileSync(join(stack.keysDir, DEV_KEY_FILES.merchantPublic), 'utf8');
  alipayPlusPrivateKey = readFileSync(join(stack.keysDir, DEV_KEY_FILES.alipayPlusPrivate), 'utf8');
});
after(async () => {
  await stack?.stop();
});

/** POSTs a notification signed with `privateKey` at `time`, and checks that the answer is signed by the merchant. */
function postNotification(body: unknown, privateKey: string | KeyObject, time?: string) {
  return postSigned(body, { url: stack.notifyUrl, merchantPublicKey, alipayPlusPrivateKey: privateKey, clientId: CLIENT_ID, time });
}

/** The order's history events, and how many of them are about updates. */
async function historyOf(orderId: string) {
  const { events } = await stack.client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  const names = (events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
  return { events: names.length, updates: names.filter((n) => n.startsWith('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_')).length };
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
    assert.equal(forged.result.resultStatus, 'F');
    assert.equal(forged.result.resultCode, 'INVALID_SIGNATURE');
    await assertUnchanged('a forged notification');

    // 2. Signed by Alipay+, but for another amount than the order's.
    const wrongAmount = await postNotification(successNotification({ ...genuine, fen: order.totalFen - 100 }), alipayPlusPrivateKey);
    assert.equal(wrongAmount.result.resultStatus, 'F');
    assert.equal(wrongAmount.result.resultCode, 'PARAM_ILLEGAL');
    const message = wrongAmount.result.resultMessage ?? '';
    assert.match(message, /amount/i);
    assert.match(message, new RegExp(`\\b${order.totalFen - 100}\\b`), 'the message names the amount it refused');
    await assertUnchanged('a notification with another amount');

    // 3. Signed by Alipay+, for a payment no order has.
    const unknown = await postNotification(
      successNotification({ ...genuine, paymentRequestId: `${order.orderId}-UNKNOWN` }),
      alipayPlusPrivateKey,
    );
    assert.equal(unknown.result.resultStatus, 'F');
    assert.equal(unknown.result.resultCode, 'ORDER_NOT_EXIST');
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

test(
  'a captured notification replayed: refused with an old Request-Time, naming the rule; inside the window, S and nothing added to the history',
  { timeout: 240_000 },
  async () => {
    await stack.helpers.customsRules(FAST_CUSTOMS);
    const buyer = freshBuyer();
    buyers.push(buyer);
    const order = sampleOrder({ buyer });
    await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
    await stack.helpers.pay(order.orderId, payerOf(buyer));
    // Released, the order waits for refund requests on one long timer: nothing else writes to its history.
    const released = await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY');
    assert.equal(released.payment.learnedFrom, 'NOTIFICATION');
    const [payment] = (await stack.helpers.ledgerOf(order.orderId)).payments;
    const captured = successNotification({ paymentRequestId: order.orderId, paymentId: payment.paymentId, fen: order.totalFen });
    const before = await historyOf(order.orderId);

    // Correctly signed, but at a time outside the window: refused, and the answer names the rule.
    const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    for (const [time, how] of [
      [minutesFromNow(-10), 'old'],
      [minutesFromNow(10), 'ahead'],
    ]) {
      const stale = await postNotification(captured, alipayPlusPrivateKey, time);
      assert.equal(stale.result.resultStatus, 'F');
      assert.match(stale.result.resultMessage ?? '', new RegExp(`^REQUEST_TIME_WINDOW: Request-Time ${time} is \\d+ s ${how}`));
    }
    // The same notification signed now, as Alipay+ signs each retry: S at once, and no update in the history.
    const fresh = await postNotification(captured, alipayPlusPrivateKey);
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.result, { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'duplicate' });
    assert.deepEqual(await historyOf(order.orderId), before, "the replays added no event to the order's history");
    assert.equal((await queryStatus(stack, order.orderId)).payment.notificationsReceived, 1);

    // A refund's notification, once recorded, is answered the same way.
    const refundRequestId = `${order.orderId}-R1`;
    await requestRefund(stack.client, order.orderId, { amountFen: 4_000, reason: 'dented tin', requestedBy: 'support@merchant' });
    const refunded = await waitForStatus(stack.client, order.orderId, 'the refund settled', (x) => x.refunds[0]?.status === 'SUCCEEDED');
    assert.equal(refunded.refunds[0].learnedFrom, 'NOTIFICATION');
    // The sandbox records the acknowledgement once the receiver's answer is back.
    for (let i = 0; i < 200; i++) {
      const n = (await stack.helpers.ledgerOf(order.orderId)).notifications.find((x) => x.refundRequestId === refundRequestId);
      if (n?.acknowledged) break;
      await sleep(50);
    }
    const refundNotification = {
      notifyType: 'REFUND_RESULT',
      result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
      refundStatus: 'SUCCESS',
      refundRequestId,
      refundId: refunded.refunds[0].refundId,
      refundAmount: { currency: 'CNY', value: '4000' },
      refundTime: new Date().toISOString(),
    };
    assert.ok(notifyRefundRequest.safeParse(refundNotification).success);
    const afterRefund = await historyOf(order.orderId);
    const again = await postNotification(refundNotification, alipayPlusPrivateKey);
    assert.deepEqual(again.result, { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'duplicate' });
    assert.deepEqual(await historyOf(order.orderId), afterRefund, "the refund notification's replay added no event");

    // The receiver's log says why it refused each stale one.
    const refusals = jsonLines(readLog(stack, 'notify-receiver')).filter((l) => l.rule === 'REQUEST_TIME_WINDOW');
    assert.equal(refusals.length, 2, 'each stale notification is logged');
    assert.ok(refusals.every((l) => /Request-Time/.test(String(l.reason))));
  },
);

test('logs: no buyer name or ID number in the worker or notify receiver logs', () => {
  assertLogsFreeOfPii(stack, buyers);
});
