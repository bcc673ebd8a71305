import { z } from 'zod';

// Field rules of the customs "unified version" messages, in the notation of the enterprise interface
// specification: C..n is text of at most n characters, Cn is text of exactly n characters, N16,2 is
// a decimal with at most 16 digits of which 2 are decimals. Every rule's message names the rule, so
// a refused message says which field broke which rule.

export const CEB_NAMESPACE = 'http://www.chinaport.gov.cn/ceb';
export const CEB_VERSION = '1.0';

const requiredOrText = (iss: { input: unknown }) => (iss.input === undefined || iss.input === '' ? 'required' : 'must be text');

/** The error of an element that is missing or not an element. */
export const element = (name: string) => ({
  error: (iss: { input: unknown }) => (iss.input === undefined || iss.input === '' ? 'required' : `must be one ${name} element`),
});

/** C..n: required text of 1 to n characters. */
export function text(max: number) {
  return z.string({ error: requiredOrText }).min(1, 'required').max(max, `C..${max}: at most ${max} characters`);
}

/** Cn: required text of exactly n characters. */
export function fixed(length: number) {
  return z.string({ error: requiredOrText }).length(length, `C${length}: exactly ${length} characters`);
}

/** An optional field: absent and empty are the same on the wire (an empty element). */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
}

/** A code from a code table; the message lists the table. */
export function code<const T extends readonly [string, ...string[]]>(table: Record<T[number], string>, values: T) {
  const listing = values.map((v) => `${v} (${table[v as T[number]]})`).join(', ');
  return z.enum(values, { error: (iss) => (iss.input === undefined || iss.input === '' ? 'required' : `code table: one of ${listing}`) });
}

/** YYYYMMDDhhmmss, the time format of appTime, payTime and declared times. */
export const timestamp14 = z
  .string({ error: requiredOrText })
  .regex(/^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/, 'C14: time as YYYYMMDDhhmmss');

/** YYYYMMDD, for declTime and ieDate. */
export const date8 = z.string({ error: requiredOrText }).regex(/^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/, 'C8: date as YYYYMMDD');

/** Receipt times: YYYYMMDDhhmmss, and some receipts add milliseconds (YYYYMMDDhhmmssSSS). */
export const receiptTime = z.string({ error: requiredOrText }).regex(/^\d{14}(\d{3})?$/, 'C14: time as YYYYMMDDhhmmss[SSS]');

/** 36 characters in upper case, as the specification asks of every guid (a UUID in upper case fits). */
export const guid = z
  .string({ error: requiredOrText })
  .regex(/^[0-9A-Z_-]{36}$/, 'C36: 36 characters, upper-case letters, digits, hyphens and underscores');

/** The only currency of the import messages: 142, the customs code of the renminbi. */
export const CURRENCY_CNY = '142';
export const currency = z.literal(CURRENCY_CNY, { error: 'code table: currency must be 142 (CNY)' });

/**
 * A money field, N16,2 yuan on the wire and integer fen in the model. Accepts fen as a number (when
 * building) or yuan as a decimal string (when parsing): `"12.30"` is 1230 fen. N16,2 goes up to 10^16 − 1 fen,
 * past the safe integers: the model takes amounts up to Number.MAX_SAFE_INTEGER fen, which it holds exactly.
 */
export function money() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value) && value >= 0) return value;
      ctx.addIssue({ code: 'custom', message: 'N16,2: a non-negative amount in whole fen' });
      return z.NEVER;
    }
    if (typeof value === 'string' && /^\d{1,14}(\.\d{1,2})?$/.test(value)) {
      const [int, frac = ''] = value.split('.');
      if (BigInt(int) * 100n + BigInt(frac.padEnd(2, '0')) <= BigInt(Number.MAX_SAFE_INTEGER)) return yuanToFen(value);
      ctx.addIssue({ code: 'custom', message: `N16,2: at most ${fenToYuan(Number.MAX_SAFE_INTEGER)} yuan, what whole fen hold exactly` });
      return z.NEVER;
    }
    ctx.addIssue({
      code: 'custom',
      message: value === undefined || value === '' ? 'required' : 'N16,2: a decimal amount in yuan with at most 2 decimals',
    });
    return z.NEVER;
  });
}

