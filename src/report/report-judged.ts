import { type EvaluateOptions, type Judge, RunEvaluator } from '../metrics/evaluate.js';
import { makeMeasure } from '../metrics/registry.js';
import type { Qrels } from '../metrics/types.js';
import type { Verdict } from '../results/verdict.js';

const JUDGED = /^Judged@(\d+)$/;

/**
 * The Judged@k measures the verdict speaks of (a coverage rule's outcomes, which low-judged warnings come
 * from) that the run did not measure itself: the report adds a column for each, so the share a warning is
 * about can be read beside the measures it puts in doubt. In the order of k.
 */
export function judgedMeasures(verdict: Verdict | null, measured: readonly string[]): string[] {
  const named = new Set(
    (verdict?.outcomes ?? []).map((outcome) => outcome.metric).filter((metric) => JUDGED.test(metric)),
  );
  return [...named].filter((name) => !measured.includes(name)).sort((a, b) => cutoff(a) - cutoff(b));
}

/** Mean Judged@k of one run (its rankings, query by query) for each of `measures`, as the evaluation computes it. */
export function judgedShares(
  qrels: Qrels,
  rankings: ReadonlyMap<string, Judge>,
  measures: readonly string[],
  options: EvaluateOptions,
): Record<string, number> {
  if (measures.length === 0) return {};
  const evaluator = new RunEvaluator(
    qrels,
    measures.map((name) => makeMeasure('Judged', cutoff(name))),
    options,
  );
  for (const [qid, judge] of rankings) evaluator.add(qid, judge);
  const { aggregates } = evaluator.finish();
  return Object.fromEntries(measures.map((name, i) => [name, aggregates[i] as number]));
}

function cutoff(name: string): number {
  return Number(JUDGED.exec(name)?.[1]);
}
