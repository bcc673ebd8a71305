import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { quotaActivities } from '../../activities/quota';
import { customsYear } from '../../domain/limits';
import {
  CLOSE_NOT_COMMITTED,
  COMMIT_AMOUNT_CHANGED,
  COMMIT_EXCEEDS_HOLD,
  HOLD_CLOSED,
  QUOTA_ENTITY_CLOSED,
  QUOTA_EXCEEDED,
  RETURN_EXCEEDS_COMMITTED,
  RETURN_NOT_COMMITTED,
  quotaUsageQuery,
  quotaWorkflowId,
  type QuotaUsage,
} from '../../domain/quota-api';
import type { buyerQuotaWorkflow } from '../../workflows/quota';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';

// The quota entity driven directly through its activities: an unpaid reservation with `holdUntil` stops
// counting once that time passes; a paid one counts until committed or released.

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

let s: WorkflowStack;
let quota: ReturnType<typeof quotaActivities>;
before(async () => {
  // With a cache, as lean orders' local activities need (happy-path.test.ts); the replay test replays the entity.
  s = await startWorkflowStack();
  // A low cadence, so the entity continues as new several times within each test.
  quota = quotaActivities({
    temporal: s.env.client,
    quotaTaskQueue: s.quotaTaskQueue,
    buyerKeySecret: 'test-secret',
    quotaUpdatesPerRun: 3,
  });
});
after(() => s?.close());

/** A buyer of their own, in the customs year of the test server's clock, with helpers bound to them. */
async function buyer() {
  const buyerKey = randomUUID().replaceAll('-', '');
  const now = await s.env.currentTimeMs();
  const year = customsYear(now);
  const order = (orderId: string) => ({ buyerKey, year, orderId });
  return {
    now,
    year,
    reserve: (orderId: string, amountFen: number, holdUntil?: number) => quota.reserveQuota({ ...order(orderId), amountFen, holdUntil }),
    markPaid: (orderId: string, amountFen: number) => quota.markQuotaPaid({ ...order(orderId), amountFen }),
    commit: (orderId: string, amountFen?: number, untilClosed?: boolean) =>
      quota.commitQuota({ ...order(orderId), amountFen, untilClosed }),
    close: (orderId: string) => quota.closeQuotaHold(order(orderId)),
    handle: () => s.env.client.workflow.getHandle<typeof buyerQuotaWorkflow>(quotaWorkflowId(buyerKey, year)),
    release: (orderId: string) => quota.releaseQuota(order(orderId)),
    giveBack: (orderId: string, returnId: string, amountFen: number) => quota.returnQuota({ ...order(orderId), returnId, amountFen }),
    usage: () => s.env.client.workflow.getHandle(quotaWorkflowId(buyerKey, year)).query(quotaUsageQuery),
  };
}

const refusedBy =
  (type: string, ...figures: string[]) =>
  (e: unknown) => {
    assert.ok(e instanceof ApplicationFailure, String(e));
    assert.equal(e.type, type);
    assert.equal(e.nonRetryable, true);
    if (type === QUOTA_EXCEEDED) assert.match(e.message, new RegExp(`^${QUOTA_EXCEEDED}:`));
    for (const f of figures) assert.ok(e.message.includes(f), `${e.message} names ${f}`);
    return true;
  };

