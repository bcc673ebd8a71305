import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIS } from '../../alipay-plus';
import { correctDeclaration, startOrder } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import type { OrderTimeouts } from '../../domain/order-api';
import { payerOf, sampleOrder, type Buyer } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// Branches of the order that end in a refund or leave the order stuck for an operator: customs
// refuses the clearance, nobody decides a manual review, clearance stalls, Alipay+ refuses a declare call.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Checks the order out and has its buyer pay it; customs rules for it are set before. */
async function checkOutAndPay(order: OrderInput, timeouts?: OrderTimeouts) {
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts });
  await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
}

test('customs sends the goods back abroad (700): the order ends REFUNDED and the payment is refunded in full', async () => {
  const order = sampleOrder({ buyer: freshBuyer(401) });
  await s.f.helpers.cebRules({
    orders: { [order.orderId]: { paths: [{ kind: 'RETURN_ABROAD', reason: 'goods do not match the order document' }], stepAfterMs: 0 } },
  });
  await checkOutAndPay(order);
  const st = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping());
  assert.match(
    st.outcome!.reason,
    /^CUSTOMS_RETURNED_ABROAD: customs sent the goods of .* back abroad: goods do not match the order document/,
  );
  assert.deepEqual(
    st.clearance.map((c) => c.status),
    ['REJECTED'],
  );
  assert.equal(st.refundableFen, 0);
  const { refunds } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    refunds.map((r) => r.amount.value),
    [String(order.totalFen)],
  );
});

test('a manual real-name review that nobody decides within 72 hours ends the order with a refund', async () => {
  const passport: Buyer = { fullName: 'JANE DOE', certificateType: 'PASSPORT', certificateNo: 'P40211987' };
  const order = sampleOrder({ buyer: passport });
  await checkOutAndPay(order);
  await waitForStage(s.env.client, order.orderId, 'REAL_NAME_REVIEW', s.skipping());
  const st = await waitForStage(s.env.client, order.orderId, 'REFUNDED', s.skipping(HOUR, 100));
  assert.equal(st.outcome!.reason, 'REAL_NAME_REVIEW_TIMEOUT: no review within 72 hours');
  assert.deepEqual(st.declarations, [], 'nothing reached customs');
  const { refunds, declarations } = await s.f.helpers.ledgerOf(order.orderId);
  assert.deepEqual(
    refunds.map((r) => r.amount.value),
    [String(order.totalFen)],
  );
  assert.deepEqual(declarations, []);
});

test('clearance past its deadline marks the order stuck with CLEARANCE_DEADLINE, and it unsticks once customs clears', async () => {
  const order = sampleOrder({ buyer: freshBuyer(402) });
  // Stored, then reviewed 90 minutes later, then released after 3 hours.
  await s.f.helpers.cebRules({ orders: { [order.orderId]: { paths: [{ kind: 'RELEASE' }], stepAfterMs: 90 * MINUTE } } });
  await checkOutAndPay(order, { customsReviewDeadlineMs: 48 * HOUR, clearanceDeadlineMs: HOUR });
  const stuck = await waitForStatus(
    s.env.client,
    order.orderId,
    'stuck in clearance',
    (x) => x.stuck?.code === 'CLEARANCE_DEADLINE',
    s.skipping(5 * MINUTE),
  );
  assert.equal(stuck.stage, 'CLEARANCE');
  assert.match(stuck.stuck!.reason, /^customs has not decided within 1 hours: .*inventory \(CEB621\) 120 /);
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(10 * MINUTE));
  assert.equal(released.stuck, undefined, 'released orders are not stuck');
});

test('Alipay+ refuses a declare call: the order is stuck with DECLARE_REFUSED until an operator corrects it', async () => {
  // The order retransmits 1 minute after its last call; the sandbox's Alipay+ keeps the documented
  // 5 minutes, so it refuses the changed retransmission with a final REPEAT_REQ_INCONSISTENT.
  const order = sampleOrder({ buyer: freshBuyer(403) });
  await s.f.helpers.customsRules({
    orders: {
      [order.orderId]: {
        outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code is not registered' }, { decision: 'ACCEPT' }],
        processingAfterMs: 0,
        decisionAfterMs: 0,
      },
    },
  });
  await checkOutAndPay(order, { customsReviewDeadlineMs: 48 * HOUR, clearanceDeadlineMs: 72 * HOUR, retransmitGapMs: MINUTE });
  const declarationId = `${order.orderId}-D1`;
  const rejected = (x: { declarations: { status: string }[] }) => x.declarations[0]?.status === 'AWAITING_CORRECTION';
  await waitForStatus(s.env.client, order.orderId, 'the customs rejection', rejected, s.skipping(10_000));
  const fix = { declarationId, operator: 'ops@merchant', reason: 'registered code is MC-0002' };
  await correctDeclaration(s.env.client, order.orderId, { ...fix, merchantCustomsCode: 'MC-0002' });

  const refused = await waitForStatus(
    s.env.client,
    order.orderId,
    'DECLARE_REFUSED',
    (x) => x.stuck?.code === 'DECLARE_REFUSED',
    s.skipping(10_000),
  );
  assert.equal(refused.declarations[0].status, 'AWAITING_CORRECTION');
  assert.equal(refused.declarations[0].lastResultCode, 'REPEAT_REQ_INCONSISTENT');
  assert.match(
    refused.stuck!.reason,
    new RegExp(`Alipay\\+ refused declaration ${declarationId} with REPEAT_REQ_INCONSISTENT .*an operator must correct it`),
  );
  assert.equal(refused.declarations[0].attempts, 1, 'a refused call is not an accepted attempt');

  // Once Alipay+'s 5 minutes have passed, the operator sends it again.
  await s.env.sleep(5 * MINUTE);
  await correctDeclaration(s.env.client, order.orderId, { ...fix, merchantCustomsName: 'Example Merchant Ltd' });
  const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  assert.equal(released.declarations[0].attempts, 2);
  assert.equal(released.declarations[0].status, 'ACCEPTED');
  const { declarations } = await s.f.helpers.ledgerOf(order.orderId);
  assert.equal(declarations.length, 1, 'one declaration, declared once and retransmitted once');
});

test('an Alipay+ call that keeps failing marks the order stuck with CALL_RETRYING while Temporal retries it, then unsticks it', async () => {
  const order = sampleOrder({ buyer: freshBuyer(404) });
  await s.f.helpers.customsRules({ orders: { [order.orderId]: { processingAfterMs: 0, decisionAfterMs: 0 } } });
  // 20 U answers in a row: with the activity's backoff (1 s doubling to 2 minutes) that is over half an hour.
  await s.f.helpers.faults({ next: [{ kind: 'U', count: 20, path: APIS.inquireDeclarationRequests.path }] });
  try {
    await checkOutAndPay(order);
    const retrying = await waitForStatus(
      s.env.client,
      order.orderId,
      'CALL_RETRYING',
      (x) => x.stuck?.code === 'CALL_RETRYING',
      s.skipping(MINUTE),
    );
    assert.equal(retrying.stage, 'CUSTOMS_REVIEW');
    assert.equal(retrying.stuck!.reason, 'Alipay+ inquireDeclarationRequests has not succeeded for 15 minutes; Temporal keeps retrying it');
    const released = await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping(MINUTE));
    assert.equal(released.stuck, undefined, 'the order unsticks once the call succeeds');
    const injected = (await s.f.helpers.ledger()).faultsInjected.filter((f) => f.path === APIS.inquireDeclarationRequests.path);
    assert.equal(injected.length, 20, 'every U was answered and retried');
  } finally {
    await s.f.helpers.faults({});
  }
});
