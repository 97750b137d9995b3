import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCase } from './synthetic-trec.js';
import { canMeasureRss, describeTimings, findOnPath, isExecutable, median, timeRepeated } from './timing.js';

/**
 * `retrieval-gate trec-eval` on a TREC-sized case: 7,000 queries × 1,000 results with ~10 judgments per
 * query, per query (-q): the measures a typical evaluation asks for, and trec_eval's whole all_trec set.
 * Targets for the first are half NIST trec_eval's wall time and twice its peak memory on the reference
 * machine (../shared/conformance/README.md); all_trec must stay faster than NIST trec_eval there (8.1 s,
 * 584 MiB on this project's 2-core machine).
 */
export const name = 'trec-eval';

const PARAMS = { queries: 7000, depth: 1000, judged: 10, seed: 1 };
const RUNS = 3;

const MEASURES = [
  ['-m', 'P.1,5,10,20'],
  ['-m', 'recall.5,10,100'],
  ['-m', 'recip_rank'],
  ['-m', 'map'],
  ['-m', 'Rprec'],
  ['-m', 'ndcg_cut.5,10,100'],
  ['-m', 'ndcg'],
  ['-m', 'success.1,5,10'],
  ['-m', 'num_rel'],
  ['-m', 'num_ret'],
  ['-m', 'num_rel_ret'],
].flat();

const CASES = [
  { label: 'typical measures', measures: MEASURES, targetSeconds: 3.1, targetMiB: 1140 },
  { label: 'all_trec', measures: ['-m', 'all_trec'], targetSeconds: 8.1, targetMiB: 1140 },
];

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export async function run(): Promise<void> {
  const started = Date.now();
  const data = syntheticCase(PARAMS);
  console.log(
    `case: ${PARAMS.queries} queries × ${PARAMS.depth} results, ~${PARAMS.judged} judgments per query ` +
      `(${data.generated ? `generated in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'cached'}: ${dirname(data.runPath)})`,
  );
  const reference = referenceBinary();
  if (reference === undefined)
    console.log('NIST trec_eval: not found (set TREC_EVAL_BIN or put trec_eval on PATH to compare)');
  for (const c of CASES) {
    console.log(`-- ${c.label}`);
    const args = ['-q', ...c.measures, data.qrelsPath, data.runPath];
    const oursOut = join(tmpdir(), 'retrieval-gate-bench', 'trec-eval.ours.txt');
    const ours = timeRepeated(process.execPath, [CLI, 'trec-eval', ...args], oursOut, RUNS);
    console.log(`retrieval-gate trec-eval: ${describeTimings(ours)}`);
    const peak = ours.map((t) => t.peakMiB ?? Number.NaN);
    console.log(
      `  target: ≤ ${c.targetSeconds} s wall (${median(ours.map((t) => t.seconds)) <= c.targetSeconds ? 'met' : 'not met'}), ` +
        `≤ ${c.targetMiB} MiB peak RSS (${canMeasureRss ? (Math.max(...peak) <= c.targetMiB ? 'met' : 'not met') : 'unmeasured'})`,
    );
    if (reference === undefined) continue;
    const theirsOut = join(tmpdir(), 'retrieval-gate-bench', 'trec-eval.nist.txt');
    const theirs = timeRepeated(reference, args, theirsOut, RUNS);
    console.log(`NIST trec_eval:           ${describeTimings(theirs)}`);
    const ratio = median(ours.map((t) => t.seconds)) / median(theirs.map((t) => t.seconds));
    console.log(
      `  ${ratio.toFixed(2)}× NIST's wall time; output: ${compareOutputs(readFileSync(oursOut), readFileSync(theirsOut))}`,
    );
  }
}

function referenceBinary(): string | undefined {
  const fromEnv = process.env.TREC_EVAL_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isExecutable(fromEnv)) return fromEnv;
    console.log(`TREC_EVAL_BIN=${fromEnv} is not an executable; ignoring it`);
  }
  return findOnPath('trec_eval');
}

/** "byte-identical (N lines)" or where the first difference is. */
function compareOutputs(ours: Buffer, theirs: Buffer): string {
  const ourLines = ours.toString('utf8').split('\n');
  if (ours.equals(theirs)) return `byte-identical to NIST trec_eval (${ourLines.length - 1} lines)`;
  const theirLines = theirs.toString('utf8').split('\n');
  const i = ourLines.findIndex((line, j) => line !== theirLines[j]);
  const at = i < 0 ? ourLines.length : i;
  return (
    `DIFFERENT from NIST trec_eval at line ${at + 1}:\n` +
    `    ours:  ${JSON.stringify(ourLines[at] ?? '<end of output>')}\n` +
    `    NIST:  ${JSON.stringify(theirLines[at] ?? '<end of output>')}`
  );
}
