/**
 * Formats a value with 4 decimals exactly as C's printf("%.4f") does (trec_eval's output).
 * printf rounds the exact binary value and sends exact halves to the even digit; toFixed rounds halves up.
 * A double is an exact half at the 4th decimal only when it is an odd multiple of 1/32.
 */
export function formatFixed4(value: number): string {
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const magnitude = Math.abs(value);
  const thirtySeconds = magnitude * 32; // exact: a power-of-two scaling
  if (!(Number.isInteger(thirtySeconds) && thirtySeconds % 2 === 1)) return sign + magnitude.toFixed(4);
  const lower = Math.floor(magnitude * 10000); // exact: k/32 * 10^4 = k * 312.5
  const even = lower % 2 === 0 ? lower : lower + 1;
  return `${sign}${Math.floor(even / 10000)}.${String(even % 10000).padStart(4, '0')}`;
}