/** Bounded in real time: the entity's own timer removes lapsed reservations, in a workflow task of its own. */
async function until(b: { usage(): Promise<QuotaUsage> }, done: (u: QuotaUsage) => boolean): Promise<QuotaUsage> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const u = await b.usage();
    if (done(u) || Date.now() > deadline) return u;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an unpaid reservation stops counting once its holdUntil passes, and another order can take the room', async () => {
  const b = await buyer();
  const held = await b.reserve('A', 2_000_000, b.now + 2 * HOUR);
  assert.equal(held.reservedFen, 2_000_000);
  assert.equal(held.unpaidFen, 2_000_000);
  await assert.rejects(b.reserve('B', 1_000_000), refusedBy(QUOTA_EXCEEDED));

  await s.env.sleep(3 * HOUR);
  // The entity woke at holdUntil and removed the lapsed reservation from its state.
  const lapsed = await until(b, (u) => u.reservedFen === 0 && u.lapsedFen === 0);
  assert.deepEqual([lapsed.reservedFen, lapsed.lapsedFen, lapsed.remainingFen], [0, 0, 2_600_000]);
  const taken = await b.reserve('B', 1_000_000);
  assert.deepEqual([taken.reservedFen, taken.unpaidFen, taken.remainingFen], [1_000_000, 0, 1_600_000]);
  // The lapsed order's release, when it ends, changes nothing.
  assert.equal((await b.release('A')).reservedFen, 1_000_000);
});

test('a reservation marked paid before its holdUntil keeps counting after it', async () => {
  const b = await buyer();
  await b.reserve('A', 2_000_000, b.now + 2 * HOUR);
  const paid = await b.markPaid('A', 2_000_000);
  assert.deepEqual([paid.reservedFen, paid.unpaidFen], [2_000_000, 0]);
  await s.env.sleep(3 * HOUR);
  await assert.rejects(b.reserve('B', 1_000_000), refusedBy(QUOTA_EXCEEDED, '6,000.00 CNY is left'));
  // Marking it paid again changes nothing; then it is committed.
  assert.equal((await b.markPaid('A', 2_000_000)).reservedFen, 2_000_000);
  const committed = await b.commit('A');
  assert.deepEqual([committed.reservedFen, committed.committedFen], [0, 2_000_000]);
  assert.equal((await b.markPaid('A', 2_000_000)).committedFen, 2_000_000);
});

test('markPaid after the reservation lapsed holds it again when the quota has room', async () => {
  const b = await buyer();
  await b.reserve('A', 2_000_000, b.now + 2 * HOUR);
  await s.env.sleep(3 * HOUR);
  await until(b, (u) => u.reservedFen === 0);
  const again = await b.markPaid('A', 2_000_000);
  assert.deepEqual([again.reservedFen, again.unpaidFen, again.remainingFen], [2_000_000, 0, 600_000]);
  assert.equal((await b.markPaid('A', 2_000_000)).reservedFen, 2_000_000, 'idempotent');
  await assert.rejects(b.reserve('B', 1_000_000), refusedBy(QUOTA_EXCEEDED));
  assert.equal((await b.commit('A')).committedFen, 2_000_000);
});

test('markPaid after the reservation lapsed is refused with QUOTA_EXCEEDED when another order took the room', async () => {
  const b = await buyer();
  await b.reserve('A', 2_000_000, b.now + 2 * HOUR);
  await s.env.sleep(3 * HOUR);
  await b.reserve('B', 1_000_000);
  await assert.rejects(
    b.markPaid('A', 2_000_000),
    refusedBy(QUOTA_EXCEEDED, '26,000.00 CNY', '10,000.00 CNY is used', '16,000.00 CNY is left', '20,000.00 CNY'),
  );
  await assert.rejects(b.markPaid('A', 2_000_000), refusedBy(QUOTA_EXCEEDED), 'refused again when repeated');
  const u = await b.usage();
  assert.deepEqual([u.reservedFen, u.committedFen], [1_000_000, 0]);
  // The order refunds and releases; nothing changes.
  assert.equal((await b.release('A')).reservedFen, 1_000_000);
});

test('a commit of a lapsed unpaid reservation holds it again if there is room, and is refused if not', async () => {
  const b = await buyer();
  await b.reserve('A', 1_000_000, b.now + 2 * HOUR);
  await b.reserve('B', 1_000_000, b.now + 2 * HOUR);
  await s.env.sleep(3 * HOUR);
  await until(b, (u) => u.reservedFen === 0 && u.lapsedFen === 0);
  // The entity removed both; a commit that names the amount holds it again, as markPaid would.
  assert.equal((await b.commit('A', 1_000_000)).committedFen, 1_000_000);
  await b.reserve('C', 1_600_000);
  await assert.rejects(b.commit('B', 1_000_000), refusedBy(QUOTA_EXCEEDED, '0.00 CNY is left'));
  await assert.rejects(b.commit('B'), refusedBy('UNKNOWN_RESERVATION', 'lapsed'));
  const u = await b.usage();
  assert.deepEqual([u.committedFen, u.reservedFen], [1_000_000, 1_600_000]);
});

