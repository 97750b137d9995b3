/**
 * Number parsing straight from bytes, for run and qrels files of millions of lines. Strict: a field
 * that is not a well-formed decimal number is refused (trec_eval would read it as 0).
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal number ("2.129133", "1e-05", "+4.25", "-0.0") in bytes [start, end).
 * Returns NaN when the text is not a decimal number. The result is the correctly rounded double, the
 * same one C's strtod gives, so equal-score ties break exactly as in trec_eval: the fast path is used only
 * when it is exact (at most 15 significant digits and a power of ten up to 1e22, Clinger's fast path).
 */
export function parseDecimal(buf: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = buf[i];
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let sawDigit = false;
  let sawDot = false;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (mantissa !== 0 || c !== 48) digits++;
      mantissa = mantissa * 10 + (c - 48);
      if (sawDot) scale++;
    } else if (c === 46 && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (i === end && sawDigit && digits <= 15 && scale <= 22) {
    const value = mantissa / (POW10[scale] as number);
    return negative ? -value : value;
  }
  return parseDecimalText(buf.toString('latin1', start, end));
}

/** A decimal that overflows a double (1e400) is as unusable as a word: NaN. */
export function parseDecimalText(text: string): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Parses an integer ("-1", "2") in bytes [start, end); NaN when it is not one. */
export function parseInteger(buf: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (buf[i] === 45 || buf[i] === 43) {
    negative = buf[i] === 45;
    i++;
  }
  if (i === end || end - i > 15) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
  }
  return negative ? -value : value;
}
