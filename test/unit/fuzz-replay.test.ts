import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MemoryWatch, checkProperty, type FuzzContext } from '../../dev/fuzz/harness';
import { fixedSeedsFromEnv } from '../../dev/fuzz/options';
import { regressionEntry, regressionHint, regressionsOf, REGRESSIONS_FILE } from '../../dev/fuzz/regressions';
import type { FuzzReport } from '../../dev/fuzz/run';
import { GATE_SEEDS } from '../../dev/fuzz/seeds';

// The fuzz's own plumbing, without a stack: the gate's seeds are fixed, a failure's path replays its
// counterexample alone, and a failed run prints the regression entry that keeps it.

const context = (seed: number, replay?: FuzzContext['replay']): FuzzContext => ({
  seed,
  outcomes: [],
  tallies: {},
  requestTimeoutMs: 1_000,
  batch: 1_000,
  memory: new MemoryWatch(() => ({}), 0),
  log: () => undefined,
  replay,
});

const property = 'numbers stay under 1000';
const overAThousand = (n: number) => (n >= 1000 ? Promise.reject(new Error(`${n} is too big`)) : Promise.resolve());

test('the gate runs its fixed seeds, unless FUZZ_SEED names one', () => {
  assert.deepEqual(fixedSeedsFromEnv({}, GATE_SEEDS), { seeds: [...GATE_SEEDS.seeds], runsPerSeed: 300, only: undefined });
  assert.deepEqual(fixedSeedsFromEnv({}, GATE_SEEDS), fixedSeedsFromEnv({}, GATE_SEEDS), 'nothing drawn at random');
  assert.deepEqual(fixedSeedsFromEnv({ FUZZ_SEED: '42', FUZZ_RUNS: '100', FUZZ_ONLY: 'CLI, codec server' }, GATE_SEEDS), {
    seeds: [42],
    runsPerSeed: 100,
    only: ['CLI', 'codec server'],
  });
});

test("a failure's path replays its shrunk counterexample alone, and the other properties are skipped", async () => {
  const found = await checkProperty(context(7), 'numbers', property, 200, fc.nat(), overAThousand);
  assert.ok(found.failure && found.path, 'the property fails and fast-check gives a path');
  assert.match(found.failure, /Counterexample: \[1000\]/);

  const ctx = context(7, { property, path: found.path });
  const seen: number[] = [];
  const replayed = await checkProperty(ctx, 'numbers', property, 200, fc.nat(), (n) => (seen.push(n), overAThousand(n)));
  assert.deepEqual(seen, [1000], 'one case, the counterexample');
  assert.equal(replayed.path, found.path);
  const other = await checkProperty(ctx, 'numbers', 'another property', 200, fc.nat(), () => Promise.reject(new Error('not skipped')));
  assert.equal(other.cases, 0);
  assert.deepEqual(
    ctx.outcomes.map((o) => o.property),
    [property],
    'a skipped property is not reported',
  );
});

test('a failed run prints the regression entry to add, with its seed, size, boundary and path', () => {
  const report: FuzzReport = {
    seed: 1234,
    runs: 10_000,
    outcomes: [],
    counts: {},
    total: 0,
    memory: { baseline: {}, peak: {} },
    tallies: {},
    failures: [
      { boundary: 'startOrder', property: "refused with the rule's name", cases: 3, failure: 'x', path: '2:1:0' },
      { boundary: 'codec server', property: 'a 64.0 MB body is refused', cases: 1, failure: 'x' },
      { boundary: 'all servers', property: 'memory stays within baseline', cases: 0, failure: 'x' },
    ],
  };
  const [withPath, withoutPath, ...rest] = regressionsOf(report);
  assert.equal(rest.length, 0, 'the memory bound is no boundary to replay');
  assert.deepEqual(withPath, {
    name: "TODO what broke: startOrder, refused with the rule's name",
    seed: 1234,
    runs: 10_000,
    boundary: 'startOrder',
    replay: { property: "refused with the rule's name", path: '2:1:0' },
  });
  assert.equal(withoutPath.replay, undefined, 'without a path, the boundary runs all the cases of the seed');
  assert.equal(
    regressionEntry(withPath),
    "{ name: 'TODO what broke: startOrder, refused with the rule\\'s name', seed: 1234, runs: 10000, boundary: 'startOrder', " +
      "replay: { property: 'refused with the rule\\'s name', path: '2:1:0' } },",
  );
  const hint = regressionHint(report);
  assert.ok(hint.includes(REGRESSIONS_FILE));
  assert.ok(hint.includes('FUZZ_SEED=1234 FUZZ_RUNS=10000 npm run fuzz'));
});
