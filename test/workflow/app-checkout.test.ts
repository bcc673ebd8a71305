import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderStatus, startOrder } from '../../client/orders';
import { InvalidOrderError } from '../../domain/order';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage } from '../../dev/scenarios/wait-for-status';
import { ALIPAY_ANDROID_PACKAGE } from '../../sandbox/payments';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer, untilNotified } from '../support/workflow-helpers';

// Checkout from the buyer's terminal: pay gets it as env, checkout and the status hand back the links.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const sentEnv = async (orderId: string) => (await s.f.helpers.ledgerOf(orderId)).payments[0].env;

test('an app checkout on Android sends env APP/ANDROID; checkout hands back the app links, and the order goes on when paid', async () => {
  const order = sampleOrder({ buyer: freshBuyer(), terminal: { terminalType: 'APP', osType: 'ANDROID' } });
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.deepEqual(await sentEnv(order.orderId), { terminalType: 'APP', osType: 'ANDROID' });
  assert.deepEqual(checkout.terminal, { terminalType: 'APP', osType: 'ANDROID' });
  assert.match(checkout.links?.schemeUrl ?? '', /^alipays:\/\//);
  assert.match(checkout.links?.applinkUrl ?? '', /\/applink\/cashier\//);
  assert.match(checkout.links?.normalUrl ?? '', /\/h5\/cashier\//);
  assert.equal(checkout.links?.appIdentifier, ALIPAY_ANDROID_PACKAGE);
  // The H5 page is where to send a buyer whose phone has no Alipay app.
  assert.equal(checkout.paymentUrl, checkout.links?.normalUrl);

  const status = await orderStatus(s.env.client, order.orderId);
  assert.deepEqual(status.payment.links, checkout.links);
  assert.deepEqual(status.payment.terminal, checkout.terminal);

  // Coming back to the app proves nothing: only the notification moves the order on.
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  await untilNotified(s.f.helpers, order.orderId);
  const paid = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(paid.payment.status, 'SUCCESS');
  assert.equal(paid.payment.learnedFrom, 'NOTIFICATION');
  assert.deepEqual(paid.payment.links, checkout.links);
});

test('an iOS app checkout gets the app links without an Android package name', async () => {
  const order = sampleOrder({ buyer: freshBuyer(), terminal: { terminalType: 'APP', osType: 'IOS' } });
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.deepEqual(await sentEnv(order.orderId), { terminalType: 'APP', osType: 'IOS' });
  assert.match(checkout.links?.schemeUrl ?? '', /^alipays:\/\/platformapi\/startApp\?/);
  assert.match(checkout.links?.applinkUrl ?? '', /\/applink\/cashier\/[^/]+$/);
  assert.match(checkout.links?.normalUrl ?? '', /\/h5\/cashier\/[^/]+$/);
  assert.equal(checkout.paymentUrl, checkout.links?.normalUrl, 'the buyer is sent to the H5 page first');
  assert.equal(checkout.links?.appIdentifier, undefined);
});

test('a mobile browser checkout sends env WAP and gets the H5 page only', async () => {
  const order = sampleOrder({ buyer: freshBuyer(), terminal: { terminalType: 'WAP' } });
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.deepEqual(await sentEnv(order.orderId), { terminalType: 'WAP' });
  assert.deepEqual(Object.keys(checkout.links ?? {}), ['normalUrl']);
  assert.match(checkout.paymentUrl, /\/h5\/cashier\//);
});

test('an order that names no terminal is a web checkout: env WEB, the cashier page as before', async () => {
  const order = sampleOrder({ buyer: freshBuyer() });
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  assert.deepEqual(await sentEnv(order.orderId), { terminalType: 'WEB' });
  assert.deepEqual(checkout.terminal, { terminalType: 'WEB' });
  assert.match(checkout.paymentUrl, /\/cashier\//);
  assert.doesNotMatch(checkout.paymentUrl, /\/h5\//);
  assert.deepEqual(checkout.links, { normalUrl: checkout.paymentUrl });
});

test('an app checkout that names no operating system is refused by the client (TERMINAL_OS) and never reaches Alipay+', async () => {
  const order = sampleOrder({ buyer: freshBuyer(), terminal: { terminalType: 'APP' } });
  await assert.rejects(startOrder(s.env.client, order, { taskQueue: s.taskQueue }), (e: unknown) => {
    assert.ok(e instanceof InvalidOrderError);
    assert.match(e.message, /TERMINAL_OS/);
    return true;
  });
  assert.equal((await s.f.helpers.ledgerOf(order.orderId)).payments.length, 0);
});
