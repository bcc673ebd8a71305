import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { OrderRefusedError, orderStatus, startOrder } from '../../client/orders';
import { customsYear } from '../../domain/limits';
import { InvalidOrderError, orderWorkflowId } from '../../domain/order';
import { quotaUsageQuery, quotaWorkflowId } from '../../domain/quota-api';
import { payerOf, priced, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, testBuyerKey, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack({ quotaUpdatesPerRun: 6 })));
after(() => s?.close());

// The year on the test server's clock, which skips ahead while tests wait on results.
const quotaOf = async (certificateNo: string) => {
  const year = customsYear(await s.env.currentTimeMs());
  return s.env.client.workflow.getHandle(quotaWorkflowId(testBuyerKey(certificateNo), year)).query(quotaUsageQuery);
};
const paymentsFor = async (orderIds: string[]) =>
  (await s.f.helpers.ledger()).payments.filter((p) => orderIds.includes(p.paymentRequestId));

/** A handbag of `goodsFen`, without freight: its dutiable value, what the limits and the quota count, is goodsFen; the buyer pays the tax on top. */
const order = (seed: number, goodsFen: number, orderId?: string) =>
  sampleOrder({
    ...(orderId && { orderId }),
    buyer: freshBuyer(seed),
    ...priced(
      [
        {
          sku: 'BAG',
          name: 'Handbag',
          quantity: 1,
          unitPriceFen: goodsFen,
          taxCategory: 'GENERAL',
          hsCode: '4202210000',
          originCountry: '305',
          unit: '007',
        },
      ],
      0,
    ),
  });

test('an order over 5,000 CNY is refused by the client and never reaches Alipay+', async () => {
  const big = order(1, 500_001);
  await assert.rejects(startOrder(s.env.client, big, { taskQueue: s.taskQueue }), (e: unknown) => {
    assert.ok(e instanceof InvalidOrderError);
    assert.match(
      e.message,
      /SINGLE_TRANSACTION_LIMIT: the dutiable value 5,000\.01 CNY \(goods and freight, without the tax\) is more than 5,000\.00 CNY/,
    );
    return true;
  });
  assert.deepEqual(await paymentsFor([big.orderId]), []);
});

test('the workflow checks the input again: started directly with 5,000.01 CNY it fails with the rule before any call', async () => {
  const big = order(2, 500_001);
  const handle = await s.env.client.workflow.start('orderWorkflow', {
    workflowId: orderWorkflowId(big.orderId),
    taskQueue: s.taskQueue,
    args: [big],
  });
  await assert.rejects(handle.result(), (e: unknown) => {
    assert.ok(e instanceof WorkflowFailedError);
    assert.equal((e.cause as ApplicationFailure | undefined)?.type, 'INVALID_ORDER');
    assert.match(String(e.cause?.message), /SINGLE_TRANSACTION_LIMIT/);
    return true;
  });
  assert.deepEqual(await paymentsFor([big.orderId]), []);
});

test('exactly 5,000 CNY is allowed', async () => {
  const o = order(3, 500_000);
  const checkout = await startOrder(s.env.client, o, { taskQueue: s.taskQueue });
  assert.match(checkout.paymentUrl, /cashier/);
  assert.equal((await paymentsFor([o.orderId])).length, 1);
});

test('a quota already used up by earlier orders refuses the next order and says how much is left', async () => {
  const seed = 10;
  // 5 paid-for orders of 5,000 CNY leave 1,000 CNY of the 26,000 CNY year.
  for (let i = 0; i < 5; i++) await startOrder(s.env.client, order(seed, 500_000), { taskQueue: s.taskQueue });
  const next = order(seed, 200_000);
  await assert.rejects(startOrder(s.env.client, next, { taskQueue: s.taskQueue }), (e: unknown) => {
    assert.ok(e instanceof OrderRefusedError, String(e));
    assert.equal(e.rule, 'ANNUAL_QUOTA_EXCEEDED');
    assert.match(e.message, /25,000\.00 CNY is used, 1,000\.00 CNY is left, and this order needs 2,000\.00 CNY/);
    return true;
  });
  assert.deepEqual(await paymentsFor([next.orderId]), []);
  const usage = await quotaOf(freshBuyer(seed).certificateNo);
  assert.equal(usage.reservedFen, 2_500_000);
  assert.equal(usage.remainingFen, 100_000);
  // 1,000 CNY still fits.
  await startOrder(s.env.client, order(seed, 100_000), { taskQueue: s.taskQueue });
  assert.equal((await quotaOf(freshBuyer(seed).certificateNo)).remainingFen, 0);
});

test('20 orders of one buyer started at once never pass the 26,000 CNY annual quota', async () => {
  const seed = 20;
  const orders = Array.from({ length: 20 }, () => order(seed, 200_000));
  const results = await Promise.allSettled(orders.map((o) => startOrder(s.env.client, o, { taskQueue: s.taskQueue })));
  const accepted = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  // 13 x 2,000 CNY = 26,000 CNY exactly; the other 7 are refused by the quota rule.
  assert.equal(accepted.length, 13);
  assert.equal(refused.length, 7);
  for (const r of refused) assert.equal((r.reason as OrderRefusedError).rule, 'ANNUAL_QUOTA_EXCEEDED');
  assert.equal((await paymentsFor(orders.map((o) => o.orderId))).length, 13);
  const usage = await quotaOf(freshBuyer(seed).certificateNo);
  assert.equal(usage.reservedFen + usage.committedFen, 2_600_000);
  assert.equal(usage.remainingFen, 0);
  // With 6 updates per run the entity continued as new (how often depends on how updates batch),
  // and the totals above show no reservation was lost across the renewals.
  assert.ok(usage.renewals >= 1, `expected the quota entity to continue as new, renewals=${usage.renewals}`);
});

test('payment expiry cancels the payment and releases the quota', async () => {
  const seed = 30;
  const o = order(seed, 300_000);
  await startOrder(s.env.client, o, { taskQueue: s.taskQueue });
  assert.equal((await quotaOf(freshBuyer(seed).certificateNo)).reservedFen, 300_000);
  const ended = await waitForStage(s.env.client, o.orderId, 'CANCELLED', s.skipping(5 * 60_000));
  assert.equal(ended.payment.status, 'CANCELLED');
  assert.match(ended.outcome!.reason, /^PAYMENT_EXPIRED/);
  const [payment] = await paymentsFor([o.orderId]);
  assert.equal(payment.status, 'CANCELLED');
  assert.equal((await quotaOf(freshBuyer(seed).certificateNo)).reservedFen, 0);
  // A payment attempt after cancellation is refused by Alipay+ (the sandbox answers 409).
  await assert.rejects(s.f.helpers.pay(o.orderId, payerOf(freshBuyer(seed))), /409/);
  assert.equal((await orderStatus(s.env.client, o.orderId)).stage, 'CANCELLED');
});
