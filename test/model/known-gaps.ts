import type { InvariantId } from './invariants';

/**
 * The invariants the code on this branch is known to break, each with the finding that breaks it. The
 * gate (test/workflow/money-model.test.ts) reports their violations without failing; remove an entry once
 * its fix lands, and the gate holds the code to it. The long run (`npm run model`) ignores this list.
 */
export const KNOWN_GAPS: ReadonlyMap<InvariantId, string> = new Map<InvariantId, string>([]);