/** Nm,d: a positive decimal quantity, kept as its decimal string; numbers are accepted when building. */
export function decimal(digits: number, decimals: number, { positive = true } = {}) {
  const intDigits = digits - decimals;
  const pattern = new RegExp(`^\\d{1,${intDigits}}(\\.\\d{1,${decimals}})?$`);
  const rule = `N${digits},${decimals}: a decimal with at most ${intDigits} integer digits and ${decimals} decimals`;
  return z.unknown().transform((value, ctx): string => {
    const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof s !== 'string' || s === '') {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    if (!pattern.test(s)) {
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    if (positive && Number(s) <= 0) {
      ctx.addIssue({ code: 'custom', message: `${rule}, greater than 0` });
      return z.NEVER;
    }
    return s;
  });
}

/** A positive whole number (gnum, packNo). */
export function whole(maxDigits: number) {
  return z.unknown().transform((value, ctx): number => {
    const s = typeof value === 'number' ? String(value) : value;
    if (typeof s === 'string' && new RegExp(`^[1-9]\\d{0,${maxDigits - 1}}$`).test(s)) return Number(s);
    ctx.addIssue({ code: 'custom', message: value === undefined || value === '' ? 'required' : `N${maxDigits}: a whole number from 1` });
    return z.NEVER;
  });
}

/** `"12.3"` → 1230 fen, without floating point. */
export function yuanToFen(yuan: string): number {
  const [int, frac = ''] = yuan.split('.');
  return Number(int) * 100 + Number(frac.padEnd(2, '0'));
}

/** 1230 fen → `"12.30"`. */
export function fenToYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

// Code tables shared by several messages.

export const APP_TYPES = { '1': 'new', '2': 'change', '3': 'delete' } as const;
export const appType = code(APP_TYPES, ['1', '2', '3']);

/** appStatus 2 (declare) must carry a signature; 1 (store only) stays at the e-port. */
export const APP_STATUSES = { '1': 'stored at the e-port, not declared', '2': 'declared' } as const;
export const appStatus = code(APP_STATUSES, ['1', '2']);

/** The buyer's and payer's certificate: the specification limits buyers to 1, the ID card. */
export const ID_TYPES = { '1': 'ID card', '2': 'other' } as const;
export const idType = code(ID_TYPES, ['1', '2']);

/** The customs' registration codes of companies: at most 18 characters (10-digit customs code or 18-character credit code). */
export const companyCode = text(18);
export const companyName = text(100);
/** Customs district code (JGS/T 18), four digits. */
export const customsCode = z.string({ error: requiredOrText }).regex(/^\d{4}$/, 'C4: a four-digit customs district code');
/** Country code from the JGS-20 table, three digits (142 is China). */
export const countryCode = z.string({ error: requiredOrText }).regex(/^\d{3}$/, 'C3: a three-digit JGS-20 country code');
/** Unit of measure from the JGS-20 table, three digits (011 piece, 035 kilogram...). */
export const unitCode = z.string({ error: requiredOrText }).regex(/^\d{3}$/, 'C3: a three-digit JGS-20 unit code');
/** HS code: 10 digits (8-digit tariff line and 2 supplementary digits). */
export const hsCode = z.string({ error: requiredOrText }).regex(/^\d{10}$/, 'C10: a ten-digit HS code');

/** price × qty in fen, rounded half up to the fen; qty is a decimal string. */
export function lineTotalFen(priceFen: number, qty: string): number {
  const [int, frac = ''] = qty.split('.');
  const scale = 10n ** BigInt(frac.length);
  const scaledQty = BigInt(int) * scale + BigInt(frac || '0');
  return Number((BigInt(priceFen) * scaledQty * 2n + scale) / (2n * scale));
}
