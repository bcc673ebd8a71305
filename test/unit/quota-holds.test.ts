import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QuotaState } from '../../domain/quota-api';
import { hasLapsed, nextLapseAt, quotaUsage, withoutLapsed } from '../../domain/quota-holds';

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
