import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startOrder } from '../../client/orders';
import { payerOf, person, sampleOrder } from '../../dev/scenarios/orders';
import { reconcileToday } from '../../dev/scenarios/reconciliation';
import type { Stack } from '../../dev/stack';
import { waitForStatus } from '../../dev/scenarios/wait-for-status';
import { RECONCILIATION_SCHEDULE_ID } from '../../domain/reconciliation';
import { orderWorkflowId } from '../../domain/order';
import { ordersWithMoneyQuery } from '../../activities/reconciliation';
import { FAST_CUSTOMS, readLog, runCli, sleep, startE2EStack } from '../support/e2e';

// The daily reconciliation on the real product: the worker created its schedule, one run finds what was
// planted in the sandbox's file, the orders involved are listed by their search attribute, and the
// worker's metrics count the issues.

let stack: Stack;
before(async () => {
  stack = await startE2EStack('reconciliation');
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(() => stack?.stop());

async function paidOrder(seq: number) {
  const buyer = person(seq, `对账${seq}`);
  const order = sampleOrder({ buyer, prefix: 'E2E-REC-' });
  await startOrder(stack.client, order, { taskQueue: stack.taskQueue });
  await stack.helpers.pay(order.orderId, payerOf(buyer));
  await waitForStatus(stack.client, order.orderId, 'paid', (s) => s.payment.status === 'SUCCESS', { intervalMs: 250, timeoutMs: 60_000 });
  return order.orderId;
}

/** Waits (bounded) until visibility lists the orders among the day's orders with money, as the run will ask it. */
async function untilListed(orderIds: string[]) {
  const date = new Date(await stack.helpers.now()).toISOString().slice(0, 10);
  let listed = new Set<string>();
  for (let i = 0; i < 120 && !orderIds.every((id) => listed.has(orderWorkflowId(id))); i++) {
    if (i > 0) await sleep(250);
    listed = new Set();
    for await (const wf of stack.client.workflow.list({ query: ordersWithMoneyQuery(date) })) listed.add(wf.workflowId);
  }
  assert.ok(
    orderIds.every((id) => listed.has(orderWorkflowId(id))),
    `visibility lists ${[...listed].join(', ')} of ${orderIds.join(', ')}`,
  );
}

test(
  'the worker created the daily schedule; an operator lists it, pauses it and resumes it from the CLI',
  { timeout: 120_000 },
  async () => {
    // The worker creates it once it has connected, after the stack answers: wait for its log line.
    for (let i = 0; i < 120 && !readLog(stack, 'worker').includes('daily reconciliation schedule created'); i++) await sleep(250);
    const listed = await runCli(stack, ['reconciliation', 'schedule', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`schedule ${RECONCILIATION_SCHEDULE_ID}: ACTIVE`));
    assert.match(listed.stdout, /next run {3}\d{4}-\d\d-\d\dT02:00:00\.000Z/);

    const paused = await runCli(stack, ['reconciliation', 'schedule', 'pause', '--by', 'ops@merchant', '--reason', 'file late']);
    assert.equal(paused.code, 0, paused.stderr);
    const after = await runCli(stack, ['reconciliation', 'schedule', 'list']);
    assert.match(after.stdout, /PAUSED \(paused by ops@merchant: file late\)/);
    const resumed = await runCli(stack, ['reconciliation', 'schedule', 'unpause', '--by', 'ops@merchant', '--reason', 'file in']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match((await runCli(stack, ['reconciliation', 'schedule', 'list'])).stdout, /: ACTIVE/);
  },
);

test(
  'one reconciliation finds the planted mismatches; the orders involved are listed by ReconciliationIssue',
  { timeout: 300_000 },
  async () => {
    const fine = await paidOrder(701);
    const omitted = await paidOrder(702);
    // The run finds the day's orders through visibility, which indexes the paid status shortly after the order
    // sets it; in production the run comes hours later. Here it waits until both orders are listed.
    await untilListed([fine, omitted]);
    let stranger = '';
    const report = await reconcileToday(stack, async (files, date) => {
      stranger = await files.unknownPayment(date, 8_800);
      await files.omit(omitted);
    });
    assert.deepEqual(
      report.issues.map((i) => [i.code, i.transactionRequestId]).sort(),
      [
        ['PAYMENT_MISSING_FROM_FILE', omitted],
        ['PAYMENT_WITHOUT_ORDER', stranger],
      ].sort(),
    );
    assert.ok(!report.issues.some((i) => i.orderId === fine));
    assert.deepEqual(report.ordersFlagged, [omitted]);

    // Visibility is eventually consistent: the order's upsert shows in the list shortly after the signal.
    const query = `WorkflowType = 'orderWorkflow' AND ReconciliationIssue = 'PAYMENT_MISSING_FROM_FILE'`;
    let listed: string[] = [];
    for (let i = 0; i < 40 && !listed.includes(`order-${omitted}`); i++) {
      listed = [];
      for await (const wf of stack.client.workflow.list({ query })) listed.push(wf.workflowId);
      if (!listed.includes(`order-${omitted}`)) await sleep(250);
    }
    assert.deepEqual(listed, [`order-${omitted}`]);

    const metrics = await (await fetch(stack.metricsUrl, { signal: AbortSignal.timeout(10_000) })).text();
    const line = metrics.split('\n').find((l) => /alipay_reconciliation_issues\w*\{[^}]*code="PAYMENT_MISSING_FROM_FILE"/.test(l));
    assert.ok(
      line,
      `no alipay_reconciliation_issues counter for PAYMENT_MISSING_FROM_FILE in:\n${metrics
        .split('\n')
        .filter((l) => l.includes('alipay'))
        .join('\n')}`,
    );
    assert.equal(Number(line.split(' ').at(-1)), 1);
  },
);
