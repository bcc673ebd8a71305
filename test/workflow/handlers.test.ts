import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  OrderRefusedError,
  cancelOrder,
  correctCustomsDocument,
  correctDeclaration,
  orderHandle,
  orderStatus,
  requestRefund,
  resolveFailedRefund,
  startOrder,
} from '../../client/orders';
import { customsYear } from '../../domain/limits';
import type { OrderInput } from '../../domain/order';
import { refundNotificationUpdate, type OrderTimeouts } from '../../domain/order-api';
import { releaseQuotaUpdate, reserveQuotaUpdate, returnQuotaUpdate } from '../../domain/quota-api';
import { reconciliationFlagSignal, type ReconciliationFlag } from '../../domain/reconciliation';
import { RECONCILIATION_ISSUE } from '../../domain/search-attributes';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import type { CebRules, CustomsRules } from '../../sandbox/helper-client';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';
import { freshBuyer } from '../support/workflow-helpers';

// What operators, Alipay+ and the reconciliation send a running order, at the edges (issue 23): a late
// notification of a refund already decided, a flag carried across continue-as-new, malformed signals and
// updates, operator changes to an order being cancelled.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

const HOUR = 60 * 60_000;
const ops = { operator: 'ops@merchant', reason: 'issue 23' };
const refusedWith = (rule: string) => (e: unknown) => {
  assert.ok(e instanceof OrderRefusedError, String(e));
  assert.equal(e.rule, rule);
  return true;
};

type CebRule = NonNullable<CebRules['orders']>[string];
type ReviewRule = NonNullable<CustomsRules['orders']>[string];

async function paidOrder(seed: number, opts: { ceb?: CebRule; customs?: ReviewRule; timeouts?: OrderTimeouts } = {}) {
  const buyer = freshBuyer(seed);
  const order = sampleOrder({ buyer });
  if (opts.ceb) await s.f.helpers.cebRules({ orders: { [order.orderId]: opts.ceb } });
  if (opts.customs) await s.f.helpers.customsRules({ orders: { [order.orderId]: opts.customs } });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue, timeouts: opts.timeouts });
  await s.f.helpers.pay(order.orderId, payerOf(buyer));
  return order;
}

/** The order's workflow task failures in its current run: a poison input fails every task that replays it. */
async function taskFailures(orderId: string) {
  const history = await orderHandle(s.env.client, orderId).fetchHistory();
  return history
    .events!.filter((e) => e.workflowTaskFailedEventAttributes)
    .map((e) => e.workflowTaskFailedEventAttributes!.failure?.message);
}

