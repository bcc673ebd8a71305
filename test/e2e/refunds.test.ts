import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { notifyPaymentAck, notifyRefundRequest, signedHeaders, verifySignedHeaders } from '../../alipay-plus';
import { orderHandle, requestRefund, startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import { REFUND_STATUS } from '../../domain/search-attributes';
import { DEV_KEY_FILES } from '../../sandbox/dev-keys';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { CUSTOMS_TIMEOUTS, FAST_CUSTOMS, sleep, startE2EStack } from '../support/e2e';
import { freshBuyer } from '../support/workflow-helpers';

// Refunds that settle later, on the real product: the sandbox accepts a refund and processes it later (5 s
// after it is submitted on this stack, or after its hold ends), sends a signed notifyRefund, the notify
// receiver verifies it and hands it to the order, which follows the refund to SUCCESS or FAIL.

const DAY = 24 * 3_600_000;
let stack: Stack;

before(async () => {
  // The last test moves the sandbox clock a day on; the sandbox then signs notifyRefund a day ahead of this
  // machine's clock, which the receiver's Request-Time window must allow.
  stack = await startE2EStack('refunds', { notifyRequestTimeWindowMs: 2 * DAY });
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(async () => {
  await stack?.stop();
});

async function releasedOrder() {
  const buyer = freshBuyer();
  const order = sampleOrder({ buyer });
  await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
  await stack.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY');
  return order;
}

/** POSTs a notifyRefund signed with `privateKey`; answers the merchant-signed acknowledgement's result. */
async function postRefundNotification(body: unknown, privateKey: string | KeyObject) {
  const path = new URL(stack.notifyUrl).pathname;
  const rawBody = JSON.stringify(body);
  const headers = signedHeaders({
    path,
    clientId: 'SANDBOX_MERCHANT',
    rawBody,
    privateKey,
    keyVersion: 1,
    timeHeader: 'Request-Time',
    time: new Date().toISOString(),
  });
  const res = await fetch(stack.notifyUrl, { method: 'POST', headers, body: rawBody, signal: AbortSignal.timeout(15_000) });
  const rawAck = await res.text();
  const merchantPublicKey = readFileSync(join(stack.keysDir, DEV_KEY_FILES.merchantPublic), 'utf8');
  const check = verifySignedHeaders({
    path,
    headers: Object.fromEntries(res.headers),
    rawBody: rawAck,
    publicKey: merchantPublicKey,
    timeHeader: 'Response-Time',
  });
  assert.ok(check.ok, `the acknowledgement is signed by the merchant: ${rawAck}`);
  return notifyPaymentAck.parse(JSON.parse(rawAck)).result;
}

const refundStatusAttribute = async (orderId: string) =>
  (await orderHandle(stack.client, orderId).describe()).typedSearchAttributes.get(REFUND_STATUS);

test('a refund that fails leaves the order stuck with its reason, for an operator', { timeout: 240_000 }, async () => {
  const order = await releasedOrder();
  const refundRequestId = `${order.orderId}-R1`;
  await stack.helpers.failRefund(refundRequestId, { resultCode: 'REFUND_FAILED', resultMessage: "the buyer's account is frozen" });
  const accepted = await requestRefund(stack.client, order.orderId, {
    amountFen: order.totalFen,
    reason: 'lost parcel',
    requestedBy: 'support@merchant',
  });
  assert.equal(accepted.status, 'PROCESSING');
  const stuck = await waitForStatus(stack.client, order.orderId, 'stuck on the failed refund', (x) => x.stuck?.code === 'REFUND_FAILED');
  assert.equal(stuck.refunds[0].status, 'FAILED');
  assert.equal(stuck.refunds[0].failure, "REFUND_FAILED: the buyer's account is frozen");
  assert.match(stuck.stuck!.reason, new RegExp(`${refundRequestId} failed: REFUND_FAILED: the buyer's account is frozen`));
  // Kept back until an operator decides: a retry would refund it again (issue 23).
  assert.equal(stuck.refunds[0].awaitingDecision, true);
  assert.equal(stuck.refundableFen, 0);
  assert.equal(await refundStatusAttribute(order.orderId), 'FAILED');
  const l = await stack.helpers.ledgerOf(order.orderId);
  assert.equal(l.refunds[0].status, 'FAIL');
  assert.equal(l.notifications.find((n) => n.refundRequestId === refundRequestId)?.acknowledged, true);

  // A notifyRefund that says SUCCESS but is not signed by Alipay+, or does not match the refund, changes nothing.
  const claim = {
    notifyType: 'REFUND_RESULT',
    result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
    refundStatus: 'SUCCESS',
    refundRequestId,
    refundId: stuck.refunds[0].refundId,
    refundAmount: { currency: 'CNY', value: String(order.totalFen) },
    refundTime: new Date().toISOString(),
  };
  assert.ok(notifyRefundRequest.safeParse(claim).success);
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  assert.equal((await postRefundNotification(claim, forger)).resultCode, 'INVALID_SIGNATURE');
  const alipayPlusPrivateKey = readFileSync(join(stack.keysDir, DEV_KEY_FILES.alipayPlusPrivate), 'utf8');
  const mismatched = await postRefundNotification({ ...claim, refundAmount: { currency: 'CNY', value: '100' } }, alipayPlusPrivateKey);
  assert.equal(mismatched.resultStatus, 'F');
  const after = await waitForStatus(stack.client, order.orderId, 'the status', () => true);
  assert.equal(after.refunds[0].status, 'FAILED', 'neither notification changed the refund');
});

// Last: it moves the sandbox clock a day on, past the expiry of any payment created before.
test('a refund that waits a day for CNY stays PROCESSING, then succeeds through notifyRefund', { timeout: 240_000 }, async () => {
  const order = await releasedOrder();
  const refundRequestId = `${order.orderId}-R1`;
  await stack.helpers.holdRefund(refundRequestId, DAY);
  const accepted = await requestRefund(stack.client, order.orderId, {
    amountFen: 4_000,
    reason: 'dented tin',
    requestedBy: 'support@merchant',
  });
  assert.equal(accepted.status, 'PROCESSING');
  await sleep(8_000); // past the stack's 5 s: the hold keeps it waiting
  const waiting = await waitForStatus(
    stack.client,
    order.orderId,
    'the refund shown pending',
    (x) => x.refunds[0]?.status === 'PROCESSING',
  );
  assert.equal(waiting.refundableFen, order.totalFen - 4_000);
  assert.equal(await refundStatusAttribute(order.orderId), 'PROCESSING');
  assert.equal((await stack.helpers.ledgerOf(order.orderId)).refunds[0].status, 'PROCESSING');

  await stack.helpers.advance(DAY); // the CNY came in a day later
  const done = await waitForStatus(stack.client, order.orderId, 'the refund succeeded', (x) => x.refunds[0]?.status === 'SUCCEEDED');
  assert.equal(done.refunds[0].learnedFrom, 'NOTIFICATION');
  const l = await stack.helpers.ledgerOf(order.orderId);
  assert.equal(l.refunds[0].status, 'SUCCESS');
  const delivery = l.notifications.find((n) => n.refundRequestId === refundRequestId)!;
  assert.equal(delivery.notifyType, 'REFUND_RESULT');
  assert.equal(delivery.acknowledged, true, `the receiver acknowledged notifyRefund: ${JSON.stringify(delivery.attempts)}`);
  assert.equal(await refundStatusAttribute(order.orderId), 'SETTLED');
});
