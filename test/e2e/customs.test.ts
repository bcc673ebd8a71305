import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { returnGoods, startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import { MILK_TIN, payerOf, priced, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { CUSTOMS_TIMEOUTS, FAST_CUSTOMS, runCli, sharedE2EStack } from '../support/e2e';
import { freshBuyer } from '../support/workflow-helpers';

// Steps 9 and 10 on the e-port's signed messages, on `temporal server start-dev`: the worker files the
// documents with the sandbox's customs over HTTP and follows its signed receipts; an operator corrects a
// refused list from the CLI; a return gives the quota back.

let stack: Stack;
before(async () => {
  stack = await sharedE2EStack('customs');
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(async () => {
  await stack?.stop();
});

const TWO_TINS = priced([{ ...MILK_TIN, quantity: 2 }]);

async function paid(rule?: Parameters<Stack['helpers']['cebRules']>[0]['default']) {
  const buyer = freshBuyer();
  const order = sampleOrder({ buyer, ...TWO_TINS });
  if (rule) await stack.helpers.cebRules({ orders: { [order.orderId]: rule } });
  await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
  await stack.helpers.pay(order.orderId, payerOf(buyer));
  return order;
}

test('inspected, released at 800, then one tin returned: refunded with its tax, the quota given back', { timeout: 300_000 }, async () => {
  const order = await paid({ paths: [{ kind: 'INSPECT_THEN_RELEASE' }] });
  const released = await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY');
  const [c] = released.customs!;
  assert.ok(c.inspectionSince, 'the goods passed through inspection (500)');
  assert.equal(c.inventory.returnStatus, '800');
  const held = await stack.helpers.cebOrder(order.orderId);
  assert.deepEqual(
    held.filed.map((f) => f.messageType),
    ['CEB311Message', 'CEB511Message', 'CEB621Message'],
  );

  const view = await returnGoods(stack.client, order.orderId, {
    operator: 'returns-desk',
    reason: 'one tin came back unopened',
    lines: [{ sku: MILK_TIN.sku, quantity: 1 }],
  });
  const done = await waitForStatus(
    stack.client,
    order.orderId,
    'the return refunded and its quota given back',
    (s) => s.returns?.[0]?.quotaGivenBack === true && s.refunds.some((r) => r.status === 'SUCCEEDED'),
  );
  assert.equal(done.refunds[0].amountFen, view.refundFen);
  assert.equal((await stack.helpers.cebOrder(order.orderId)).returnedValueFen, MILK_TIN.unitPriceFen);
});

test(
  'a refused inventory list: the CLI shows why, an operator corrects the HS code from the CLI, the order is released',
  { timeout: 300_000 },
  async () => {
    const order = await paid({ paths: [{ kind: 'REJECT', reason: 'gcode of line 1 does not match the goods' }, { kind: 'RELEASE' }] });
    await waitForStatus(
      stack.client,
      order.orderId,
      'stuck CUSTOMS_DOCUMENT_REJECTED',
      (s) => s.stuck?.code === 'CUSTOMS_DOCUMENT_REJECTED',
    );
    const status = await runCli(stack, ['status', order.orderId]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`customs ${order.orderId}: DOCUMENT_REJECTED.*inventory 100 "gcode of line 1 does not match the goods"`),
    );

    const bad = await runCli(stack, [
      'correct-customs',
      order.orderId,
      '--item',
      `${MILK_TIN.sku}:hsCode=12`,
      '--by',
      'ops',
      '--reason',
      'x',
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ITEM_CORRECTION/);
    const fixed = await runCli(stack, [
      'correct-customs',
      order.orderId,
      '--item',
      `${MILK_TIN.sku}:hsCode=0402291000`,
      '--by',
      'ops',
      '--reason',
      'registered HS code',
    ]);
    assert.equal(fixed.code, 0, fixed.stderr);
    await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY');
    const held = await stack.helpers.cebOrder(order.orderId);
    assert.equal(held.lines[0].gcode, '0402291000');
  },
);
