import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { NotifyPaymentRequest } from '../../alipay-plus';
import { BUYER, paidPayment, uniqueId } from '../support/orders';
import { startNotifyReceiver } from '../support/notify-receiver';
import { frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { startLocalServer } from '../support/wire';

// notifyPayment: signed, on the documented schedule of the sandbox clock, until a SIGNED S acknowledgement.
// The sandbox clock stands still unless advanced, so attempt times are exact.

let f: SandboxFixture;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
before(async () => {
  f = await startSandboxFixture({ timeSource: frozenTime() });
  receiver = await startNotifyReceiver();
});
after(async () => {
  await f.close();
  await receiver.close();
});
afterEach(() => f.helpers.faults({}));

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The documented gaps between attempts: 0s, 2m, 10m, 10m, 1h, 2h, 6h, 15h. */
const GAPS = [2 * MIN, 10 * MIN, 10 * MIN, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR];

async function deliveryOf(paymentRequestId: string) {
  const ds = (await f.helpers.ledger()).notifications.filter((n) => n.paymentRequestId === paymentRequestId);
  assert.equal(ds.length, 1, `one delivery for ${paymentRequestId}`);
  return ds[0] as {
    acknowledged: boolean;
    nextAttemptAt?: string;
    attempts: { at: string; outcome: string; duplicate?: boolean; detail?: string }[];
  };
}
const gapsOf = (attempts: { at: string }[]) => attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(attempts[i].at));

/** Pays with the receiver as notify URL, then runs what fell due (the first attempt is due at once). */
async function paidAndNotified(plan?: Parameters<typeof receiver.plan>[1]) {
  const id = uniqueId('PAY-N');
  if (plan) receiver.plan(id, plan);
  const p = await paidPayment(f, { paymentRequestId: id, notifyUrl: receiver.notifyUrl(id) });
  const paidAt = await f.helpers.now();
  await f.helpers.advance(0);
  return { ...p, paidAt };
}

test('a successful payment is notified once and acknowledged', async () => {
  const p = await paidAndNotified();
  const d = await deliveryOf(p.id);
  assert.equal(d.acknowledged, true);
  assert.deepEqual(
    d.attempts.map((a) => [a.outcome, a.at]),
    [['ACKNOWLEDGED', new Date(p.paidAt).toISOString()]],
  );
  assert.equal(d.nextAttemptAt, undefined);
  await f.helpers.advance(DAY);
  assert.equal((await deliveryOf(p.id)).attempts.length, 1);
  assert.equal(receiver.for(p.id).length, 1);
});

test('F, F, F then S: attempts after 0s, +2 min, +10 min, +10 min; acknowledged on the 4th and never sent again', async () => {
  const p = await paidAndNotified((attempt) => ({ resultStatus: attempt <= 3 ? 'F' : 'S' }));
  assert.equal((await deliveryOf(p.id)).attempts.length, 1);
  await f.helpers.advance(2 * MIN - 1);
  assert.equal((await deliveryOf(p.id)).attempts.length, 1, 'not before 2 minutes');
  await f.helpers.advance(1);
  assert.equal((await deliveryOf(p.id)).attempts.length, 2);
  await f.helpers.advance(10 * MIN);
  assert.equal((await deliveryOf(p.id)).attempts.length, 3);
  await f.helpers.advance(10 * MIN);
  let d = await deliveryOf(p.id);
  assert.deepEqual(
    d.attempts.map((a) => a.outcome),
    ['NOT_ACKNOWLEDGED', 'NOT_ACKNOWLEDGED', 'NOT_ACKNOWLEDGED', 'ACKNOWLEDGED'],
  );
  assert.deepEqual(gapsOf(d.attempts), [120_000, 600_000, 600_000]);
  assert.equal(d.attempts[0].at, new Date(p.paidAt).toISOString());
  assert.equal(d.acknowledged, true);

  await f.helpers.advance(DAY);
  d = await deliveryOf(p.id);
  assert.equal(d.attempts.length, 4);
  assert.equal(d.nextAttemptAt, undefined);
  assert.equal(receiver.for(p.id).length, 4);
  assert.ok(
    receiver.for(p.id).every((n) => n.check.ok),
    'every notification verified',
  );
});

test('an UNSIGNED S acknowledgement is not accepted (UNSIGNED_ACK) and the notification comes again 2 minutes later', async () => {
  const p = await paidAndNotified((attempt) => ({ resultStatus: 'S', signed: attempt > 1 }));
  let d = await deliveryOf(p.id);
  assert.equal(d.acknowledged, false);
  assert.deepEqual(
    d.attempts.map((a) => a.outcome),
    ['UNSIGNED_ACK'],
  );
  assert.equal(d.nextAttemptAt, new Date(p.paidAt + 2 * MIN).toISOString());
  await f.helpers.advance(2 * MIN);
  d = await deliveryOf(p.id);
  assert.deepEqual(
    d.attempts.map((a) => a.outcome),
    ['UNSIGNED_ACK', 'ACKNOWLEDGED'],
  );
  assert.equal(d.acknowledged, true);
});

