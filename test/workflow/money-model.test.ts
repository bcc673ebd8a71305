import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { INVARIANTS } from '../model/invariants';
import { KNOWN_GAPS } from '../model/known-gaps';
import { describeFailure, runSeeds, type SequenceResult } from '../model/run';
import { startWorkflowStack, type WorkflowStack } from '../support/temporal';

// The model-based gate (issue 23): fixed seeds of random sequences of orders — single and split, paid,
// late, cancelled, expired, refunded with the caller's key and again, failed refunds resolved, goods
// returned, customs paths and receipt faults, continue-as-new — on the real workflows, each checked
// against the invariants of test/model/invariants.ts. `npm run model` runs thousands.

let s: WorkflowStack;
before(async () => (s = await startWorkflowStack()));
after(() => s?.close());

/**
 * Fixed, so the gate runs the same sequences every time; one at a time, so their clocks do not mix. With
 * 10 commands at most, 20261245 asks a refund twice with one key, 20261267 and 20261292 send one part of a
 * split order back abroad: the gate meets each known gap.
 */
const GATE_SEEDS = [...Array.from({ length: 14 }, (_, i) => 20261233 + i), 20261267, 20261292];

async function gate(t: TestContext, stack: WorkflowStack, seeds: number[], restarts: boolean) {
  const results: SequenceResult[] = [];
  const options = { maxCommands: 10, restarts, shrinkBudget: 0, tolerated: new Set(KNOWN_GAPS.keys()) };
  await runSeeds(stack, seeds, 1, options, (r) => results.push(r));
  for (const r of results) {
    for (const v of r.outcome.violations.filter((x) => KNOWN_GAPS.has(x.invariant))) {
      t.diagnostic(`known gap ${v.invariant} (${KNOWN_GAPS.get(v.invariant)}), seed ${r.seed}: ${v.subject}: ${v.detail}`);
    }
  }
  const failing = results.filter((r) => r.failed);
  assert.equal(results.length, seeds.length, 'every sequence ran');
  const broken = new Set(failing.flatMap((r) => r.outcome.violations.map((v) => `${v.invariant} ${INVARIANTS[v.invariant]}`)));
  assert.deepEqual(
    failing.map((r) => describeFailure(r)),
    [],
    `invariants broken: ${[...broken].join('; ')}`,
  );
}

test(`${GATE_SEEDS.length} fixed sequences keep every invariant, but for the known gaps`, (t) => gate(t, s, GATE_SEEDS, false));
