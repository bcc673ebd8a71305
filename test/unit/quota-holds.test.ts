import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QuotaState } from '../../domain/quota-api';
import {
  UNCLOSED_COMMIT_OPEN_MS,
  hasLapsed,
  judgeClose,
  judgeCommit,
  keepsEntityOpen,
  nextCommitExpiryAt,
  nextLapseAt,
  quotaUsage,
  withoutLapsed,
} from '../../domain/quota-holds';
import { judgeReturn } from '../../domain/quota-returns';

// Which reservations count at an instant: an unpaid one with a holdUntil stops counting once it passes.

const T = Date.UTC(2026, 5, 1);
const state = (): QuotaState => ({
  buyerKey: 'k',
  year: 2026,
  limitFen: 2_600_000,
  orders: {
    old: { amountFen: 100_000, status: 'RESERVED' },
    unpaid: { amountFen: 200_000, status: 'RESERVED', holdUntil: T + 10 },
    later: { amountFen: 400_000, status: 'RESERVED', holdUntil: T + 20 },
    paid: { amountFen: 800_000, status: 'RESERVED', holdUntil: T + 5, paid: true },
    done: { amountFen: 1_000_000, status: 'COMMITTED', holdUntil: T + 5 },
  },
});

describe('hasLapsed', () => {
  test('only an unpaid reservation with a holdUntil at or before now', () => {
    const { orders } = state();
    assert.equal(hasLapsed(orders.unpaid, T + 9), false);
    assert.equal(hasLapsed(orders.unpaid, T + 10), true);
    assert.equal(hasLapsed(orders.old, T + 1e12), false, 'no holdUntil: never');
    assert.equal(hasLapsed(orders.paid, T + 1e12), false, 'paid: never');
    assert.equal(hasLapsed(orders.done, T + 1e12), false, 'committed: never');
  });
});

describe('quotaUsage', () => {
  test('before any holdUntil every reservation counts; unpaidFen is what may lapse', () => {
    const u = quotaUsage(state(), T);
    assert.deepEqual(
      [u.reservedFen, u.unpaidFen, u.lapsedFen, u.committedFen, u.remainingFen],
      [1_500_000, 600_000, 0, 1_000_000, 100_000],
    );
  });

  test('a lapsed reservation leaves reservedFen and frees its room at once', () => {
    const u = quotaUsage(state(), T + 10);
    assert.deepEqual([u.reservedFen, u.unpaidFen, u.lapsedFen, u.remainingFen], [1_300_000, 400_000, 200_000, 300_000]);
  });

  test('a committed order counts its amount less what returns gave back', () => {
    const s = state();
    s.orders.done.returns = { R1: 250_000, R2: 50_000 };
    const u = quotaUsage(s, T);
    assert.deepEqual([u.committedFen, u.returnedFen, u.remainingFen], [700_000, 300_000, 400_000]);
  });
});

describe('nextLapseAt and withoutLapsed', () => {
  test('the next lapse is the earliest holdUntil of an unpaid reservation still counting', () => {
    const { orders } = state();
    assert.equal(nextLapseAt(orders, T), T + 10);
    assert.equal(nextLapseAt(orders, T + 10), T + 20);
    assert.equal(nextLapseAt(orders, T + 20), undefined);
  });

  test('removes only the lapsed reservations', () => {
    assert.deepEqual(Object.keys(withoutLapsed(state().orders, T + 10)), ['old', 'later', 'paid', 'done']);
    assert.deepEqual(Object.keys(withoutLapsed(state().orders, T)), ['old', 'unpaid', 'later', 'paid', 'done']);
  });
});

// Issue 23: how long a committed hold keeps the entity open, and which commits and closes are taken.