test('the notification is signed and carries the payment facts, but not the payer name or certificate number', async () => {
  const p = await paidAndNotified();
  const [n] = receiver.for(p.id);
  assert.ok(n);
  assert.equal(n.check.ok, true);
  assert.equal(n.path, `/alipay/notify/${p.id}`);
  const body = JSON.parse(n.rawBody) as NotifyPaymentRequest;
  assert.equal(body.notifyType, 'PAYMENT_RESULT');
  assert.deepEqual(body.result, { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' });
  assert.equal(body.paymentRequestId, p.id);
  assert.equal(body.paymentId, p.paymentId);
  assert.deepEqual(body.paymentAmount, { currency: 'CNY', value: '19900' });
  assert.deepEqual(body.customsDeclarationAmount, { currency: 'CNY', value: '19900' });
  assert.equal(body.settlementQuote?.quoteCurrencyPair, 'USD/CNY');
  assert.equal(body.settlementQuote?.quotePrice, '7.1000');
  assert.ok(!('payerRealNameVerified' in body), 'Alipay+ has no payer real-name field');
  assert.equal(body.paymentTime, new Date(p.paidAt).toISOString());
  assert.ok(!n.rawBody.includes(BUYER.fullName), 'no payer name');
  assert.ok(!n.rawBody.includes(BUYER.certificateNo), 'no certificate number');
  assert.ok(!n.rawBody.includes(BUYER.certificateNo.slice(0, 14)), 'not even part of it');
  assert.ok(n.parsed, 'the body parses with the notifyPayment schema');
});

test('dropNotificationRate 1: attempts are recorded DROPPED, nothing reaches the merchant, and they go on on schedule', async () => {
  await f.helpers.faults({ dropNotificationRate: 1 });
  const p = await paidAndNotified();
  await f.helpers.advance(2 * MIN);
  const d = await deliveryOf(p.id);
  assert.deepEqual(
    d.attempts.map((a) => a.outcome),
    ['DROPPED', 'DROPPED'],
  );
  assert.deepEqual(gapsOf(d.attempts), [120_000]);
  assert.equal(d.acknowledged, false);
  assert.equal(receiver.for(p.id).length, 0);
  await f.helpers.faults({});
  await f.helpers.advance(10 * MIN);
  assert.deepEqual(
    (await deliveryOf(p.id)).attempts.map((a) => a.outcome),
    ['DROPPED', 'DROPPED', 'ACKNOWLEDGED'],
  );
});

test('duplicateNotificationRate 1: the notification arrives twice and the duplicate attempt is recorded', async () => {
  await f.helpers.faults({ duplicateNotificationRate: 1 });
  const p = await paidAndNotified();
  const d = await deliveryOf(p.id);
  assert.deepEqual(
    d.attempts.map((a) => [a.outcome, a.duplicate ?? false]),
    [
      ['ACKNOWLEDGED', false],
      ['ACKNOWLEDGED', true],
    ],
  );
  assert.equal(receiver.for(p.id).length, 2);
  assert.equal(receiver.for(p.id)[0].rawBody, receiver.for(p.id)[1].rawBody);
});

test('8 attempts in all at most, at 0s, 2m, 10m, 10m, 1h, 2h, 6h and 15h gaps, then no more', async () => {
  const p = await paidAndNotified(() => ({ resultStatus: 'F' }));
  for (const gap of GAPS) await f.helpers.advance(gap);
  let d = await deliveryOf(p.id);
  assert.equal(d.attempts.length, 8);
  assert.deepEqual(gapsOf(d.attempts), GAPS);
  assert.ok(d.attempts.every((a) => a.outcome === 'NOT_ACKNOWLEDGED'));
  assert.equal(d.nextAttemptAt, undefined);
  await f.helpers.advance(DAY);
  await f.helpers.advance(DAY);
  d = await deliveryOf(p.id);
  assert.equal(d.attempts.length, 8);
  assert.equal(d.acknowledged, false);
  assert.equal(receiver.for(p.id).length, 8);
});

test('stopping notifications waits for the attempt under way; after that the sandbox reads its clock no more', async () => {
  // What backs the clock (Temporal's test server in the workflow tests) may be shut down once the stop returns.
  let clockReads = 0;
  const start = Date.now();
  const g = await startSandboxFixture({ timeSource: () => (clockReads++, start) });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const arrival = new Promise<void>((r) => (arrived = r));
  const slow = await startLocalServer(async (_req, _body, res) => {
    arrived();
    await held;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
  try {
    const id = uniqueId('PAY-STOP');
    await paidPayment(g, { paymentRequestId: id, notifyUrl: `${slow.url}/alipay/notify/${id}` });
    await arrival; // the first attempt is under way, held by the merchant
    let stopped = false;
    const stopping = g.sandbox.stopNotifications().then(() => void (stopped = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(stopped, false, 'the stop waits for the attempt under way');
    release();
    await stopping;
    const readsAtStop = clockReads;
    await new Promise((r) => setTimeout(r, 200)); // four ticks of the notifier
    assert.equal(clockReads, readsAtStop, 'no clock read after the stop');
    const d = (await g.helpers.ledger()).notifications.find((n) => n.paymentRequestId === id);
    assert.deepEqual(
      d?.attempts.map((a) => a.outcome),
      ['UNSIGNED_ACK'],
      'the attempt under way was finished and recorded',
    );
  } finally {
    release();
    await g.close();
    await slow.close();
  }
});

test('a sandbox with notifyRetryScale 0.1 (the chaos run) sends again on a tenth of the schedule', async () => {
  const g = await startSandboxFixture({ timeSource: frozenTime(), notifyRetryScale: 0.1 });
  try {
    const id = uniqueId('PAY-S');
    receiver.plan(id, () => ({ resultStatus: 'F' }));
    await paidPayment(g, { paymentRequestId: id, notifyUrl: receiver.notifyUrl(id) });
    await g.helpers.advance(0);
    for (const gap of GAPS) await g.helpers.advance(gap / 10);
    const [d] = (await g.helpers.ledger()).notifications.filter((n) => n.paymentRequestId === id);
    assert.deepEqual(
      gapsOf(d.attempts),
      GAPS.map((gap) => gap / 10),
    );
  } finally {
    await g.close();
  }
});
