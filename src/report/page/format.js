/** Number formats shared by the page's tables, captions and charts. A missing value prints as a dash. */

const DASH = '—';

export function fixed(value, digits = 4) {
  return value === null || value === undefined || Number.isNaN(value) ? DASH : value.toFixed(digits);
}

/** A value as the report stores it, digit for digit: no padding zeros, no rounding away what was kept. */
export function stored(value) {
  return value === null || value === undefined ? DASH : String(value);
}

/** +0.0123, −0.0123 (a real minus sign), ±0.0000 */
export function signed(value, digits = 4) {
  if (value === null || value === undefined) return DASH;
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${Math.abs(value).toFixed(digits)}`;
}

export function interval(low, high, format = fixed) {
  return low === null || low === undefined || high === null || high === undefined
    ? ''
    : `[${format(low)}, ${format(high)}]`;
}

export function milliseconds(value) {
  return value === null || value === undefined ? DASH : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

/** Prices per query are small (0.0000123): three significant digits, in the config's price unit. */
export function price(value) {
  return value === null || value === undefined ? DASH : value.toPrecision(3);
}

export function count(value) {
  return value.toLocaleString('en');
}
