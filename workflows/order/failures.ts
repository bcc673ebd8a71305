import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The Alipay+ result code of a failed call, when Alipay+ gave a final answer. An activity's failure comes
 * wrapped in an ActivityFailure; a local activity's comes as the ApplicationFailure itself.
 */
export function finalCode(error: unknown): { code: string; message: string } | undefined {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (failure instanceof ApplicationFailure && failure.nonRetryable) return { code: failure.type ?? 'UNKNOWN', message: failure.message };
  return undefined;
}

/** A refusal that names the broken rule, for validators and checkout. */
export function ruleFailure(rule: string, message: string) {
  return ApplicationFailure.create({ type: rule, message: `${rule}: ${message}`, nonRetryable: true });
}
