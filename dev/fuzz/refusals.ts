import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CommanderError } from 'commander';
import { OperatorError } from '../../cli/operator';
import { OrderRefusedError } from '../../client/orders';
import { InvalidOrderError } from '../../domain/order';

// "Every refusal names the rule it broke": what counts as naming it, per kind of answer.

/** A rule's name as the orchestrator writes them: SINGLE_TRANSACTION_LIMIT, NOTIFICATION_MISMATCH. */
export const RULE_NAME = /^[A-Z][A-Z0-9_]{2,}$/;

/** Each problem of an invalid order starts with a rule name or the path of the field (zod), then a reason. */
export function namesEachProblem(message: string): boolean {
  const parts = message.split('; ');
  return parts.length > 0 && parts.every((p) => /^([A-Z][A-Z0-9_]{2,}|[A-Za-z_][\w.]*): \S/.test(p));
}

/** The rule a thrown refusal names, or undefined when the error names none (a crash, a bare message). */
export function ruleOfError(error: unknown): string | undefined {
  if (error instanceof OrderRefusedError) return RULE_NAME.test(error.rule) ? error.rule : undefined;
  if (error instanceof InvalidOrderError) return namesEachProblem(error.message) ? 'INVALID_ORDER' : undefined;
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && cause.type && RULE_NAME.test(cause.type) && cause.message.startsWith(`${cause.type}: `)) {
      return cause.type;
    }
    return undefined;
  }
  // The CLI's own refusals: a commander error code (an unknown option, a missing argument, a bad choice).
  if (error instanceof CommanderError) return error.code;
  // Who the operator is: --by missing, or naming someone other than the authenticated identity.
  if (error instanceof OperatorError) return 'OPERATOR';
  if (error instanceof WorkflowNotFoundError) return 'ORDER_NOT_FOUND';
  return undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof WorkflowUpdateFailedError && error.cause) {
    const c = error.cause as ApplicationFailure;
    return `${error.name}: ${error.message}; cause ${c.name} type=${String(c.type)}: ${c.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** An Alipay+ style answer: {result: {resultStatus, resultCode, resultMessage}}. */
export function resultOf(json: unknown): { resultStatus: string; resultCode: string; resultMessage?: string } | undefined {
  const r = (json as { result?: { resultStatus?: unknown; resultCode?: unknown; resultMessage?: unknown } } | undefined)?.result;
  if (!r || typeof r.resultStatus !== 'string' || typeof r.resultCode !== 'string') return undefined;
  return {
    resultStatus: r.resultStatus,
    resultCode: r.resultCode,
    resultMessage: typeof r.resultMessage === 'string' ? r.resultMessage : undefined,
  };
}

/**
 * An HTTP refusal that is not an Alipay+ result (a framework's 4xx): a JSON body that names the
 * problem in `code`, `error` or `message`.
 */
export function namedHttpRefusal(status: number, json: unknown): boolean {
  if (status < 400 || status >= 500) return false;
  const b = json as { code?: unknown; error?: unknown; message?: unknown } | undefined;
  return [b?.code, b?.error, b?.message].some((v) => typeof v === 'string' && v.trim().length > 0);
}
