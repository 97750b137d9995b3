/**
 * Cohen's kappa: how far two annotators agree beyond the agreement their grade frequencies give by chance.
 * Weighted for grades, a near miss (2 for 3) counts as a partial agreement: `linear` weighs a disagreement
 * by its distance on the scale, `quadratic` by the distance squared; `none` counts every disagreement alike.
 * κ = 1 − Σ w·observed / Σ w·expected, with the expected table from the two annotators' marginals.
 */
export type KappaWeighting = 'none' | 'linear' | 'quadratic';

/**
 * `pairs`: the two annotators' grades of the same items; `scale`: the lowest and highest grade. Null when
 * kappa is undefined: no pairs, or chance alone agrees fully (both gave one and the same grade throughout).
 */
export function cohenKappa(
  pairs: ReadonlyArray<readonly [number, number]>,
  scale: { min: number; max: number },
  weighting: KappaWeighting = 'none',
): number | null {
  const k = scale.max - scale.min + 1;
  const n = pairs.length;
  if (n === 0 || k < 2) return null;
  const observed = new Float64Array(k * k);
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  for (const [a, b] of pairs) {
    const [i, j] = [a - scale.min, b - scale.min];
    if (!(i >= 0 && i < k && j >= 0 && j < k)) throw new RangeError(`grade ${a} or ${b} outside the scale`);
    observed[i * k + j] = (observed[i * k + j] as number) + 1;
    rows[i] = (rows[i] as number) + 1;
    cols[j] = (cols[j] as number) + 1;
  }
  let disagreed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = weight(Math.abs(i - j), k, weighting);
      disagreed += w * (observed[i * k + j] as number);
      expected += (w * (rows[i] as number) * (cols[j] as number)) / n;
    }
  }
  return expected === 0 ? null : 1 - disagreed / expected;
}

function weight(distance: number, k: number, weighting: KappaWeighting): number {
  if (weighting === 'none') return distance === 0 ? 0 : 1;
  const d = distance / (k - 1);
  return weighting === 'linear' ? d : d * d;
}
