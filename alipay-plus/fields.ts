import { z } from 'zod';

// Field rules shared by every Alipay+ message. Every scalar travels as a string; arrays are the exception.

const stringError = (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : 'must be a string (Alipay+ sends every scalar as a string)';

export const text = (max: number) =>
  z.string({ error: stringError }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const optionalText = (max: number) => text(max).optional();

/** A boolean on the wire is the string "true" or "false"; JSON booleans are also accepted on input. */
export const booleanString = z
  .union([z.enum(['true', 'false']), z.boolean()], { error: 'must be "true" or "false"' })
  .transform((v) => String(v) as 'true' | 'false');

/**
 * Integer amount in the smallest unit (fen for CNY), as a string. Never a float, and never past the safe integers:
 * the orchestrator reads it as a number, which would round a larger one.
 */
export const minorUnits = z
  .string({ error: stringError })
  .regex(/^(0|[1-9]\d{0,15})$/, 'must be a whole number of the smallest currency unit (fen for CNY), as a string')
  .refine(
    (v) => !/^\d{16,}$/.test(v) || Number.isSafeInteger(Number(v)),
    `must be at most ${Number.MAX_SAFE_INTEGER}, which a number holds exactly`,
  );

export const currencyCode = z.string({ error: stringError }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code');

export const amount = z.object({ currency: currencyCode, value: minorUnits }, { error: 'must be an amount {currency, value}' });
export type Amount = z.infer<typeof amount>;

export const cnyAmount = z.object(
  {
    currency: z.literal('CNY', { error: 'must be "CNY" (declaration amounts are in CNY only)' }),
    value: minorUnits,
  },
  { error: 'must be an amount {currency: "CNY", value}' },
);

export const isoDateTime = z
  .string({ error: stringError })
  .max(64, 'must be at most 64 characters')
  .refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date-time');

export const url = (max: number) =>
  text(max).refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

export const resultStatus = z.enum(['S', 'F', 'U'], { error: 'must be S, F or U' });
export type ResultStatus = z.infer<typeof resultStatus>;

export const result = z.object({
  resultStatus,
  resultCode: text(64),
  resultMessage: z.string().max(256, 'must be at most 256 characters').optional(),
});
export type Result = z.infer<typeof result>;

/** Any response: at least a result. Used to read F and U answers, whose other fields are absent. */
export const bareResponse = z.object({ result });

export const SUCCESS: Result = { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' };
