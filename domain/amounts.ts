// Amounts that come in from outside, in whole fen or whole units: never negative or fractional, and within the
// safe integers, so that sums and the tax stay exact. A value that is not is refused by the rule named here,
// never by an error from deep inside (the tax's BigInt arithmetic throws a bare RangeError).

/** An amount of money must be a whole number of fen, within the safe integers. */
export const AMOUNT_IN_FEN = 'AMOUNT_IN_FEN';
/** A quantity of goods must be a whole number of units. */
export const ITEM_QUANTITY = 'ITEM_QUANTITY';

/** Whether a value is a whole amount from `min`: a number that is a safe integer, not below `min` (so never negative). */
export function isWholeAmount(value: unknown, min = 0): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= Math.max(0, min);
}

/** What a refusal by AMOUNT_IN_FEN says, after the rule's name: "freightFen must be a whole number of fen, 0 or more". */
export function wholeFenReason(field: string, min = 0): string {
  return `${field} must be a whole number of fen, ${min > 0 ? `at least ${min}` : '0 or more'}`;
}
