import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The Alipay+ result code of a failed activity, when Alipay+ gave a final answer. */
export function finalCode(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) {
    return { code: error.cause.type ?? 'UNKNOWN', message: error.cause.message };
  }
  return undefined;
}

/** A refusal that names the broken rule, for validators and checkout. */
export function ruleFailure(rule: string, message: string) {
  return ApplicationFailure.create({ type: rule, message: `${rule}: ${message}`, nonRetryable: true });
}
