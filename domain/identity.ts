// GB 11643: the 18-character mainland resident ID number and its check digit.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function mainlandIdCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/** Why an ID number is invalid, or null when it is a well-formed GB 11643 number. */
export function mainlandIdProblem(idNumber: string): string | null {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return 'must be 17 digits followed by a digit or X (GB 11643)';
  const birth = idNumber.slice(6, 14);
  const date = new Date(`${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10).replaceAll('-', '') !== birth) {
    return 'must contain a valid birth date in characters 7 to 14 (GB 11643)';
  }
  if (mainlandIdCheckDigit(idNumber.slice(0, 17)) !== idNumber[17]) return 'has a wrong check digit (GB 11643)';
  return null;
}

/** Masks an ID number for anything a person may read: keeps the first 3 and last 2 characters. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 5) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 3) + '*'.repeat(idNumber.length - 5) + idNumber.slice(-2);
}

/**
 * The form of a certificate number that keys the buyer's quota: without any whitespace, upper-cased.
 * People type a passport number with spaces or in lower case, and an ID card's check character as x;
 * each must still be one buyer. A number of digits and upper-case letters is left as it is, so its key
 * does not change.
 */
export function normalizeCertificateNo(certificateNo: string): string {
  return certificateNo.replace(/\s+/g, '').toUpperCase();
}