test('a reservation without holdUntil, as orders started before it made, never lapses', async () => {
  const b = await buyer();
  await b.reserve('A', 2_600_000);
  await s.env.sleep(8 * DAY);
  await assert.rejects(b.reserve('B', 1), refusedBy(QUOTA_EXCEEDED, '0.00 CNY is left'));
  const u = await b.usage();
  assert.deepEqual([u.reservedFen, u.unpaidFen, u.lapsedFen], [2_600_000, 0, 0]);
});

test('holdUntil and paid carry across continue-as-new', async () => {
  const b = await buyer();
  await b.reserve('PAID', 500_000, b.now + 2 * HOUR);
  await b.reserve('SOON', 500_000, b.now + 2 * HOUR);
  await b.reserve('LATER', 500_000, b.now + 5 * HOUR);
  await b.markPaid('PAID', 500_000);
  await b.reserve('OLD', 500_000);
  const before = await b.usage();
  assert.ok(before.renewals >= 1, `expected the entity to continue as new, renewals=${before.renewals}`);
  assert.deepEqual([before.reservedFen, before.unpaidFen], [2_000_000, 1_000_000]);

  await s.env.sleep(3 * HOUR);
  const soonLapsed = await until(b, (u) => u.reservedFen === 1_500_000 && u.lapsedFen === 0);
  assert.deepEqual([soonLapsed.reservedFen, soonLapsed.unpaidFen, soonLapsed.lapsedFen], [1_500_000, 500_000, 0]);
  await b.reserve('X', 1_000_000);
  await b.reserve('Y', 100_000);

  await s.env.sleep(3 * HOUR);
  const laterLapsed = await until(b, (u) => u.reservedFen === 2_100_000 && u.lapsedFen === 0);
  assert.deepEqual([laterLapsed.reservedFen, laterLapsed.unpaidFen], [2_100_000, 0]);
  assert.ok(laterLapsed.renewals > before.renewals, `renewals ${before.renewals} -> ${laterLapsed.renewals}`);
  assert.equal((await b.commit('PAID')).committedFen, 500_000);
});

test('a reservation whose holdUntil is not a whole epoch-millisecond time in the future is refused', async () => {
  const b = await buyer();
  await assert.rejects(b.reserve('A', 100_000, b.now - HOUR), refusedBy('INVALID_RESERVATION', 'holdUntil'));
  await assert.rejects(b.reserve('B', 100_000, b.now + 0.5), refusedBy('INVALID_RESERVATION', 'holdUntil'));
});

// Returns: goods of a released (committed) order returned within 30 days give its share of the quota back.

test('a return of a committed order gives its amount back, and another order can take the room', async () => {
  const b = await buyer();
  await b.reserve('A', 2_000_000);
  await b.commit('A');
  await assert.rejects(b.reserve('B', 1_000_000), refusedBy(QUOTA_EXCEEDED, '6,000.00 CNY is left'));
  const back = await b.giveBack('A', 'A-RET1', 800_000);
  assert.deepEqual([back.committedFen, back.returnedFen, back.remainingFen], [1_200_000, 800_000, 1_400_000]);
  assert.equal((await b.reserve('B', 1_000_000)).remainingFen, 400_000);
  // A second return of the same order, up to what it still counts.
  const all = await b.giveBack('A', 'A-RET2', 1_200_000);
  assert.deepEqual([all.committedFen, all.returnedFen, all.reservedFen], [0, 2_000_000, 1_000_000]);
});

