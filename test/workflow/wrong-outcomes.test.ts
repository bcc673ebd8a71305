import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cancelOrder, correctDeclaration, orderHandle, orderStatus, startOrder } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import { paymentNotificationUpdate } from '../../domain/order-api';
import { MILK_TIN, itemShares, payerOf, priced, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type ActivityStub, type WorkflowStack } from '../support/temporal';
import { finalAnswers, forOrder, freshBuyer, holdNextCall, untilNotified } from '../support/workflow-helpers';

// Wrong outcomes that need no fault at all: an identity check ignored on a retransmission, a correction
// lost in flight, a stale rejection read as new, one stuck slot for a whole order, a cancel while customs
// holds the documents, a failure notification taken on trust, a confirmation that gave up after one look.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const OPERATOR = { operator: 'ops@merchant', reason: 'ticket 43' };

const declareCalls = async (orderId: string) => (await s.f.helpers.ledgerOf(orderId)).declarations.flatMap((d) => d.calls);

const awaitingCorrection = (orderId: string, index = 0) =>
  waitForStatus(
    s.env.client,
    orderId,
    'a declaration awaiting correction',
    (x) => x.declarations[index]?.status === 'AWAITING_CORRECTION',
    s.skipping(10 * SECOND),
  );

test('a corrected retransmission that carries the certificate is checked: CHECK_NOT_PASSED refunds instead of going to customs', async () => {
  const order = sampleOrder({ buyer: freshBuyer(701) });
  // Alipay+ refuses the first declare call, before any identity check could be made.
  s.stubs.set('declare', forOrder(order.orderId, finalAnswers('PARAM_ILLEGAL', 1)));
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    await s.f.helpers.pay(order.orderId, payerOf(freshBuyer(702)));
    const refused = await awaitingCorrection(order.orderId);
    assert.equal(refused.stuck?.code, 'DECLARE_REFUSED');
    await correctDeclaration(s.env.client, order.orderId, {
      declarationId: `${order.orderId}-D1`,
      merchantCustomsCode: 'MC-0002',
      ...OPERATOR,
    });
    const st = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping(10 * SECOND));
    assert.match(st.outcome!.reason, /^IDENTITY_CHECK_NOT_PASSED/);
    assert.equal(st.declarations[0].identityCheckResult, 'CHECK_NOT_PASSED');
    assert.deepEqual(st.clearance, [], 'nothing was filed with customs');
  } finally {
    s.stubs.delete('declare');
  }
});

test('a correction that arrives while the retransmission is in flight is sent in the next declare call', async () => {
  const order = sampleOrder({ buyer: freshBuyer(703) });
  const id = `${order.orderId}-D1`;
  await s.f.helpers.customsRules({
    orders: {
      [order.orderId]: {
        outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code is not registered' }, { decision: 'ACCEPT' }],
        processingAfterMs: 0,
        decisionAfterMs: 10 * SECOND,
      },
    },
  });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  await awaitingCorrection(order.orderId);
  const held = holdNextCall();
  s.stubs.set('declare', forOrder(order.orderId, held.stub));
  try {
    await correctDeclaration(s.env.client, order.orderId, { declarationId: id, merchantCustomsCode: 'MC-0002', ...OPERATOR });
    // Skip to the retransmission, which the stub holds in flight.
    let arrived = false;
    void held.arrived.then(() => (arrived = true));
    for (let i = 0; i < 60 && !arrived; i++) await s.env.sleep(10 * SECOND);
    assert.ok(arrived, 'the retransmission started');
    const view = await correctDeclaration(s.env.client, order.orderId, { declarationId: id, merchantCustomsCode: 'MC-0003', ...OPERATOR });
    assert.equal(view.merchantCustomsCode, 'MC-0003');
    held.release();
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(30 * SECOND));
    assert.equal(released.declarations[0].merchantCustomsCode, 'MC-0003');
    const calls = await declareCalls(order.orderId);
    assert.deepEqual(
      calls.map((c) => c.merchantCustomsCode),
      ['MC-0001', 'MC-0002', 'MC-0003'],
      'Alipay+ holds the code the order document files',
    );
    assert.ok(Date.parse(calls[2].at) - Date.parse(calls[1].at) > 5 * MINUTE, 'the third call kept the 5-minute gap');
  } finally {
    s.stubs.delete('declare');
  }
});

test('a customs answer from before the retransmission is stale: it is not read as a new rejection', async () => {
  const order = sampleOrder({ buyer: freshBuyer(704) });
  await s.f.helpers.customsRules({
    orders: {
      [order.orderId]: {
        outcomes: [{ decision: 'REJECT', code: '-1', description: 'the payment data was not received' }, { decision: 'ACCEPT' }],
        processingAfterMs: 0,
        decisionAfterMs: 10 * SECOND,
      },
    },
  });
  // After the retransmission, Alipay+ keeps answering with the first rejection for a while.
  type Inquiry = { records: { declarationId: string; status: string; customsResultCode?: string }[] };
  let rejection: Inquiry['records'][number] | undefined;
  let staleAnswers = 0;
  const stale: ActivityStub = async (real, ...args) => {
    const r = (await real(...args)) as Inquiry;
    const rec = r.records[0];
    if (rec?.customsResultCode === '-1') rejection ??= rec;
    else if (rejection && staleAnswers < 3) {
      staleAnswers += 1;
      return { ...r, records: [rejection] };
    }
    return r;
  };
  s.stubs.set('inquireDeclarations', forOrder(order.orderId, stale));
  try {
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(30 * SECOND));
    assert.ok(staleAnswers > 0, 'the stale answer was given');
    assert.equal((await declareCalls(order.orderId)).length, 2, 'declared once and retransmitted once, not again for the stale answer');
    assert.equal(released.declarations[0].status, 'ACCEPTED');
  } finally {
    s.stubs.delete('inquireDeclarations');
  }
});

