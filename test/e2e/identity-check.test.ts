import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage } from '../../dev/scenarios/wait-for-status';
import { CUSTOMS_TIMEOUTS, FAST_CUSTOMS, sharedE2EStack } from '../support/e2e';
import { freshBuyer } from '../support/workflow-helpers';

// The real-name gate on the whole product: Alipay+'s identityCheckResult, the answer to declare with the
// buyer's certificate, alone decides whether an order goes on to customs. The sandbox rule fails the check.

let stack: Stack;
before(async () => {
  stack = await sharedE2EStack('identity-check');
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(async () => {
  await stack?.stop();
});

test(
  'CHECK_PASSED goes on to customs and release; CHECK_NOT_PASSED refunds with IDENTITY_CHECK_NOT_PASSED and goes no further',
  { timeout: 300_000 },
  async () => {
    const passing = sampleOrder({ buyer: freshBuyer(301) });
    const failing = sampleOrder({ buyer: freshBuyer(302) });
    for (const order of [passing, failing])
      await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
    // Both buyers pay for their own orders; Alipay+'s identity check fails the second (sandbox rule).
    await stack.helpers.failIdentityCheck(failing.orderId);
    await stack.helpers.pay(passing.orderId, payerOf(passing.buyer));
    await stack.helpers.pay(failing.orderId, payerOf(failing.buyer));

    const [released, refunded] = await Promise.all([
      waitForStage(stack.client, passing.orderId, 'RELEASED_FOR_DELIVERY'),
      waitForStage(stack.client, failing.orderId, 'REFUNDED'),
    ]);

    assert.equal(released.declarations[0].identityCheckResult, 'CHECK_PASSED');
    assert.equal(released.refunds.length, 0);

    assert.equal(refunded.payment.learnedFrom, 'NOTIFICATION');
    assert.equal(refunded.declarations[0].identityCheckResult, 'CHECK_NOT_PASSED');
    assert.match(refunded.outcome!.reason, /^IDENTITY_CHECK_NOT_PASSED: /);
    assert.deepEqual(refunded.clearance, [], 'no order document or waybill is filed');
    const l = await stack.helpers.ledgerOf(failing.orderId);
    assert.deepEqual(
      l.refunds.map((r) => r.amount.value),
      [String(failing.totalFen)],
      'the whole payment is refunded, once',
    );
    assert.equal(l.declarations.length, 1);
  },
);
