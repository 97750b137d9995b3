import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluateRunFiles } from '../src/app/eval.js';
import type { Decide, PairedTest } from '../src/config/gate-policy.js';
import { compareDrop, type DropComparison, dropFails } from '../src/gate/decide.js';
import { seededRandom } from '../src/metrics/random.js';
import {
  minimumDetectableEffect,
  pairedBootstrapTest,
  pairedTTest,
  summarizeDifferences,
} from '../src/metrics/significance.js';
import { PACKAGE_ROOT } from '../src/package-root.js';

/**
 * Does a maxDrop rule do what it promises on data shaped like real evaluation data? The per-query R@5 of
 * the example dataset's two shipped runs (BM25 and title-word overlap, 73 queries) is the population; each
 * simulated comparison draws its queries from it with replacement.
 *
 * (a) Equal true quality. On every drawn query a fair coin decides which run plays the candidate. The two
 *     systems are then exchangeable, so neither is better, yet each pair has the paired variance of two
 *     real, different systems (their per-query differences, with random signs). Every failure is a false
 *     fail.
 * (b) A true drop of 0.05. The same draws, then each query's candidate value is set to 0 with probability
 *     0.05 / μ, μ being the candidate's true mean (the mean of both runs over the 73 queries): the expected
 *     loss is exactly 0.05. Zeroing, not shaving every query a little, because real regressions look like
 *     that: some queries break outright (a document no longer indexed, a model that misreads a phrasing)
 *     while most keep their results; it also adds the variance such breaks bring.
 *
 * Rules tried: maxDrop 0 (any drop: shows each test's calibration, the false-fail rate should be ≈ alpha)
 * and maxDrop 0.03 (a typical allowance: the false-fail rate is what a team would see). Targets: at most
 * 5 % false fails for `significant`, at least 80 % detection of the 5-point drop on 300 queries.
 */
export const name = 'gate-validity';

const DATASET = join(PACKAGE_ROOT, 'datasets', 'bike-repair', '1.0.0');
const RUNS = ['bm25', 'title-overlap'];
const MEASURE = 'R@5';
const PAIRS = 1000;
const QUERY_COUNTS = [300, 100];
const THRESHOLDS = [0, 0.03];
const TRUE_DROP = 0.05;
const ALPHA = 0.05;
const POWER = 0.8;
/** Resamples of each randomization or bootstrap test and of each CI (policies default to 10,000). */
const SAMPLES = 2000;
const SEED = 4;

interface Row {
  label: string;
  fails: (comparison: DropComparison, pValues: Record<PairedTest, number>) => boolean;
}

const significant = (test: PairedTest): Row => ({
  label: `significant, ${test}`,
  fails: (comparison, pValues) => dropFails(comparison, 'significant', pValues[test], ALPHA),
});
const decidedBy = (decide: Decide, label: string): Row => ({
  label,
  fails: (comparison) => dropFails(comparison, decide, comparison.pValue, ALPHA),
});
const ROWS: Row[] = [
  decidedBy('point', 'point'),
  significant('randomization'),
  significant('t'),
  significant('bootstrap'),
  decidedBy('confident', `confident (${percent(1 - 2 * ALPHA, 0)} CI)`),
];

/** Failures per row and threshold over the simulated pairs of one scenario, and what the pairs looked like. */
interface Tally {
  fails: number[][];
  dropSum: number;
  sdSum: number;
}

export async function run(): Promise<void> {
  const start = performance.now();
  const { evaluation } = evaluateRunFiles({
    dataset: DATASET,
    runs: RUNS.map((run) => join(DATASET, 'runs', `${run}.trec`)),
    measures: MEASURE,
  });
  const [first, second] = evaluation.runs;
  if (!first || !second || first.perQuery.qids.join() !== second.perQuery.qids.join()) {
    throw new Error('the two example runs are not evaluated on the same queries');
  }
  const a = Float64Array.from(first.perQuery.values[MEASURE] ?? []);
  const b = Float64Array.from(second.perQuery.values[MEASURE] ?? []);
  const observed = summarizeDifferences(a, b);
  // With random swaps the differences are ±(a − b): mean 0, spread the root mean square of a − b.
  let squares = 0;
  for (let q = 0; q < a.length; q++) squares += ((a[q] as number) - (b[q] as number)) ** 2;
  const sdSwapped = Math.sqrt(squares / a.length);
  const candidateMean = (mean(a) + mean(b)) / 2;

  console.log(
    `${MEASURE} per query, ${evaluation.dataset.name}@${evaluation.dataset.version}, ${a.length} queries: ${first.name} ${fixed(mean(a))}, ${second.name} ${fixed(mean(b))}`,
  );
  console.log(
    `  differences ${first.name} − ${second.name}: mean ${fixed(observed.mean)}, sd ${fixed(observed.sd)}; with random swaps (the simulation): mean 0, sd ${fixed(sdSwapped)}`,
  );
  const standardErrors = QUERY_COUNTS.map(
    (n) =>
      `${fixed(sdSwapped / Math.sqrt(n))} on ${n} queries (${((100 * sdSwapped) / Math.sqrt(n)).toFixed(1)} points)`,
  );
  console.log(
    `  standard error of the mean difference: ${standardErrors.join(', ')}; the issue expected ~1.5–2 points on 300, 3–3.5 on 100`,
  );
  const mdes = QUERY_COUNTS.map(
    (n) =>
      `${fixed(minimumDetectableEffect({ sdDifference: sdSwapped, queries: n, alpha: ALPHA, power: POWER }))} on ${n} queries`,
  );
  console.log(`  minimum detectable effect (one-sided alpha ${ALPHA}, power ${POWER}): ${mdes.join(', ')}`);
  console.log(
    `${PAIRS.toLocaleString('en')} simulated pairs per scenario (seed ${SEED}); ${SAMPLES.toLocaleString('en')} resamples per test and per CI; alpha ${ALPHA}; a share's Monte Carlo standard error is ≤ 1.6 points (0.7 near 5 %)`,
  );

  const random = seededRandom(SEED);
  const results = QUERY_COUNTS.map((n) => simulate(a, b, n, TRUE_DROP / candidateMean, random));
  printTable(
    '(a) equal true quality: share of pairs the rule fails (false fails)',
    results.map((r) => r.equal),
    'significant ≤ 5 %',
  );
  const realised = results
    .map(
      (r, i) =>
        `drop ${fixed(r.drop.dropSum / PAIRS)}, sd ${fixed(r.drop.sdSum / PAIRS)} on ${QUERY_COUNTS[i]} queries`,
    )
    .join('; ');
  printTable(
    `(b) true drop of ${TRUE_DROP}: share of pairs the rule fails (detections)`,
    results.map((r) => r.drop),
    'significant ≥ 80 % on 300',
  );
  console.log(`  mean over the pairs: ${realised} (zeroing adds to the spread)`);
  console.log(`${((performance.now() - start) / 1000).toFixed(1)} s`);
}

