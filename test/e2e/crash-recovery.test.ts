import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import type { google } from '@temporalio/proto';
import { orderStatus, requestRefund, startOrder } from '../../client/orders';
import type { Stack } from '../../dev/stack';
import type { Stage } from '../../domain/order-api';
import { orderWorkflowId } from '../../domain/order';
import { payerOf, sampleOrder } from '../../dev/scenarios/orders';
import { waitForStage, waitForStatus } from '../../dev/scenarios/wait-for-status';
import { CUSTOMS_TIMEOUTS, FAST_CUSTOMS, assertLogsFreeOfPii, queryStatus, sleep, startE2EStack } from '../support/e2e';
import { calledActivity } from '../support/history';
import { freshBuyer } from '../support/workflow-helpers';

// The worker process killed with SIGKILL in the middle of an order, then started again: Temporal
// replays the order's history on the new process, and Alipay+ sees each effect exactly once.

const DECLARE_PATH = '/aps/api/v1/customs/declare';

let stack: Stack;
const buyers: { fullName: string; certificateNo: string }[] = [];

before(async () => {
  stack = await startE2EStack('crash');
  await stack.helpers.customsRules(FAST_CUSTOMS);
});
after(async () => {
  await stack?.stop();
});

const tsMs = (t: google.protobuf.ITimestamp) => Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);

/** The ledger shows one payment and one declaration for the order, declared by one FIRST call and never retransmitted. */
async function assertEachEffectOnce(orderId: string) {
  const l = await stack.helpers.ledgerOf(orderId);
  assert.equal(l.payments.length, 1, `exactly one payment: ${JSON.stringify(l.payments)}`);
  assert.equal(l.payments[0].status, 'SUCCESS');
  assert.equal(l.declarations.length, 1, `exactly one declaration: ${JSON.stringify(l.declarations)}`);
  const d = l.declarations[0];
  assert.equal(d.customsDeclarationRequestId, `${orderId}-D1`);
  const kinds = d.calls.map((c) => c.kind);
  assert.equal(kinds.filter((k) => k === 'FIRST').length, 1, `one FIRST declare call: ${kinds.join(', ')}`);
  assert.equal(kinds.filter((k) => k === 'RETRANSMISSION').length, 0, `no retransmission: ${kinds.join(', ')}`);
  assert.equal(d.reviews, 1, 'customs reviewed the declaration once');
  assert.equal(l.refunds.length, 0, 'nothing was refunded');
  return { kinds, declaration: d };
}