test('the same returnId twice counts once, across continue-as-new and a repeated commit', async () => {
  const b = await buyer();
  await b.reserve('A', 1_000_000);
  await b.commit('A');
  const first = await b.giveBack('A', 'A-RET1', 300_000);
  const again = await b.giveBack('A', 'A-RET1', 300_000);
  // The same usage (the entity may have continued as new in between, with its updatesPerRun of 3).
  assert.deepEqual({ ...again, renewals: 0 }, { ...first, renewals: 0 });
  await b.commit('A'); // a retried commit keeps the return
  for (const id of ['X', 'Y', 'Z']) await b.reserve(id, 100);
  const later = await b.giveBack('A', 'A-RET1', 300_000);
  assert.ok(later.renewals > first.renewals, `renewals ${first.renewals} -> ${later.renewals}`);
  assert.deepEqual([later.committedFen, later.returnedFen], [700_000, 300_000]);
  await assert.rejects(b.giveBack('A', 'A-RET1', 200_000), refusedBy('INVALID_RETURN', 'A-RET1', '3,000.00 CNY'));
});

test('a return over what the order still counts is refused, and changes nothing', async () => {
  const b = await buyer();
  await b.reserve('A', 1_000_000);
  await b.commit('A');
  await b.giveBack('A', 'A-RET1', 600_000);
  await assert.rejects(b.giveBack('A', 'A-RET2', 400_001), refusedBy(RETURN_EXCEEDS_COMMITTED, '4,000.00 CNY', '4,000.01 CNY'));
  await assert.rejects(b.giveBack('A', 'A-RET3', 0), refusedBy('INVALID_RETURN', 'amountFen'));
  const u = await b.usage();
  assert.deepEqual([u.committedFen, u.returnedFen], [400_000, 600_000]);
});

test('a return of an order whose quota is not committed is refused', async () => {
  const b = await buyer();
  await b.reserve('A', 1_000_000);
  await assert.rejects(b.giveBack('A', 'A-RET1', 100_000), refusedBy(RETURN_NOT_COMMITTED, 'order A', 'not released'));
  await assert.rejects(b.giveBack('NEVER', 'N-RET1', 100_000), refusedBy(RETURN_NOT_COMMITTED, 'order NEVER'));
  await b.release('A');
  await assert.rejects(b.giveBack('A', 'A-RET1', 100_000), refusedBy(RETURN_NOT_COMMITTED));
  const u = await b.usage();
  assert.deepEqual([u.reservedFen, u.committedFen, u.returnedFen], [0, 0, 0]);
});

// A split order commits only the parts the buyer kept: less than it holds, never more (issue 23).

test('a commit may name less than the order holds; more is refused by rule; the same commit again changes nothing', async () => {
  const b = await buyer();
  await b.reserve('A', 1_000_000);
  const kept = await b.commit('A', 600_000);
  assert.deepEqual([kept.committedFen, kept.reservedFen, kept.remainingFen], [600_000, 0, 2_000_000]);
  assert.deepEqual(await b.commit('A', 600_000).then((u) => [u.committedFen, u.remainingFen]), [600_000, 2_000_000], 'idempotent');
  assert.equal((await b.commit('A')).committedFen, 600_000, 'a commit without an amount takes the committed one');
  await assert.rejects(b.commit('A', 1_000_000), refusedBy(COMMIT_AMOUNT_CHANGED, '6,000.00 CNY', '10,000.00 CNY'));
  await b.reserve('B', 500_000);
  await assert.rejects(b.commit('B', 500_001), refusedBy(COMMIT_EXCEEDS_HOLD, '5,000.00 CNY', '5,000.01 CNY'));
  // Returns count against what was committed.
  await assert.rejects(b.giveBack('A', 'A-RET1', 600_001), refusedBy(RETURN_EXCEEDS_COMMITTED, '6,000.00 CNY'));
  const back = await b.giveBack('A', 'A-RET1', 200_000);
  assert.deepEqual([back.committedFen, back.returnedFen, back.reservedFen], [400_000, 200_000, 500_000]);
  assert.equal((await b.commit('A', 600_000)).committedFen, 400_000, 'the same commit again keeps the return');
  assert.equal((await b.markPaid('A', 1_000_000)).committedFen, 400_000, 'markPaid of a committed order changes nothing');
});

