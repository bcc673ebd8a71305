import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import { publishPending } from './progress';
import type { OrderTimeouts } from '../../domain/order-api';
import type { OrderInput } from '../../domain/order';
import type { OrderState } from './state';
import { CONTINUE_AS_NEW_WHEN_LONG, since } from './versions';

// An order lives at least 90 days, and a stuck one is polled for as long as it is stuck. So that its
// history stays bounded (Temporal caps one at 51,200 events), the two waits that can last that long,
// the customs review and the clearance, hand the order's state over to a fresh run when it grows.

const EVENTS_PER_RUN = 10_000;

/** The steps a continued run resumes at. */
export type ContinuedStep = 'CUSTOMS_REVIEW' | 'CLEARANCE';

/** What a continued run gets from the one before: where to resume, and everything the order knows. */
export interface Continuation {
  step: ContinuedStep;
  state: CarriedState;
}

type CarriedState = Pick<OrderState, (typeof CARRIED)[number]> &
  Partial<Pick<OrderState, (typeof CARRIED_CUSTOMS)[number] | (typeof CARRIED_EXACT)[number]>>;

const CARRIED = [
  'stage',
  'waiting',
  'stuck',
  'stuckReasons',
  'legacyStuck',
  'published',
  'payment',
  'paidAtMs',
  'declarations',
  'clearance',
  'refunds',
  'quota',
  'audit',
  'realNameDecision',
  'reviewLoop',
  'clearanceLoop',
  'documentsFiled',
] as const satisfies readonly (keyof OrderState)[];

const CARRIED_CUSTOMS = ['cebCustoms', 'customs', 'customsLoop', 'returns'] as const satisfies readonly (keyof OrderState)[];

/** What orders started with EXACT_MONEY carry on top (versions.ts); the ReconciliationIssue attribute goes with the run. */
const CARRIED_EXACT = ['exactMoney', 'reconciliation'] as const satisfies readonly (keyof OrderState)[];

/** At a safe point of a long wait: continue as new once the history is long, carrying the state. */
export async function continueAsNewWhenLong(o: OrderState, step: ContinuedStep): Promise<void> {
  const info = workflowInfo();
  const long = info.continueAsNewSuggested || info.historyLength >= (o.timeouts.continueAsNewAfterEvents ?? EVENTS_PER_RUN);
  if (!long || !since(o, CONTINUE_AS_NEW_WHEN_LONG)) return;
  // Updates under way (a correction, a poll-now) finish in this run, so none is lost.
  await condition(allHandlersFinished);
  publishPending(o); // the search attributes go along to the new run
  // Orders on the e-port's messages carry their customs state too; older ones carry what they always did.
  const keys = [...CARRIED, ...(o.cebCustoms ? CARRIED_CUSTOMS : []), ...(o.exactMoney ? CARRIED_EXACT : [])];
  const state = Object.fromEntries(keys.map((key) => [key, o[key]])) as CarriedState;
  const continueAsNew = makeContinueAsNewFunc<(input: OrderInput, timeouts: OrderTimeouts, continued: Continuation) => Promise<unknown>>({
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
  await continueAsNew(o.input, o.timeouts, { step, state });
}

/** Restores what the run before carried over. */
export function resume(o: OrderState, continued: Continuation) {
  Object.assign(o, continued.state);
}
