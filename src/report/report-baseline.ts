import { pairQueries } from '../gate/compare.js';
import { type PairedBootstrapOptions, pairedBootstraps } from '../metrics/paired.js';
import { parseMeasure } from '../metrics/registry.js';
import type { MeasuredSystem } from '../results/measured.js';
import type { ReportSystem } from './report-data.types.js';

/**
 * Per measure, the candidate's mean per-query difference from its baseline system with a paired bootstrap
 * interval: paired over the queries both evaluated, so the query-to-query variance they share cancels out.
 * Counts (NumRet…) are sums, not means, so they have no per-query mean difference and are left out, as are
 * measures one side lacks.
 */
export function vsBaseline(
  candidate: MeasuredSystem,
  baseline: MeasuredSystem,
  measures: string[],
  bootstrap: PairedBootstrapOptions,
): NonNullable<ReportSystem['vsBaseline']> {
  const compared = measures.filter(
    (m) =>
      m in candidate.perQuery.values && m in baseline.perQuery.values && parseMeasure(m).aggregate === 'mean',
  );
  // Every measure of a system has the same queries, so all pair alike and share the resamples.
  const pairs = compared.map((m) => pairQueries(candidate, baseline, m));
  if (pairs.length === 0 || pairs[0]?.qids.length === 0) return {};
  const differences = pairedBootstraps(pairs, bootstrap);
  return Object.fromEntries(
    compared.map((m, i) => {
      const { mean, ci } = differences[i] as (typeof differences)[0];
      return [m, { difference: mean, ciLow: ci.low, ciHigh: ci.high }];
    }),
  );
}
