import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mainlandIdCheckDigit, mainlandIdProblem, maskIdNumber } from '../../domain/identity';

// An independent GB 11643 check character, written from the standard rather than copied from the library.
const GB_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const GB_CHECK_CHARS = '10X98765432';
function gbCheckChar(first17: string): string {
  assert.match(first17, /^\d{17}$/);
  let sum = 0;
  GB_WEIGHTS.forEach((w, i) => {
    sum += w * (first17.charCodeAt(i) - 48);
  });
  return GB_CHECK_CHARS.charAt(sum % 11);
}
const withCheck = (first17: string) => first17 + gbCheckChar(first17);

// A deterministic generator, so a failure is reproducible.
function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Region code, a real birth date between 1930 and 2009, and a 3-digit sequence. */
function generatedFirst17s(count: number): string[] {
  const next = lcg(11643);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const region = pad(110000 + (next() % 540000), 6);
    const year = 1930 + (next() % 80);
    const month = 1 + (next() % 12);
    const day = 1 + (next() % 28);
    const seq = pad(next() % 1000, 3);
    out.push(`${region}${year}${pad(month, 2)}${pad(day, 2)}${seq}`);
  }
  return out;
}

const WRONG_CHECK_MESSAGE = 'has a wrong check digit (GB 11643)';
const SHAPE_MESSAGE = 'must be 17 digits followed by a digit or X (GB 11643)';
const BIRTH_MESSAGE = 'must contain a valid birth date in characters 7 to 14 (GB 11643)';

describe('the independent GB 11643 implementation', () => {
  test("the standard's example 11010519491231002X has check character X", () => {
    assert.equal(gbCheckChar('11010519491231002'), 'X');
  });

  test('the generator covers every one of the 11 check characters', () => {
    const seen = new Set(generatedFirst17s(500).map(gbCheckChar));
    assert.deepEqual([...seen].sort(), [...GB_CHECK_CHARS].sort());
  });
});

describe('mainlandIdProblem', () => {
  test('the standard example and other hand-picked valid numbers are accepted', () => {
    for (const id of [
      '11010519491231002X',
      withCheck('44030519900101123'),
      withCheck('31011520000229456'),
      withCheck('51010819851231999'),
    ]) {
      assert.equal(mainlandIdProblem(id), null, id);
    }
  });

  test('500 generated valid numbers are accepted, and the library check digit agrees with ours', () => {
    for (const first17 of generatedFirst17s(500)) {
      assert.equal(mainlandIdCheckDigit(first17), gbCheckChar(first17), first17);
      assert.equal(mainlandIdProblem(withCheck(first17)), null, withCheck(first17));
    }
  });

  test('every wrong check character is rejected as a wrong check digit', () => {
    for (const first17 of generatedFirst17s(40)) {
      const right = gbCheckChar(first17);
      for (const c of GB_CHECK_CHARS) {
        if (c === right) continue;
        assert.equal(mainlandIdProblem(first17 + c), WRONG_CHECK_MESSAGE, `${first17}${c} (right is ${right})`);
      }
    }
  });

  test('a single changed digit in the first 17 (birth date kept valid) is rejected', () => {
    const valid = withCheck('44030519900101123');
    // Positions outside the birth date (0-5 and 14-16): changing any one digit must change the check character.
    for (const i of [0, 1, 2, 3, 4, 5, 14, 15, 16]) {
      const d = Number(valid[i]);
      const changed = valid.slice(0, i) + String((d + 1) % 10) + valid.slice(i + 1);
      assert.equal(mainlandIdProblem(changed), WRONG_CHECK_MESSAGE, changed);
    }
  });

  test('a bad birth date is rejected as such, even with a correct check character', () => {
    for (const first17 of [
      '44030519901301123', // month 13
      '44030519900001123', // month 00
      '44030519900100123', // day 00
      '44030519900132123', // day 32
      '44030519900230123', // 30 February
      '44030519990229123', // 29 February of a non-leap year
      '44030519000229123', // 1900 is not a leap year
    ]) {
      assert.equal(mainlandIdProblem(withCheck(first17)), BIRTH_MESSAGE, first17);
    }
  });

  test('29 February of a leap year is a valid birth date', () => {
    assert.equal(mainlandIdProblem(withCheck('44030520000229123')), null);
    assert.equal(mainlandIdProblem(withCheck('44030519960229123')), null);
  });

  test('a wrong length is rejected', () => {
    const valid = withCheck('44030519900101123');
    for (const id of [valid.slice(0, 17), valid + '0', valid.slice(0, 15), '', '440305900101123' /* old 15-digit form */]) {
      assert.equal(mainlandIdProblem(id), SHAPE_MESSAGE, JSON.stringify(id));
    }
  });

  test('a lowercase x check character is rejected', () => {
    assert.equal(mainlandIdProblem('11010519491231002X'), null);
    assert.equal(mainlandIdProblem('11010519491231002x'), SHAPE_MESSAGE);
  });

  test('X anywhere but the last position, letters, spaces and dashes are rejected', () => {
    for (const id of [
      'X1010519491231002X',
      '1101051949123100AX',
      '110105 9491231002X',
      ' 11010519491231002X',
      '11010519491231002X ',
      '110105-19491231-002X',
    ]) {
      assert.equal(mainlandIdProblem(id), SHAPE_MESSAGE, JSON.stringify(id));
    }
  });
});

describe('maskIdNumber', () => {
  test('keeps only the first 3 and the last 2 characters of an 18-character number', () => {
    const masked = maskIdNumber('11010519491231002X');
    assert.equal(masked, '110*************2X');
    assert.equal(masked.length, 18);
    assert.doesNotMatch(masked.slice(3, -2), /[^*]/);
  });

  test('the birth date never appears in the mask', () => {
    const id = withCheck('44030519900101123');
    assert.ok(!maskIdNumber(id).includes('19900101'));
    assert.equal(maskIdNumber(id), `440${'*'.repeat(13)}${id.slice(-2)}`);
  });

  test('short values are masked entirely, a 6-character one keeps 3 + 2', () => {
    assert.equal(maskIdNumber('E1234'), '*****');
    assert.equal(maskIdNumber(''), '');
    assert.equal(maskIdNumber('E12345'), 'E12*45');
    assert.equal(maskIdNumber('E12345678'), 'E12****78');
  });
});