// The entity answers for as long as any order may still commit or give back (issue 23, finding 2).

/** Skips the test server's clock to `at` (no-op when it is past). */
async function skipTo(at: number) {
  const now = await s.env.currentTimeMs();
  if (at > now) await s.env.sleep(at - now);
}

/** The entity's status once it is no longer running, waiting in real time (bounded), not skipping time. */
async function ended(b: { handle(): { describe(): Promise<{ status: { name: string } }> } }): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { name } = (await b.handle().describe()).status;
    if (name !== 'RUNNING' || Date.now() > deadline) return name;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('after the year and its grace, committed holds keep the entity open: until closed, or 60 days after the commit', async () => {
  const year = customsYear(await s.env.currentTimeMs());
  const yearEnd = Date.UTC(year + 1, 0, 1) - 8 * HOUR; // midnight, China Standard Time
  await skipTo(yearEnd - DAY);
  const [closing, legacy] = [await buyer(), await buyer()];
  await closing.reserve('A', 1_000_000);
  await closing.commit('A', undefined, true); // an exact-money order: it closes its hold when final
  await closing.reserve('C', 200_000);
  await closing.commit('C', undefined, true);
  await legacy.reserve('L', 1_000_000);
  await legacy.commit('L'); // an order before exact-money never closes its hold
  const committedAt = await s.env.currentTimeMs();

  // The year's 30-day grace is over: both entities still answer for their committed orders.
  await skipTo(yearEnd + 31 * DAY);
  for (const b of [closing, legacy]) assert.equal((await b.handle().describe()).status.name, 'RUNNING');
  assert.equal((await closing.giveBack('A', 'A-RET1', 300_000)).committedFen, 900_000);
  assert.equal((await legacy.giveBack('L', 'L-RET1', 100_000)).committedFen, 900_000);

  // Closing is idempotent and final; it refuses a hold only reserved, and takes an order the entity holds nothing for.
  assert.equal((await closing.close('C')).committedFen, 900_000);
  assert.equal((await closing.close('C')).committedFen, 900_000, 'closing again changes nothing');
  await assert.rejects(closing.giveBack('C', 'C-RET1', 100_000), refusedBy(HOLD_CLOSED, 'order C'));
  await closing.reserve('R', 100_000);
  await assert.rejects(closing.close('R'), refusedBy(CLOSE_NOT_COMMITTED, 'order R'));
  await closing.release('R');
  assert.equal((await closing.close('NEVER')).committedFen, 900_000, 'an order it holds nothing for: nothing to close');

  // Its last open hold closed by its order: the entity ends.
  assert.equal((await closing.close('A')).committedFen, 900_000);
  // Not result(): the test server may skip time while a result is awaited.
  assert.equal(await ended(closing), 'COMPLETED');
  assert.equal((await closing.usage()).committedFen, 900_000);

  // Never closed: the entity ends 60 days after the commit (the return window and a margin).
  await skipTo(committedAt + 59 * DAY);
  assert.equal((await legacy.handle().describe()).status.name, 'RUNNING');
  await skipTo(committedAt + 61 * DAY);
  assert.equal((await legacy.handle().result()).committedFen, 900_000);
});

test('an update to an entity that is not running is refused with QUOTA_ENTITY_CLOSED, naming the buyer-year', async () => {
  const b = await buyer();
  await b.reserve('A', 1_000_000);
  await b.handle().terminate('test: the entity ended');
  const closed = (e: unknown) => refusedBy(QUOTA_ENTITY_CLOSED, String(b.year), 'poll the order')(e);
  await assert.rejects(b.commit('A'), closed);
  await assert.rejects(b.giveBack('A', 'A-RET1', 100_000), closed);
  await assert.rejects(b.close('A'), closed);
  // Never started afresh: an empty run would forget the year's holds.
  await assert.rejects(b.reserve('B', 100_000), closed);
});
