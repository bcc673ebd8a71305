import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestTimeMs, staleRequestTime } from '../../notify-receiver/freshness';

// The notify receiver's Request-Time window: which times it reads, and where the window ends.

const NOW = Date.parse('2026-12-01T12:00:00Z');
const WINDOW = 5 * 60_000;

test('Request-Time is read as ISO-8601 with a zone or as epoch milliseconds, nothing else', () => {
  assert.equal(requestTimeMs('2026-12-01T20:00:00+08:00'), NOW);
  assert.equal(requestTimeMs('2026-12-01T12:00:00.000Z'), NOW);
  assert.equal(requestTimeMs(String(NOW)), NOW);
  for (const bad of ['', '2026', '2026-12-01', '2026-12-01T12:00:00', '1764590400', 'yesterday', '2026-13-45T99:00:00Z']) {
    assert.equal(requestTimeMs(bad), undefined, bad);
  }
});

test('the window holds either side of the clock, to the millisecond, and a refusal says which way and by how much', () => {
  const at = (ms: number) => new Date(ms).toISOString();
  assert.equal(staleRequestTime(at(NOW - WINDOW), NOW, WINDOW), undefined);
  assert.equal(staleRequestTime(at(NOW + WINDOW), NOW, WINDOW), undefined);
  assert.match(staleRequestTime(at(NOW - WINDOW - 1), NOW, WINDOW) ?? '', /is 300 s old; a notification is taken within 300 s/);
  assert.match(staleRequestTime(at(NOW + 10 * 60_000), NOW, WINDOW) ?? '', /is 600 s ahead of the receiver's clock/);
  assert.match(staleRequestTime('2026', NOW, WINDOW) ?? '', /Request-Time must be ISO-8601/);
});
