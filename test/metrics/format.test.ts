import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/dataset/numbers.js';
import { formatFixed, formatFixed4 } from '../../src/metrics/format.js';

describe("formatFixed4 prints as C's %.4f", () => {
  it.each([
    [1 / 32, '0.0312'], // an exact half goes to the even digit (toFixed says 0.0313)
    [5 / 32, '0.1562'],
    [3 / 32, '0.0938'],
    [0.5, '0.5000'],
    [1, '1.0000'],
    [2 / 3, '0.6667'],
    [0.00005, '0.0001'], // not an exact half in binary: rounds as the exact value says
    [0, '0.0000'],
  ])('%d → %s', (value, expected) => {
    expect(formatFixed4(value)).toBe(expected);
  });
});

describe("formatFixed prints as C's %.Nf at any precision", () => {
  it.each([
    [0.125, 2, '0.12'], // odd multiples of 1/8 are the exact halves at 2 decimals
    [0.375, 2, '0.38'],
    [0.1, 2, '0.10'],
    [2, 2, '2.00'],
    [-0.625, 2, '-0.62'],
  ])('%d with %d decimals → %s', (value, digits, expected) => {
    expect(formatFixed(value, digits)).toBe(expected);
  });
});

describe('parseDecimal gives the correctly rounded double', () => {
  const cases = [
    '2.129133',
    '1e-05',
    '2.5E+01',
    '+4.25',
    '-0.0',
    '0.1',
    '123456789012345678901234567890',
    '0.30000000000000004',
    '9007199254740993',
    '.5',
    '5.',
    '1.7976931348623157e308',
    '4.9e-324',
  ];
  it.each(cases)('%s', (text) => {
    const buf = Buffer.from(`x ${text} y`);
    expect(Object.is(parseDecimal(buf, 2, 2 + text.length), Number(text))).toBe(true);
  });

  it('agrees with Number() on 20,000 random 6-decimal and 15-digit scores', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 20000; i++) {
      const text = i % 2 === 0 ? (random() * 100).toFixed(6) : (random() * 10 ** (i % 20)).toPrecision(15);
      const buf = Buffer.from(text);
      expect(parseDecimal(buf, 0, buf.length)).toBe(Number(text));
    }
  });

  it.each(['abc', 'nan', 'inf', '0x10', '1e', '', '-', '1.2.3', 'Infinity'])('refuses %j', (text) => {
    const buf = Buffer.from(text);
    expect(parseDecimal(buf, 0, buf.length)).toBeNaN();
  });
});
