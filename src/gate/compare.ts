import { UserError } from '../errors.js';
import type { EvaluationSettings } from '../evaluation/types.js';
import { sortIds } from '../metrics/order.js';
import type { MeasuredResults, MeasuredSystem } from '../results/measured.js';

/** Comparing a candidate with a baseline: whether the two may be compared, and which queries pair up. */

/**
 * Refuses to compare results measured on different dataset contents unless the user allows it: a drop
 * could then be the dataset's, not the system's. Returns warnings about differences that do not stop the
 * comparison but colour it.
 */
export function checkComparable(
  candidate: MeasuredResults,
  baseline: MeasuredResults,
  allowDatasetChange: boolean,
): string[] {
  const warnings: string[] = [];
  if (candidate.dataset.digest !== baseline.dataset.digest) {
    const change = `the results (${candidate.source}) were measured on ${datasetLabel(candidate)} but the baseline (${baseline.source}) on ${datasetLabel(baseline)}`;
    if (!allowDatasetChange) {
      throw new UserError(
        `${change}; the numbers are not comparable; pass --allow-dataset-change to compare anyway (per-query comparisons use only the queries in both)`,
      );
    }
    warnings.push(
      `the dataset changed: ${change} (${candidate.dataset.judgedQueries} and ${baseline.dataset.judgedQueries} judged queries); per-query comparisons use only the queries in both`,
    );
  }
  const [ours, theirs] = [candidate.settings, baseline.settings];
  if (ours.relevanceLevel !== theirs.relevanceLevel) {
    warnings.push(
      `relevance levels differ: the results count grades ≥ ${ours.relevanceLevel} as relevant, the baseline grades ≥ ${theirs.relevanceLevel}`,
    );
  }
  if (ours.missingQueries !== theirs.missingQueries) {
    warnings.push(
      `judged queries a run has no results for are ${missingTreatment(ours)} in the results but ${missingTreatment(theirs)} in the baseline`,
    );
  }
  return warnings;
}

/**
 * One measure's per-query values of a candidate and a baseline system, aligned over the queries both
 * evaluated, in the evaluation's qid order. Queries only one side has cannot be paired and are left out.
 */
export function pairQueries(
  candidate: MeasuredSystem,
  baseline: MeasuredSystem,
  measure: string,
): { qids: string[]; candidate: Float64Array; baseline: Float64Array } {
  const ours = valuesByQid(candidate, measure);
  const theirs = valuesByQid(baseline, measure);
  const qids = sortIds([...ours.keys()].filter((qid) => theirs.has(qid)));
  return {
    qids,
    candidate: Float64Array.from(qids, (qid) => ours.get(qid) as number),
    baseline: Float64Array.from(qids, (qid) => theirs.get(qid) as number),
  };
}

function valuesByQid(system: MeasuredSystem, measure: string): Map<string, number> {
  const values = system.perQuery.values[measure];
  // Callers check that both sides measured it: reaching here without is a bug, not bad input.
  if (!values) throw new Error(`system '${system.id}' has no per-query values of ${measure}`);
  return new Map(system.perQuery.qids.map((qid, i) => [qid, values[i] as number]));
}

/** "bike-repair@1.0.0 (sha256:29c0c55afd0c…)": enough of the digest to tell two versions apart. */
function datasetLabel(results: MeasuredResults): string {
  const { name, version, digest } = results.dataset;
  return `${name}@${version} (${digest.slice(0, 'sha256:'.length + 12)}…)`;
}

function missingTreatment(settings: EvaluationSettings): string {
  return settings.missingQueries === 'zero' ? 'scored 0' : 'left out';
}