/** The ReconciliationIssue search attribute once it shows `codes` (bounded, in real time: signals are asynchronous). */
async function reconciliationAttribute(orderId: string, codes: string[]): Promise<string[]> {
  let shown: string[] = [];
  for (let i = 0; i < 50; i++) {
    shown = [...((await orderHandle(s.env.client, orderId).describe()).typedSearchAttributes.get(RECONCILIATION_ISSUE) ?? [])];
    if (JSON.stringify(shown) === JSON.stringify(codes)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return shown;
}

const flag = (date: string, codes: ReconciliationFlag['codes']): ReconciliationFlag => ({
  date,
  codes,
  reconciliationId: `reconciliation-${date}`,
});

test('finding 5: a late FAIL notification of a refund an operator settled outside Alipay+ shows its reason and leaves the order unstuck', async () => {
  const order = await paidOrder(931);
  await waitForStage(s.env.client, order.orderId, 'RELEASED_FOR_DELIVERY', s.skipping());
  const r1 = `${order.orderId}-R1`;
  // No notifyRefund reaches the order (until the test sends the late one): it learns the failure from
  // inquiryRefund, which knows no reason.
  await s.f.helpers.faults({ dropNotificationRate: 1 });
  try {
    await s.f.helpers.failRefund(r1, { resultCode: 'REFUND_FAILED', resultMessage: "the buyer's account is closed" });
    const accepted = await requestRefund(s.env.client, order.orderId, {
      amountFen: 1_000,
      reason: 'dented',
      requestedBy: 'support@merchant',
    });
    assert.equal(accepted.status, 'PROCESSING');
    const stuck = await waitForStatus(
      s.env.client,
      order.orderId,
      'stuck on the failed refund',
      (x) => x.stuck?.code === 'REFUND_FAILED',
      s.skipping(HOUR, 24 * 3),
    );
    assert.equal(stuck.refunds[0].learnedFrom, 'INQUIRY');
    await resolveFailedRefund(s.env.client, order.orderId, {
      action: 'SETTLED_OUTSIDE_ALIPAY',
      operator: 'ops@merchant',
      reason: 'paid back by bank transfer',
    });
    const resolved = await waitForStatus(s.env.client, order.orderId, 'the decision taken', (x) => x.stuck === undefined, s.skipping());
    assert.deepEqual(
      resolved.refunds.map((r) => r.status),
      ['FAILED', 'SETTLED_OUTSIDE_ALIPAY'],
    );
    // Alipay+'s notifyRefund for R1 comes days late, with the reason the inquiry did not know.
    await orderHandle(s.env.client, order.orderId).executeUpdate(refundNotificationUpdate, {
      args: [
        {
          refundRequestId: r1,
          refundId: resolved.refunds[0].refundId!,
          refundStatus: 'FAIL',
          resultCode: 'REFUND_FAILED',
          resultMessage: "the buyer's account is closed",
          refundAmountFen: 1_000,
        },
      ],
    });
  } finally {
    await s.f.helpers.faults({});
  }
  const after = await orderStatus(s.env.client, order.orderId);
  assert.equal(after.refunds[0].failure, "REFUND_FAILED: the buyer's account is closed", 'the reason is shown');
  assert.equal(after.stuck?.code, undefined, 'the decision made stands: nothing for an operator to do');
  await assert.rejects(resolveFailedRefund(s.env.client, order.orderId, { action: 'RETRY', ...ops }), refusedWith('NO_FAILED_REFUND'));
});

test('finding 9: a flagged order keeps its reconciliation flags and ReconciliationIssue across continue-as-new', async () => {
  const timeouts: OrderTimeouts = { customsReviewDeadlineMs: 4 * 24 * HOUR, clearanceDeadlineMs: HOUR, continueAsNewAfterEvents: 60 };
  const order = await paidOrder(932, { customs: { processingAfterMs: 0, decisionAfterMs: 2 * 24 * HOUR }, timeouts });
  await waitForStage(s.env.client, order.orderId, 'CUSTOMS_REVIEW', s.skipping());
  const firstRun = (await orderHandle(s.env.client, order.orderId).describe()).runId;
  await orderHandle(s.env.client, order.orderId).signal(reconciliationFlagSignal, flag('2026-01-05', ['AMOUNT_MISMATCH']));
  assert.deepEqual(await reconciliationAttribute(order.orderId, ['AMOUNT_MISMATCH']), ['AMOUNT_MISMATCH']);
  for (let i = 0; i < 200 && (await orderHandle(s.env.client, order.orderId).describe()).runId === firstRun; i++) await s.env.sleep(HOUR);
  assert.notEqual((await orderHandle(s.env.client, order.orderId).describe()).runId, firstRun, 'continued as new');

  assert.deepEqual(await reconciliationAttribute(order.orderId, ['AMOUNT_MISMATCH']), ['AMOUNT_MISMATCH'], 'the attribute stays');
  const next = await orderStatus(s.env.client, order.orderId);
  assert.deepEqual(
    next.reconciliation?.map((f) => [f.date, f.codes]),
    [['2026-01-05', ['AMOUNT_MISMATCH']]],
    'the flag came along',
  );
  // A flag of another day adds to the one carried, in the status and in the attribute.
  await orderHandle(s.env.client, order.orderId).signal(reconciliationFlagSignal, flag('2026-01-06', ['REFUND_STATUS_MISMATCH']));
  assert.deepEqual(await reconciliationAttribute(order.orderId, ['AMOUNT_MISMATCH', 'REFUND_STATUS_MISMATCH']), [
    'AMOUNT_MISMATCH',
    'REFUND_STATUS_MISMATCH',
  ]);
});

test('finding 10: malformed reconciliation signals are ignored without failing a workflow task; a good one after them is taken', async () => {
  const buyer = freshBuyer(933);
  const order = sampleOrder({ buyer });
  await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
  const handle = orderHandle(s.env.client, order.orderId);
  const send = (arg: unknown) => handle.signal(reconciliationFlagSignal, arg as ReconciliationFlag);
  for (const bad of [
    null,
    7,
    [],
    { date: 1, codes: [] },
    { date: '2026-01-05', codes: 'AMOUNT_MISMATCH' },
    { date: '2026-01-05', codes: [{}], reconciliationId: 'r' },
  ]) {
    await send(bad);
  }
  await send(flag('2026-01-05', ['PAYMENT_MISSING_FROM_FILE']));
  assert.deepEqual(await reconciliationAttribute(order.orderId, ['PAYMENT_MISSING_FROM_FILE']), ['PAYMENT_MISSING_FROM_FILE']);
  const st = await orderStatus(s.env.client, order.orderId);
  assert.deepEqual(
    st.reconciliation?.map((f) => f.codes),
    [['PAYMENT_MISSING_FROM_FILE']],
  );
  assert.deepEqual(await taskFailures(order.orderId), [], 'no workflow task failed');
});

test('finding 10: the quota entity refuses an update that names no order by rule, not with a TypeError', async () => {
  const handle = await s.env.client.workflow.start('buyerQuotaWorkflow', {
    taskQueue: s.quotaTaskQueue,
    workflowId: 'quota-handlers-test',
    args: [{ buyerKey: 'handlers-test', year: customsYear(await s.env.currentTimeMs()), limitFen: 2_600_000, orders: {} }],
  });
  const ruleOf = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return 'accepted';
    } catch (e) {
      const cause = e instanceof WorkflowUpdateFailedError ? e.cause : e;
      return cause instanceof ApplicationFailure ? cause.type : String(e);
    }
  };
  const rules = [
    await ruleOf(() => handle.executeUpdate(reserveQuotaUpdate, { args: [null as never] })),
    await ruleOf(() => handle.executeUpdate(releaseQuotaUpdate, { args: [null as never] })),
    await ruleOf(() => handle.executeUpdate(returnQuotaUpdate, { args: [null as never] })),
    await ruleOf(() => handle.executeUpdate(releaseQuotaUpdate, { args: [{ orderId: '__proto__' }] })),
    await ruleOf(() => handle.executeUpdate(reserveQuotaUpdate, { args: [{ orderId: 'constructor', amountFen: 100 }] })),
  ];
  assert.deepEqual(rules, ['INVALID_RESERVATION', 'INVALID_RESERVATION', 'INVALID_RETURN', 'INVALID_RESERVATION', 'INVALID_RESERVATION']);
  assert.deepEqual(
    await ruleOf(() => handle.executeUpdate(reserveQuotaUpdate, { args: [{ orderId: 'HT-1', amountFen: 100 }] })),
    'accepted',
  );
  await handle.terminate('test over');
});

