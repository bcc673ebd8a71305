import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import axios from 'axios';
import { startOrder } from '../../client/orders';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import type { Stack } from '../../dev/stack';
import { ALIPAY_ANDROID_PACKAGE } from '../../sandbox/payments';
import { CUSTOMS_TIMEOUTS, FAST_CUSTOMS, runCli, sharedE2EStack } from '../support/e2e';
import { freshBuyer } from '../support/workflow-helpers';

// Orders checked out from a merchant's app on `temporal server start-dev`: pay gets env APP with the OS,
// checkout hands back the links that open the Alipay app, and the notification alone moves the order on.

let stack: Stack;
before(async () => {
  stack = await sharedE2EStack('app-checkout');
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(async () => {
  await stack?.stop();
});

test('an order from an Android app gets the app links, is paid in the Alipay app and is released', { timeout: 300_000 }, async () => {
  const buyer = freshBuyer();
  const order = sampleOrder({ buyer, terminal: { terminalType: 'APP', osType: 'ANDROID' } });
  const checkout = await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
  const links = checkout.links ?? {};
  assert.ok(links.schemeUrl?.startsWith('alipays://'), `scheme URL ${links.schemeUrl}`);
  assert.ok(links.applinkUrl?.startsWith(`${stack.sandboxUrl}/applink/cashier/`), `App Link ${links.applinkUrl}`);
  assert.ok(links.normalUrl?.startsWith(`${stack.sandboxUrl}/h5/cashier/`), `H5 page ${links.normalUrl}`);
  assert.equal(links.appIdentifier, ALIPAY_ANDROID_PACKAGE);
  // Without the app, the App Link opens the H5 cashier.
  const page = await axios.get<string>(links.applinkUrl!, { responseType: 'text' });
  assert.match(page.data, new RegExp(order.orderId));
  assert.deepEqual((await stack.helpers.ledgerOf(order.orderId)).payments[0].env, { terminalType: 'APP', osType: 'ANDROID' });

  await stack.helpers.pay(order.orderId, payerOf(buyer));
  const released = await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY');
  assert.equal(released.payment.status, 'SUCCESS');
  assert.equal(released.payment.learnedFrom, 'NOTIFICATION');
  assert.deepEqual(released.payment.links, links);
  assert.equal((await stack.helpers.ledgerOf(order.orderId)).payments.length, 1, 'exactly one payment');
});

test('the CLI checks out an order from an iOS app and prints the links that open Alipay', { timeout: 300_000 }, async () => {
  const buyer = freshBuyer();
  const order = sampleOrder({ buyer });
  const file = join(mkdtempSync(join(tmpdir(), 'app-order-')), 'order.json');
  writeFileSync(file, JSON.stringify(order));
  const r = await runCli(stack, ['start', file, '--terminal', 'APP', '--os', 'IOS']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`order ${order.orderId}: pay at ${stack.sandboxUrl}/h5/cashier/`));
  assert.match(r.stdout, /schemeUrl: alipays:\/\//);
  assert.match(r.stdout, /applinkUrl: http/);
  assert.doesNotMatch(r.stdout, /appIdentifier/, 'the Android package name is for Android only');
  assert.deepEqual((await stack.helpers.ledgerOf(order.orderId)).payments[0].env, { terminalType: 'APP', osType: 'IOS' });

  await stack.helpers.pay(order.orderId, payerOf(buyer));
  const status = await waitForStatus(stack.client, order.orderId, 'the payment', (s) => s.payment.status === 'SUCCESS');
  assert.equal(status.payment.learnedFrom, 'NOTIFICATION');
  assert.deepEqual(status.payment.terminal, { terminalType: 'APP', osType: 'IOS' });
});