/** Both scenarios on the same draws of `queries` queries, pair after pair. */
function simulate(
  a: Float64Array,
  b: Float64Array,
  queries: number,
  dropProbability: number,
  random: () => number,
): { equal: Tally; drop: Tally } {
  const equal = emptyTally();
  const drop = emptyTally();
  const candidate = new Float64Array(queries);
  const baseline = new Float64Array(queries);
  for (let pair = 0; pair < PAIRS; pair++) {
    for (let i = 0; i < queries; i++) {
      const q = Math.floor(random() * a.length);
      const swap = random() < 0.5;
      candidate[i] = (swap ? b[q] : a[q]) as number;
      baseline[i] = (swap ? a[q] : b[q]) as number;
    }
    tally(equal, candidate, baseline, SEED + pair);
    for (let i = 0; i < queries; i++) if (random() < dropProbability) candidate[i] = 0;
    tally(drop, candidate, baseline, SEED + pair);
  }
  return { equal, drop };
}

function emptyTally(): Tally {
  return { fails: ROWS.map(() => THRESHOLDS.map(() => 0)), dropSum: 0, sdSum: 0 };
}

/** One simulated comparison, decided by every row at every threshold. The CI is computed once. */
function tally(into: Tally, candidate: Float64Array, baseline: Float64Array, seed: number): void {
  const comparison = compareDrop(candidate, baseline, {
    threshold: { abs: 0 },
    test: 'randomization',
    samples: SAMPLES,
    seed,
    confidence: 1 - 2 * ALPHA,
  });
  const resampling = { samples: SAMPLES, seed, alternative: 'less' } as const;
  const pValues: Record<PairedTest, number> = {
    randomization: comparison.pValue,
    t: pairedTTest(candidate, baseline, 'less').pValue,
    bootstrap: pairedBootstrapTest(candidate, baseline, resampling),
  };
  into.dropSum += comparison.drop;
  into.sdSum += comparison.sdDifference;
  ROWS.forEach((row, r) => {
    const counts = into.fails[r] as number[];
    THRESHOLDS.forEach((threshold, t) => {
      if (row.fails({ ...comparison, threshold }, pValues)) counts[t] = (counts[t] as number) + 1;
    });
  });
}

const LABEL_WIDTH = 28;
const CELL_WIDTH = 14;

function printTable(title: string, tallies: Tally[], target: string): void {
  console.log(title);
  const groupWidth = THRESHOLDS.length * CELL_WIDTH;
  const groups = QUERY_COUNTS.map((n) => `${n} queries`.padStart(groupWidth)).join('');
  console.log(`  ${''.padEnd(LABEL_WIDTH)}${groups}`);
  const heads = QUERY_COUNTS.map(() =>
    THRESHOLDS.map((t) => `maxDrop ${t}`.padStart(CELL_WIDTH)).join(''),
  ).join('');
  console.log(`  ${''.padEnd(LABEL_WIDTH)}${heads}  target`);
  ROWS.forEach((row, r) => {
    const cells = tallies
      .map((tally) =>
        THRESHOLDS.map((_, t) => percent((tally.fails[r]?.[t] ?? 0) / PAIRS, 1).padStart(CELL_WIDTH)).join(
          '',
        ),
      )
      .join('');
    console.log(
      `  ${row.label.padEnd(LABEL_WIDTH)}${cells}  ${row.label.startsWith('significant') ? target : ''}`.trimEnd(),
    );
  });
}

function mean(values: Float64Array): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function fixed(value: number): string {
  return value.toFixed(4);
}

function percent(share: number, digits: number): string {
  return `${(100 * share).toFixed(digits)} %`;
}