test('finding 11: a customs correction is refused once the order is being cancelled, by CANCEL_PENDING', async () => {
  const order = await paidOrder(934, {
    ceb: { paths: [{ kind: 'REJECT', reason: 'gcode of line 1 does not match the goods' }, { kind: 'RELEASE' }] },
    customs: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 2_000, decisionAfterMs: 5_000 },
  });
  await waitForStatus(
    s.env.client,
    order.orderId,
    'a refused document',
    (x) => x.stuck?.code === 'CUSTOMS_DOCUMENT_REJECTED',
    s.skipping(),
  );
  const cancelling = await cancelOrder(s.env.client, order.orderId, { operator: 'ops', reason: 'customs will not take it' });
  assert.equal(cancelling.stage, 'COMPENSATING');
  await assert.rejects(
    correctCustomsDocument(s.env.client, order.orderId, { orderNo: order.orderId, ...ops }),
    refusedWith('CANCEL_PENDING'),
  );
  const ended = await orderHandle(s.env.client, order.orderId).result();
  assert.equal(ended.customs![0].corrections.length, 0, 'nothing was filed again');
});

test('finding 11: a declaration correction is refused once the order is being cancelled, by CANCEL_PENDING', async () => {
  const order: OrderInput = await paidOrder(935, {
    customs: {
      outcomes: [{ decision: 'REJECT', code: '100', description: 'merchant customs code is not registered' }],
      processingAfterMs: 10_000,
      decisionAfterMs: 60_000,
    },
  });
  await waitForStatus(
    s.env.client,
    order.orderId,
    'awaiting correction',
    (x) => x.declarations[0]?.status === 'AWAITING_CORRECTION',
    s.skipping(10_000),
  );
  await cancelOrder(s.env.client, order.orderId, { operator: 'ops', reason: 'the buyer gave up' });
  await assert.rejects(
    correctDeclaration(s.env.client, order.orderId, { declarationId: `${order.orderId}-D1`, merchantCustomsCode: 'MC-2', ...ops }),
    refusedWith('CANCEL_PENDING'),
  );
});