describe('keepsEntityOpen and nextCommitExpiryAt', () => {
  const C = T + 100;
  const orders = {
    reserved: { amountFen: 1, status: 'RESERVED' as const },
    legacy: { amountFen: 1, status: 'COMMITTED' as const },
    untold: { amountFen: 1, status: 'COMMITTED' as const, committedAt: C },
    untilClosed: { amountFen: 1, status: 'COMMITTED' as const, committedAt: C, untilClosed: true },
    closed: { amountFen: 1, status: 'COMMITTED' as const, committedAt: C, untilClosed: true, closed: true },
  };

  test('a commit to be closed keeps it open until closed; one never closed, 60 days; older commits and reservations, never', () => {
    const open = (now: number) =>
      Object.entries(orders)
        .filter(([, h]) => keepsEntityOpen(h, now))
        .map(([id]) => id);
    assert.deepEqual(open(C), ['untold', 'untilClosed']);
    assert.deepEqual(open(C + UNCLOSED_COMMIT_OPEN_MS - 1), ['untold', 'untilClosed']);
    assert.deepEqual(open(C + UNCLOSED_COMMIT_OPEN_MS), ['untilClosed']);
    assert.deepEqual(open(C + 10 * UNCLOSED_COMMIT_OPEN_MS), ['untilClosed']);
    assert.equal(UNCLOSED_COMMIT_OPEN_MS, 60 * 24 * 60 * 60 * 1000);
  });

  test('the next expiry is that of the earliest open commit its order never closes', () => {
    assert.equal(nextCommitExpiryAt(orders, C), C + UNCLOSED_COMMIT_OPEN_MS);
    assert.equal(nextCommitExpiryAt({ ...orders, sooner: { ...orders.untold, committedAt: C - 5 } }, C), C - 5 + UNCLOSED_COMMIT_OPEN_MS);
    assert.equal(nextCommitExpiryAt(orders, C + UNCLOSED_COMMIT_OPEN_MS), undefined);
  });
});

describe('judgeCommit', () => {
  const reserved = { amountFen: 1_000_000, status: 'RESERVED' as const };
  const committed = { amountFen: 600_000, status: 'COMMITTED' as const };

  test('less than or all of what is held is taken; more is refused by rule', () => {
    assert.equal(judgeCommit('A', reserved, 1_000_000), undefined);
    assert.equal(judgeCommit('A', reserved, 600_000), undefined);
    assert.equal(judgeCommit('A', undefined, 600_000), undefined, 'nothing held: the room is checked instead');
    const more = judgeCommit('A', reserved, 1_000_001);
    assert.equal(more?.rule, 'COMMIT_EXCEEDS_HOLD');
    assert.match(more?.message ?? '', /^COMMIT_EXCEEDS_HOLD: order A holds 10,000.00 CNY .* not 10,000.01 CNY/);
  });

  test('once committed, the same amount again is taken and another is refused', () => {
    assert.equal(judgeCommit('A', committed, 600_000), undefined);
    assert.equal(judgeCommit('A', committed, 500_000)?.rule, 'COMMIT_AMOUNT_CHANGED');
    assert.equal(judgeCommit('A', committed, 1_000_000)?.rule, 'COMMIT_AMOUNT_CHANGED');
  });
});

describe('judgeClose and a closed hold', () => {
  test('a committed hold or an unknown order may be closed; a reservation may not', () => {
    assert.equal(judgeClose('A', { amountFen: 1, status: 'COMMITTED' }), undefined);
    assert.equal(judgeClose('A', { amountFen: 1, status: 'COMMITTED', closed: true }), undefined, 'again');
    assert.equal(judgeClose('A', undefined), undefined);
    assert.equal(judgeClose('A', { amountFen: 1, status: 'RESERVED' })?.rule, 'CLOSE_NOT_COMMITTED');
    assert.equal(judgeClose('', undefined)?.rule, 'CLOSE_NOT_COMMITTED');
  });

  test('a closed hold takes no new return, and answers a return it took as taken', () => {
    const s = state();
    s.orders.done = { ...s.orders.done, returns: { R1: 100 }, closed: true };
    assert.equal(judgeReturn(s, { orderId: 'done', returnId: 'R1', amountFen: 100 }), 'TAKEN');
    const refused = judgeReturn(s, { orderId: 'done', returnId: 'R2', amountFen: 100 });
    assert.equal(typeof refused === 'object' && refused.rule, 'QUOTA_HOLD_CLOSED');
  });
});
