import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SkipGate, landingOffsetMs } from '../support/skip-gate';

// The gate that keeps the workflow stacks' time skips apart from the sandbox's notifications
// (test/support/skip-gate.ts). Each held call is a promise the test settles, so the order is exact.

function held() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { release, done };
}

/** Lets every settled promise's continuation run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

test('notifications run together, and a skip waits until all under way have been answered', async () => {
  const gate = new SkipGate();
  const log: string[] = [];
  const a = held();
  const b = held();
  const da = gate.deliver(async () => (log.push('a in'), await a.done, log.push('a out')));
  const db = gate.deliver(async () => (log.push('b in'), await b.done, log.push('b out')));
  const skip = gate.skip(() => Promise.resolve(log.push('skip')));
  await settle();
  assert.deepEqual(log, ['a in', 'b in']);
  assert.equal(gate.state(), 'delivery x2, 1 waiting');
  a.release();
  await da;
  await settle();
  assert.deepEqual(log, ['a in', 'b in', 'a out'], 'one notification is still under way');
  b.release();
  await Promise.all([db, skip]);
  assert.deepEqual(log, ['a in', 'b in', 'a out', 'b out', 'skip']);
  assert.equal(gate.state(), 'idle, 0 waiting');
});

test('a notification waits for the skip under way, and a later one does not pass a skip that waits', async () => {
  const gate = new SkipGate();
  const log: string[] = [];
  const s1 = held();
  const skip1 = gate.skip(async () => (log.push('skip1 in'), await s1.done, log.push('skip1 out')));
  const d1 = gate.deliver(() => Promise.resolve(log.push('d1')));
  const skip2 = gate.skip(() => Promise.resolve(log.push('skip2')));
  const d2 = gate.deliver(() => Promise.resolve(log.push('d2')));
  await settle();
  assert.deepEqual(log, ['skip1 in']);
  s1.release();
  await Promise.all([skip1, d1, skip2, d2]);
  assert.deepEqual(log, ['skip1 in', 'skip1 out', 'd1', 'skip2', 'd2'], 'first come, first served');
});

test('skips run one at a time, and a failed one lets the next go', async () => {
  const gate = new SkipGate();
  let running = 0;
  let most = 0;
  const skip = (fail: boolean) =>
    gate.skip(async () => {
      most = Math.max(most, ++running);
      await settle();
      running--;
      if (fail) throw new Error('the server went away');
    });
  const results = await Promise.allSettled([skip(false), skip(true), skip(false)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.equal(most, 1);
  assert.equal(gate.state(), 'idle, 0 waiting');
});

test('a wait lands an odd while past its round step, at most 7 s past', () => {
  assert.equal(landingOffsetMs(1_000), 263);
  assert.equal(landingOffsetMs(30_000), 7_013);
  assert.equal(landingOffsetMs(60 * 60_000), 7_013);
});
