import { InvalidArgumentError } from 'commander';
import { AMOUNT_IN_FEN } from '../domain/amounts';

// Amounts typed on the command line: decimal digits only, since Number() would read "1e3", "0x10" or " 12" as
// amounts. Refused here, before any connection, by the rule the order's validators would name.

/** `19900`: a whole number of fen above 0, for 199.00 CNY. */
export function parseFen(value: string): number {
  const fen = /^[1-9]\d*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(fen)) {
    throw new InvalidArgumentError(`${AMOUNT_IN_FEN}: write a whole number of fen above 0 in digits, e.g. 19900 for 199.00 CNY`);
  }
  return fen;
}
