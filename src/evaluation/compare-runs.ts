import {
  bonferroniAdjust,
  holmAdjust,
  pairedBootstrapTest,
  pairedRandomizationTest,
  pairedTTest,
} from '../metrics/significance.js';
import type { EvaluationFile, RunResult } from './types.js';

export type CompareTest = 'randomization' | 't' | 'bootstrap';
export type CompareCorrection = 'holm' | 'bonferroni' | 'none';

export interface CompareOptions {
  test: CompareTest;
  correction: CompareCorrection;
  alpha: number;
  /** Resamples of the randomization and bootstrap tests, and their seed. */
  samples: number;
  seed: number;
}

/** One pair of runs on one measure, paired over the queries both were evaluated on. */
export interface PairOutcome {
  measure: string;
  /** Run indexes: a before b in the comparison's order. */
  a: number;
  b: number;
  queries: number;
  /** mean(a − b) over the paired queries. */
  difference: number;
  /** Two-sided p-value, and after the correction over every pair of this measure. */
  pValue: number;
  adjustedPValue: number;
  /** Queries where a scores higher, the same, lower than b. */
  wins: number;
  ties: number;
  losses: number;
}

/** Several runs on one dataset, as a paper's results table: means, and who significantly beats whom. */
export interface RunComparison {
  dataset: EvaluationFile['dataset'];
  options: CompareOptions;
  runs: string[];
  measures: string[];
  /** means[run][measure]. */
  means: number[][];
  /** beats[run][measure]: the runs it significantly beats there (higher mean, adjusted p < alpha). */
  beats: number[][][];
  pairs: PairOutcome[];
}

/**
 * Compares runs measure by measure, ranx-style: every pair of runs is tested (two-sided, paired over the
 * queries both have), the p-values of a measure's pairs corrected together (Holm by default: a table of k
 * runs makes k(k−1)/2 comparisons per measure), and a run "beats" another where the corrected p is below
 * alpha and its mean is higher. Pure: the same evaluations and options give the same table.
 */
export function compareRuns(evaluation: EvaluationFile, options: CompareOptions): RunComparison {
  const { runs } = evaluation;
  const measures = evaluation.settings.measures;
  const pairs: PairOutcome[] = [];
  for (const measure of measures) {
    const tested: PairOutcome[] = [];
    for (let a = 0; a < runs.length; a++) {
      for (let b = a + 1; b < runs.length; b++) {
        tested.push(testPair(measure, a, b, runs[a] as RunResult, runs[b] as RunResult, options));
      }
    }
    const adjust =
      options.correction === 'holm'
        ? holmAdjust
        : options.correction === 'bonferroni'
          ? bonferroniAdjust
          : (p: number[]) => p;
    const adjusted = adjust(tested.map((t) => t.pValue));
    tested.forEach((t, i) => {
      t.adjustedPValue = adjusted[i] ?? 1;
    });
    pairs.push(...tested);
  }
  const beats = runs.map(() => measures.map((): number[] => []));
  for (const pair of pairs) {
    if (pair.adjustedPValue >= options.alpha || pair.difference === 0) continue;
    const m = measures.indexOf(pair.measure);
    const [winner, loser] = pair.difference > 0 ? [pair.a, pair.b] : [pair.b, pair.a];
    beats[winner]?.[m]?.push(loser);
  }
  return {
    dataset: evaluation.dataset,
    options,
    runs: runs.map((run) => run.name),
    measures,
    means: runs.map((run) => measures.map((name) => run.measures[name]?.value ?? Number.NaN)),
    beats,
    pairs,
  };
}

function testPair(
  measure: string,
  a: number,
  b: number,
  runA: RunResult,
  runB: RunResult,
  options: CompareOptions,
): PairOutcome {
  const [x, y] = paired(runA, runB, measure);
  let wins = 0;
  let ties = 0;
  for (let i = 0; i < x.length; i++) {
    if ((x[i] as number) > (y[i] as number)) wins++;
    else if (x[i] === y[i]) ties++;
  }
  const resampling = { samples: options.samples, seed: options.seed, alternative: 'two-sided' as const };
  const pValue =
    options.test === 't'
      ? pairedTTest(x, y, 'two-sided').pValue
      : options.test === 'bootstrap'
        ? pairedBootstrapTest(x, y, resampling)
        : pairedRandomizationTest(x, y, resampling);
  const difference = x.length === 0 ? 0 : x.reduce((sum, v, i) => sum + v - (y[i] as number), 0) / x.length;
  return {
    measure,
    a,
    b,
    queries: x.length,
    difference,
    pValue,
    adjustedPValue: pValue,
    wins,
    ties,
    losses: x.length - wins - ties,
  };
}

/** Both runs' values of a measure on the queries both were evaluated on, in the same order. */
function paired(runA: RunResult, runB: RunResult, measure: string): [Float64Array, Float64Array] {
  const valuesB = runB.perQuery.values[measure] ?? [];
  const indexB = new Map(runB.perQuery.qids.map((qid, i) => [qid, valuesB[i] as number]));
  const valuesA = runA.perQuery.values[measure] ?? [];
  const x: number[] = [];
  const y: number[] = [];
  runA.perQuery.qids.forEach((qid, i) => {
    const other = indexB.get(qid);
    if (other === undefined) return;
    x.push(valuesA[i] as number);
    y.push(other);
  });
  return [Float64Array.from(x), Float64Array.from(y)];
}
