import type { z } from 'zod';

export interface FieldProblem {
  /** Dotted path of the field, for example `declarationAmount.currency`. */
  field: string;
  rule: string;
}

/** A message that breaks a field rule. Its text names each field and the rule it breaks. */
export class MessageValidationError extends Error {
  constructor(
    readonly messageName: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${messageName} is invalid: ${problems.map((p) => `${p.field || '(body)'} ${p.rule}`).join('; ')}`);
    this.name = 'MessageValidationError';
  }
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), rule: issue.message }));
}

/** Parses `data` with `schema`, or throws a MessageValidationError naming the field and the rule. */
export function parseMessage<S extends z.ZodType>(schema: S, data: unknown, messageName: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new MessageValidationError(messageName, fieldProblems(parsed.error));
  return parsed.data;
}
