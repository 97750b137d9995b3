import { annRecall, annRecallName } from '../metrics/ann-recall.js';
import { type BootstrapOptions, bootstrapMeanIntervals } from '../metrics/bootstrap.js';
import { sortIds } from '../metrics/order.js';
import type { Run } from '../metrics/types.js';
import type { MeasureSummary } from './types.js';

/** ANNRecall of an approximate run against the exact run of the same index: means, CIs, per-query values. */
export interface AnnRecallFigures {
  /** By measure name (ANNRecall@10…): the mean over the checked queries, with its bootstrap interval. */
  recall: Record<string, MeasureSummary>;
  /** Columnar per-query values: values[measure][i] belongs to qids[i]. */
  perQuery: { qids: string[]; values: Record<string, number[]> };
}

/** The cutoffs ANNRecall is measured at: 10 (the usual gate) and the system's k, as far as k reaches. */
export function annCutoffs(k: number): number[] {
  return [...new Set([10, k])].filter((cutoff) => cutoff <= k).sort((a, b) => a - b);
}

/**
 * ANNRecall@cutoff per query of `exact` (the checked queries), the approximate top k read from `approximate`
 * (a query it lacks returned nothing), aggregated as evaluations are: the mean and a percentile bootstrap CI.
 */
export function annRecallFigures(
  approximate: Run,
  exact: Run,
  cutoffs: number[],
  bootstrap: BootstrapOptions,
): AnnRecallFigures {
  const qids = sortIds(exact.queries.keys());
  const none = { docids: [], scores: [] };
  const columns = cutoffs.map((cutoff) =>
    Float64Array.from(qids, (qid) =>
      annRecall(approximate.queries.get(qid) ?? none, exact.queries.get(qid) ?? none, cutoff),
    ),
  );
  const intervals = bootstrapMeanIntervals(columns, bootstrap);
  const recall: Record<string, MeasureSummary> = {};
  const values: Record<string, number[]> = {};
  cutoffs.forEach((cutoff, c) => {
    const column = columns[c] as Float64Array;
    const name = annRecallName(cutoff);
    recall[name] = {
      value: column.length ? column.reduce((sum, v) => sum + v, 0) / column.length : 0,
      ciLow: intervals[c]?.low ?? null,
      ciHigh: intervals[c]?.high ?? null,
    };
    values[name] = Array.from(column);
  });
  return { recall, perQuery: { qids, values } };
}
