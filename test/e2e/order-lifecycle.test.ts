import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import { projectRoot } from '../../platform/paths';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage } from '../../dev/scenarios/wait-for-status';
import { CUSTOMS_TIMEOUTS, FAST_CUSTOMS, assertLogsFreeOfPii, jsonLines, readLog, runCli, sleep, startE2EStack } from '../support/e2e';
import { freshBuyer } from '../support/workflow-helpers';

// One order through the whole product on `temporal server start-dev`, then what operators see of it:
// the CLI over the dev server's visibility, the Prometheus metrics and the logs; last, a graceful stop.

let stack: Stack;
const buyers: { fullName: string; certificateNo: string }[] = [];
let releasedOrderId: string | undefined;

before(async () => {
  stack = await startE2EStack('lifecycle');
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(async () => {
  await stack?.stop();
});

test(
  'a paid order goes sandbox → notify receiver → worker and is released for delivery, each effect once',
  { timeout: 300_000 },
  async () => {
    const buyer = freshBuyer();
    const order = sampleOrder({ buyer });
    buyers.push(buyer);
    const checkout = await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
    assert.equal(checkout.paymentRequestId, order.orderId);
    assert.ok(checkout.paymentUrl.startsWith(`${stack.sandboxUrl}/cashier/`), `cashier URL ${checkout.paymentUrl}`);

    await stack.helpers.pay(order.orderId, payerOf(buyer));
    const released = await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY');
    releasedOrderId = order.orderId;

    assert.equal(released.payment.status, 'SUCCESS');
    assert.equal(released.payment.learnedFrom, 'NOTIFICATION', 'the payment became known through the notify receiver, not by polling');
    assert.equal(released.payment.notificationsReceived, 1);
    assert.equal(released.declarations.length, 1);
    assert.equal(released.declarations[0].status, 'ACCEPTED');
    assert.equal(released.declarations[0].attempts, 1);
    assert.equal(released.declarations[0].identityCheckResult, 'CHECK_PASSED');
    assert.deepEqual(released.clearance, [{ customsOrderId: order.orderId, status: 'RELEASED' }]);
    assert.equal(released.stuck, undefined);

    const l = await stack.helpers.ledgerOf(order.orderId);
    assert.equal(l.payments.length, 1, 'exactly one payment');
    assert.equal(l.payments[0].status, 'SUCCESS');
    assert.equal(l.declarations.length, 1, 'exactly one declaration');
    assert.deepEqual(
      l.declarations[0].calls.map((c) => c.kind),
      ['FIRST'],
      'one declare call',
    );
    assert.equal(l.refunds.length, 0);
    // Alipay+ got a signed S from the receiver, so it stopped sending.
    assert.equal(l.notifications.length, 1, 'one notification delivery');
    const delivery = l.notifications[0];
    assert.ok(delivery.attempts.length >= 1, 'the sandbox sent the notification');
    assert.deepEqual(
      delivery.attempts.map((a) => a.outcome),
      delivery.attempts.map(() => 'ACKNOWLEDGED'),
      `every attempt was acknowledged with a signed S: ${JSON.stringify(delivery.attempts)}`,
    );
    assert.equal(delivery.acknowledged, true);
  },
);

test('operators: the CLI lists the order by stage through visibility and prints its status', { timeout: 120_000 }, async () => {
  assert.ok(releasedOrderId, 'needs the released order of the first test');
  // A row of `list` starts with the order id, which `status` and the other commands take.
  const rowOf = (stdout: string) => stdout.split('\n').find((line) => line.split(/\s+/)[0] === releasedOrderId);
  // Visibility is eventually consistent: retry for a while, never forever.
  const deadline = Date.now() + 15_000;
  let list: Awaited<ReturnType<typeof runCli>>;
  for (;;) {
    list = await runCli(stack, ['list', '--stage', 'RELEASED_FOR_DELIVERY']);
    if (list.code === 0 && rowOf(list.stdout)) break;
    if (Date.now() >= deadline) {
      assert.fail(
        `\`orders list --stage RELEASED_FOR_DELIVERY\` never listed ${releasedOrderId}; exit ${list.code}, stdout:\n${list.stdout}\nstderr:\n${list.stderr}`,
      );
    }
    await sleep(1_000);
  }
  const row = rowOf(list.stdout)!;
  assert.match(row, /\bRUNNING\b/);
  assert.match(row, /\bRELEASED_FOR_DELIVERY\b/);
  assert.match(list.stdout, /^\d+ order\(s\)$/m);

  // The filter works: no order is listed in a stage it is not in.
  const cancelled = await runCli(stack, ['list', '--stage', 'CANCELLED']);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.equal(rowOf(cancelled.stdout), undefined, `listed under CANCELLED:\n${cancelled.stdout}`);

  const status = await runCli(stack, ['status', releasedOrderId]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^order ${releasedOrderId}: RELEASED_FOR_DELIVERY\\b`, 'm'));
  assert.match(status.stdout, new RegExp(`declaration ${releasedOrderId}-D1 .*: ACCEPTED, 1 call\\(s\\)`));
  assert.match(status.stdout, new RegExp(`clearance ${releasedOrderId}: RELEASED`));

  const json = await runCli(stack, ['status', releasedOrderId, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { stage: string }).stage, 'RELEASED_FOR_DELIVERY');
});

test(
  "operators: with no keyring set, the CLI finds the local stack's development keyring and says where it took it from",
  { timeout: 60_000 },
  async () => {
    assert.ok(releasedOrderId, 'needs the released order of the first test');
    assert.equal(stack.payloadKeysFile, join(projectRoot(), '.dev', 'payload-keys'), 'the stack encrypts with the development keyring');
    // The status is an encrypted payload: printing it proves the keyring is the stack's.
    const status = await runCli(stack, ['status', releasedOrderId, '--json'], { keyring: 'none' });
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { stage: string }).stage, 'RELEASED_FOR_DELIVERY', 'stdout stays the JSON');
    assert.equal(status.stderr, 'payload keys: .dev/payload-keys (the local development keyring; set PAYLOAD_KEYS_FILE to use another)\n');
  },
);

test("metrics: the worker's Prometheus endpoint has the SDK's metrics and the business counters", { timeout: 60_000 }, async (t) => {
  assert.ok(releasedOrderId, 'needs the released order of the first test');
  const res = await fetch(stack.metricsUrl, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /^temporal_\w+/m, 'SDK metrics');
  // A counter may carry a prefix or a suffix (e.g. `_total`) in the Prometheus exposition.
  const counter = (name: string) => {
    const m = text.match(new RegExp(`^(\\w*${name}\\w*)(\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'm'));
    assert.ok(
      m,
      `no ${name} counter in:\n${
        text
          .split('\n')
          .filter((l) => l.includes('alipay'))
          .join('\n') || '(no alipay_ line)'
      }`,
    );
    t.diagnostic(`exported as ${m[0]}`);
    return Number(m[3]);
  };
  assert.ok(counter('alipay_orders_started') >= 1, 'alipay_orders_started counts the order');
  assert.ok(counter('alipay_orders_cleared') >= 1, 'alipay_orders_cleared counts the order');
});

test('graceful shutdown: SIGTERM drains the worker, which logs "worker stopped" and exits', { timeout: 120_000 }, async () => {
  assert.equal(readLog(stack, 'worker').includes('worker stopped'), false, 'not stopped yet');
  await stack.stopWorker('SIGTERM');
  const log = readLog(stack, 'worker');
  const stopped = jsonLines(log).find((l) => l.msg === 'worker stopped');
  assert.ok(stopped, `no "worker stopped" line in worker.log:\n${log.slice(-2_000)}`);
  // The metrics endpoint went with the process.
  await assert.rejects(fetch(stack.metricsUrl, { signal: AbortSignal.timeout(5_000) }));

  await stack.startWorker(); // the next test reads the logs of a running product
  const res = await fetch(stack.metricsUrl, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
});

test('logs: no buyer name or ID number in the worker or notify receiver logs', () => {
  assertLogsFreeOfPii(stack, buyers);
});
