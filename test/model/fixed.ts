import assert from 'node:assert/strict';
import type fc from 'fast-check';
import type { WorkflowStack } from '../support/temporal';
import { INVARIANTS, type InvariantId } from './invariants';
import { KNOWN_GAPS } from './known-gaps';
import type { ModelState, Real } from './model';
import { runOnce } from './run';
import type { Sequence } from './sequence';

// Fixed sequences: the counterexamples the model found, kept as named tests.

type Cmd = fc.AsyncCommand<ModelState, Real>;

export function fixed(...cmds: Cmd[]): Sequence {
  return { [Symbol.iterator]: () => cmds[Symbol.iterator](), toString: () => cmds.map(String).join(', ') };
}

/** node:test's options for a regression of `invariant`: a todo while its gap is listed as known. */
export const whileKnown = (invariant: InvariantId) => ({ todo: KNOWN_GAPS.get(invariant) });

/** Runs the sequence (seeded only to name its orders) and asserts it keeps every invariant. */
export async function assertKeepsInvariants(s: WorkflowStack, seed: number, sequence: Sequence): Promise<void> {
  const outcome = await runOnce(s, seed, sequence);
  const broken = outcome.violations.map((v) => `${v.invariant} (${INVARIANTS[v.invariant]}): ${v.subject}: ${v.detail}`);
  assert.deepEqual(broken, [], `${outcome.commands}\n${outcome.log.join('\n')}`);
}
