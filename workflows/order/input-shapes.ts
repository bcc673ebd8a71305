// Shapes of what arrives from outside, for the validators: a wrong type is refused by a rule, never a TypeError.

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isText = (v: unknown): v is string => typeof v === 'string';

/** A time the handlers can read: absent, or an ISO-like string Date.parse understands. */
export const isTimeOrAbsent = (v: unknown) => v === undefined || (isText(v) && v.length <= 64 && Number.isFinite(Date.parse(v)));
export const isIdText = (v: unknown, max: number) => isText(v) && v.trim() !== '' && v.length <= max;