test('each split part keeps its own stuck reason: correcting one part leaves the other part stuck', async () => {
  const order: OrderInput = {
    ...sampleOrder({ buyer: freshBuyer(705) }),
    ...priced([{ ...MILK_TIN }, { ...MILK_TIN }]),
  };
  const [a, b] = itemShares([{ ...MILK_TIN }, { ...MILK_TIN }]);
  order.splitParts = [
    { referenceOrderId: `${order.orderId}-A`, amountFen: a },
    { referenceOrderId: `${order.orderId}-B`, amountFen: b },
  ];
  const rejectedOnce = {
    outcomes: [
      { decision: 'REJECT' as const, code: '100', description: 'merchant customs code is not registered' },
      { decision: 'ACCEPT' as const },
    ],
    processingAfterMs: 0,
    decisionAfterMs: 10 * SECOND,
  };
  await s.f.helpers.customsRules({ declarations: { [`${order.orderId}-D1`]: rejectedOnce, [`${order.orderId}-D2`]: rejectedOnce } });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  const both = await waitForStatus(
    s.env.client,
    order.orderId,
    'both parts awaiting correction',
    (x) => x.declarations.length === 2 && x.declarations.every((d) => d.status === 'AWAITING_CORRECTION'),
    s.skipping(10 * SECOND),
  );
  assert.deepEqual(
    both.stuckReasons!.map((r) => r.code),
    ['CUSTOMS_REJECTED', 'CUSTOMS_REJECTED'],
  );
  const [first, second] = both.declarations.map((d) => d.declarationId);
  await correctDeclaration(s.env.client, order.orderId, { declarationId: first, merchantCustomsCode: 'MC-0002', ...OPERATOR });
  const st = await orderStatus(s.env.client, order.orderId);
  assert.equal(st.stuck?.code, 'CUSTOMS_REJECTED', 'the other part still waits for an operator');
  assert.deepEqual(
    st.stuckReasons!.map((r) => r.scope),
    [second],
  );
  await correctDeclaration(s.env.client, order.orderId, { declarationId: second, merchantCustomsCode: 'MC-0002', ...OPERATOR });
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(30 * SECOND));
  assert.equal(released.stuck, undefined);
});

test('a cancel is refused once customs holds the order document and the waybill', async () => {
  const order = sampleOrder({ buyer: freshBuyer(706) });
  await s.f.helpers.customsRules({ clearance: { orders: { [order.orderId]: { decision: 'RELEASE', afterMs: 60 * MINUTE } } } });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  await waitForStatus(s.env.client, order.orderId, 'documents filed', (x) => x.clearance.length === 1, s.skipping(10 * SECOND));
  await assert.rejects(cancelOrder(s.env.client, order.orderId, OPERATOR), /CANCEL_IN_CLEARANCE/);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(5 * MINUTE));
  assert.equal(released.refunds.length, 0);
});

test('a failure notification is confirmed by inquiryPayment: the payment stays open, and the buyer can still pay', async () => {
  const order = sampleOrder({ buyer: freshBuyer(707) });
  const checkout = await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  const { paymentId } = (await orderStatus(s.env.client, order.orderId)).payment;
  // An F notification that Alipay+'s own records do not bear out.
  await orderHandle(s.env.client, order.orderId).executeUpdate(paymentNotificationUpdate, {
    args: [
      {
        paymentRequestId: checkout.paymentRequestId,
        paymentId: paymentId!,
        resultStatus: 'F',
        resultCode: 'PAYMENT_FAIL',
        paymentAmountFen: order.totalFen,
      },
    ],
  });
  const waiting = await waitForStatus(
    s.env.client,
    order.orderId,
    'the payment open again',
    (x) => x.payment.status === 'PROCESSING',
    s.skipping(SECOND),
  );
  assert.equal(waiting.stage, 'AWAITING_PAYMENT');
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(released.payment.status, 'SUCCESS');
});

test('a notified payment that inquiryPayment still calls PROCESSING is asked about again, not refunded', async () => {
  const order = sampleOrder({ buyer: freshBuyer(708) });
  let lagging = 2;
  const readLag: ActivityStub = async (real, ...args) => {
    const r = (await real(...args)) as { status: string };
    if (r.status === 'SUCCESS' && lagging-- > 0) return { ...r, status: 'PROCESSING' };
    return r;
  };
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  s.stubs.set('inquirePayment', forOrder(order.orderId, readLag));
  try {
    await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
    await untilNotified(s.f.helpers, order.orderId);
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(10 * SECOND));
    assert.equal(lagging, -1, 'the lagging answers were given, then the true one');
    assert.equal(released.refunds.length, 0);
    assert.deepEqual((await s.f.helpers.ledgerOf(order.orderId)).refunds, []);
  } finally {
    s.stubs.delete('inquirePayment');
  }
});
