import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCase } from './synthetic-trec.js';
import { describeTimings, median, type Timing, timeCommand } from './timing.js';

/**
 * `eval` (bootstrap intervals with 1,000 resamples, the evaluation JSON) against `trec-eval` on the same run
 * and the same measures, on a TREC-sized run (7,000 × 1,000) and on many short rankings (100,000 × 100).
 * Goal (issue 23): eval within 1.2× trec-eval's wall time and 1.5× its peak RSS on both.
 */
export const name = 'eval';

const SHAPES = [
  { queries: 7000, depth: 1000, judged: 10, seed: 1 },
  { queries: 100_000, depth: 100, judged: 10, seed: 1 },
];
const RUNS = 5;
const MEASURES = 'R@5,P@5,RR,nDCG@10,AP';
const TREC_MEASURES = ['-m', 'recall.5', '-m', 'P.5', '-m', 'recip_rank', '-m', 'ndcg_cut.10', '-m', 'map'];
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export async function run(): Promise<void> {
  const out = join(tmpdir(), 'retrieval-gate-bench');
  for (const shape of SHAPES) {
    const data = syntheticCase(shape);
    const dataset = datasetOf(data.qrelsPath);
    console.log(`-- ${shape.queries} queries × ${shape.depth} results (${dirname(data.runPath)})`);
    const evaluation = join(out, 'eval-bench.json');
    const trecArgs = [CLI, 'trec-eval', ...TREC_MEASURES, data.qrelsPath, data.runPath];
    const evalArgs = [CLI, 'eval', '--dataset', dataset, '--run', data.runPath, '--measures', MEASURES];
    // Alternately, so that the load of a shared machine, which drifts, weighs on both alike.
    const trec: Timing[] = [];
    const ours: Timing[] = [];
    for (let i = 0; i < RUNS; i++) {
      trec.push(timeCommand(process.execPath, trecArgs, join(out, 'eval-bench.trec.txt')));
      ours.push(
        timeCommand(process.execPath, [...evalArgs, '--out', evaluation], join(out, 'eval-bench.table.txt')),
      );
    }
    console.log(`trec-eval: ${describeTimings(trec)}`);
    console.log(`eval:      ${describeTimings(ours)}`);
    const wall = median(ours.map((t) => t.seconds)) / median(trec.map((t) => t.seconds));
    const fastest = Math.min(...ours.map((t) => t.seconds)) / Math.min(...trec.map((t) => t.seconds));
    const rss =
      Math.max(...ours.map((t) => t.peakMiB ?? Number.NaN)) /
      Math.max(...trec.map((t) => t.peakMiB ?? Number.NaN));
    console.log(
      `  eval / trec-eval: ${wall.toFixed(2)}× wall (target ≤ 1.2×: ${wall <= 1.2 ? 'met' : 'not met'}; ` +
        `fastest runs ${fastest.toFixed(2)}×), ` +
        `${Number.isNaN(rss) ? 'RSS unmeasured' : `${rss.toFixed(2)}× peak RSS (target ≤ 1.5×: ${rss <= 1.5 ? 'met' : 'not met'})`}`,
    );
  }
}

/** The synthetic qrels as a dataset folder (queries named by their ids), imported once and cached beside them. */
function datasetOf(qrelsPath: string): string {
  const dir = join(dirname(qrelsPath), 'dataset');
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  const qids = new Set(
    readFileSync(qrelsPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')[0]),
  );
  const topics = join(dirname(qrelsPath), 'topics.tsv');
  writeFileSync(topics, [...qids].map((qid) => `${qid}\tquery ${qid}\n`).join(''));
  const made = timeCommand(
    process.execPath,
    [
      CLI,
      'dataset',
      'import',
      '--from',
      'trec',
      qrelsPath,
      '--queries',
      topics,
      '--name',
      'synthetic',
      '--version',
      '1',
      '--out',
      dir,
    ],
    join(tmpdir(), 'retrieval-gate-bench', 'eval-bench.import.txt'),
  );
  console.log(`dataset imported in ${made.seconds.toFixed(1)} s: ${dir}`);
  return dir;
}