test(
  'SIGKILL during the customs review: the restarted worker finishes the order, one payment, one declaration; refunds after more kills are made once',
  { timeout: 360_000 },
  async () => {
    const buyer = freshBuyer();
    const order = sampleOrder({ buyer });
    buyers.push(buyer);
    await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
    await stack.helpers.pay(order.orderId, payerOf(buyer));
    const reviewing = await waitForStage(stack.client, order.orderId, 'CUSTOMS_REVIEW', {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    assert.equal(reviewing.declarations[0]?.attempts, 1, 'the declaration was sent before the kill');

    await stack.stopWorker('SIGKILL');
    await sleep(3_000);
    // While the worker is down, nothing answers for the order.
    await assert.rejects(queryStatus(stack, order.orderId, 2_000), 'a query is answered with no worker running');
    await stack.startWorker();

    const released = await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY', { timeoutMs: 240_000 });
    assert.equal(released.declarations.length, 1);
    assert.equal(released.declarations[0].attempts, 1);
    assert.equal(released.declarations[0].status, 'ACCEPTED');
    assert.equal(released.payment.learnedFrom, 'NOTIFICATION');

    const { kinds } = await assertEachEffectOnce(order.orderId);
    assert.deepEqual(kinds, ['FIRST'], 'the declaration was never sent again');

    // A refund after each of two more kills: each is made once, with its own request id.
    for (const [amountFen, reason] of [
      [1_000, 'gift wrap missing'],
      [2_000, 'late'],
    ] as const) {
      await stack.stopWorker('SIGKILL');
      await stack.startWorker();
      await requestRefund(stack.client, order.orderId, { amountFen, reason, requestedBy: 'support' });
    }
    assert.deepEqual(
      (await stack.helpers.ledgerOf(order.orderId)).refunds.map((r) => [r.refundRequestId, r.amount.value]),
      [
        [`${order.orderId}-R1`, '1000'],
        [`${order.orderId}-R2`, '2000'],
      ],
    );
  },
);

test(
  'SIGKILL while the declare call is in flight: the retry is an idempotent repeat, never a second declaration',
  { timeout: 360_000 },
  async (t) => {
    const buyer = freshBuyer();
    const order = sampleOrder({ buyer });
    buyers.push(buyer);
    await startOrder(stack.client, order, { taskQueue: stack.taskQueue, timeouts: CUSTOMS_TIMEOUTS });
    // Slow the declare call down so the worker dies while it is on the wire.
    await stack.helpers.faults({ latencyMs: 3_000, paths: [DECLARE_PATH] });
    try {
      await stack.helpers.pay(order.orderId, payerOf(buyer));

      const afterDeclaring: Stage[] = [
        'DECLARING',
        'CUSTOMS_REVIEW',
        'CLEARANCE',
        'RELEASED_FOR_DELIVERY',
        'COMPENSATING',
        'REFUNDED',
        'FAILED',
      ];
      const declaring = await waitForStatus(stack.client, order.orderId, 'DECLARING or later', (st) => afterDeclaring.includes(st.stage), {
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      if (declaring.stage === 'DECLARING') await sleep(1_000);
      else t.diagnostic(`the order was already ${declaring.stage} when first seen; the kill lands there instead`);

      await stack.stopWorker('SIGKILL');
      const atKill = await stack.helpers.ledgerOf(order.orderId);
      t.diagnostic(`killed at stage ${declaring.stage}; declarations in the ledger at the kill: ${atKill.declarations.length}`);
      await sleep(3_000);
      await stack.startWorker();
    } finally {
      await stack.helpers.faults({});
    }

    const released = await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY', { timeoutMs: 240_000 });
    assert.equal(released.declarations.length, 1);
    assert.equal(released.declarations[0].status, 'ACCEPTED');
    const { kinds } = await assertEachEffectOnce(order.orderId);
    t.diagnostic(`declare calls in the ledger: ${kinds.join(', ')}`);
    assert.ok(
      kinds.every((k) => k === 'FIRST' || k === 'IDEMPOTENT_REPEAT'),
      `only the first call and idempotent repeats of it: ${kinds.join(', ')}`,
    );
  },
);

/** The review's first poll gap when the order does not shorten it: the kill and the queries land well before it. */
const REVIEW_POLL_MS = 30_000;

test(
  'a status query that reaches a new worker as the customs poll timer fires: the order polls, and its history replays',
  { timeout: 360_000 },
  async (t) => {
    const buyer = freshBuyer();
    const order = sampleOrder({ buyer });
    buyers.push(buyer);
    // The review's first poll timer fires REVIEW_POLL_MS after the declaration, while the worker is down.
    await startOrder(stack.client, order, {
      taskQueue: stack.taskQueue,
      timeouts: { ...CUSTOMS_TIMEOUTS, customsPollGapMs: REVIEW_POLL_MS },
    });
    await stack.helpers.pay(order.orderId, payerOf(buyer));
    await waitForStage(stack.client, order.orderId, 'CUSTOMS_REVIEW', { timeoutMs: 60_000, intervalMs: 200 });
    const reviewFrom = Date.now();
    await sleep(1_000);

    // The query is sent while no worker runs and waits for one; the review's first poll timer
    // fires meanwhile. The new worker then answers the query on a cold cache, from a history that ends
    // with the fired timer: the SDK applies that timer at the last task's timestamp (test/fixtures/nondeterminism/).
    // The server refuses a query at once when it has seen no poller for a while, so one is sent every
    // second: those accepted wait for the new worker.
    await stack.stopWorker('SIGKILL');
    const queries: Promise<string>[] = [];
    while (Date.now() < reviewFrom + REVIEW_POLL_MS + 6_000) {
      queries.push(
        stack.client
          .withDeadline(Date.now() + 120_000, () => orderStatus(stack.client, order.orderId))
          .then(
            (st) => st.stage,
            () => 'refused',
          ),
      );
      await sleep(1_000);
    }
    await stack.startWorker();
    const stages = await Promise.all(queries);
    t.diagnostic(`queries sent while the worker was down: ${stages.join(', ')}`);
    assert.ok(stages.includes('CUSTOMS_REVIEW'), 'at least one query waited for the new worker');

    await waitForStage(stack.client, order.orderId, 'RELEASED_FOR_DELIVERY', { timeoutMs: 240_000 });
    const history = await stack.client.workflow.getHandle(orderWorkflowId(order.orderId)).fetchHistory();
    const events = history.events ?? [];
    const fired = events.findIndex(
      (e) => e.timerFiredEventAttributes && e.eventTime && tsMs(e.eventTime) >= reviewFrom + REVIEW_POLL_MS - 5_000,
    );
    assert.ok(fired > 0, "the review's poll timer fired while the worker was down");
    const next = events.slice(fired).find((e) => calledActivity(e) || e.timerStartedEventAttributes);
    assert.equal(
      (next && calledActivity(next)) ?? `a ${next?.timerStartedEventAttributes ? 'timer' : 'missing event'}`,
      'inquireDeclarations',
      'after its poll timer fired, the order polled customs rather than waiting again',
    );
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../workflows'), dataConverter: stack.dataConverter },
      history,
      order.orderId,
    );
  },
);

test('logs: the killed and restarted workers wrote no buyer name or ID number', () => {
  assertLogsFreeOfPii(stack, buyers);
});
