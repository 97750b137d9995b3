/**
 * Formats a value with `digits` decimals exactly as C's printf("%.Nf") does (trec_eval's output).
 * printf rounds the exact binary value and sends exact halves to the even digit; toFixed rounds halves up.
 * A double is an exact half at the Nth decimal only when it is an odd multiple of 1/2^(N+1).
 */
export function formatFixed(value: number, digits: number): string {
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const magnitude = Math.abs(value);
  const halves = magnitude * 2 ** (digits + 1); // exact: a power-of-two scaling
  if (!(Number.isInteger(halves) && halves % 2 === 1)) return sign + magnitude.toFixed(digits);
  const scale = 10 ** digits;
  const lower = Math.floor(magnitude * scale); // exact: an odd multiple of 5^N / 2
  const even = lower % 2 === 0 ? lower : lower + 1;
  return `${sign}${Math.floor(even / scale)}.${String(even % scale).padStart(digits, '0')}`;
}

/** printf("%.4f"): how trec_eval prints every rate. */
export function formatFixed4(value: number): string {
  return formatFixed(value, 4);
}
