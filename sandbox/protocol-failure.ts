import type { z } from 'zod';
import type { ResultStatus } from '../alipay-plus';

/** Thrown by a sandbox handler to answer with a result other than S. */
export class ProtocolFailure extends Error {
  constructor(
    readonly resultCode: string,
    message: string,
    readonly resultStatus: ResultStatus = 'F',
  ) {
    super(message);
  }
}

/** Thrown by a test helper to answer with an HTTP error. */
export class HelperError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a test helper's body, or answers HTTP 400 naming each field and its rule. */
export function helperParse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HelperError(400, parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
  return parsed.data;
}
