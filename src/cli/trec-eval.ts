import type { Command } from 'commander';
import { readTrecQrels } from '../dataset/trec-qrels.js';
import { readTrecRunBlocks, readTrecRunColumns } from '../dataset/trec-run.js';
import { UserError } from '../errors.js';
import {
  type EvaluateOptions,
  evaluateColumnRun,
  type RunEvaluation,
  RunEvaluator,
} from '../metrics/evaluate.js';
import { judgeColumns } from '../metrics/rank.js';
import type { Measure } from '../metrics/registry.js';
import { formatTrecEval, parseTrecMeasures, selectionMeasures } from '../metrics/trec-eval.js';
import type { Qrels } from '../metrics/types.js';
import { warn } from './errors.js';
import { collect, parseIntegerOption } from './options.js';

interface TrecEvalFlags {
  q?: boolean;
  c?: boolean;
  l?: number;
  M?: number;
  m: string[];
}

export function registerTrecEval(program: Command): void {
  program
    .command('trec-eval')
    .description("drop-in for NIST trec_eval's common use: same measure names, same output lines")
    .argument('<qrels>', 'TREC qrels file (qid iter docid rel)')
    .argument('<run>', 'TREC run file (qid Q0 docid rank score tag)')
    .option('-q', 'print per-query values as well as the all row')
    .option('-c', 'average over every judged query; a query missing from the run scores 0')
    .option('-l <level>', 'relevance level: rel >= level counts as relevant', parseIntegerOption('-l', 0), 1)
    .option('-M <n>', 'evaluate only the top n results of each query', parseIntegerOption('-M', 1))
    .option(
      '-m <measure>',
      'measure, trec_eval names (P.5,10 ndcg_cut.10 map recip_rank all_trec ...); repeatable',
      collect,
      [],
    )
    .action((qrelsPath: string, runPath: string, flags: TrecEvalFlags) => {
      const selection = parseTrecMeasures(flags.m);
      const named = selectionMeasures(selection);
      // latin1 keeps ids as raw bytes: exact byte-order tie-breaking and output, as trec_eval.
      const qrels = readTrecQrels(qrelsPath, 'latin1');
      const { evaluation, runId } = evaluateTrecRun(
        qrels,
        runPath,
        named.map((n) => n.measure),
        {
          relevanceLevel: flags.l ?? 1,
          depth: flags.M,
          missing: flags.c ? 'empty' : 'skip',
        },
      );
      if (evaluation.qids.length === 0)
        throw new UserError('no query of the run has judgments in the qrels', { file: runPath });
      if (!flags.c && evaluation.missingFromRun.length > 0) {
        const list = evaluation.missingFromRun.slice(0, 5).join(', ');
        warn(
          `${evaluation.missingFromRun.length} judged queries have no results in the run and are not averaged (${list}${evaluation.missingFromRun.length > 5 ? ', ...' : ''}); use -c to count them as 0`,
        );
      }
      if (selection.omitted) warn(`not computed by retrieval-gate and left out: ${selection.omitted}`);
      const lines = formatTrecEval(
        evaluation,
        named.map((n) => n.trecName),
        selection,
        {
          perQuery: flags.q === true,
          completeQueries: flags.c === true,
          runId,
          qrels,
        },
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/**
 * Evaluates each query as soon as its block of lines ends, so a run of millions of lines is never held
 * whole. A file whose queries are interleaved is read a second time, whole (same values, more memory).
 */
function evaluateTrecRun(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
): { evaluation: RunEvaluation; runId: string } {
  const evaluator = new RunEvaluator(qrels, measures, options);
  const streamed = readTrecRunBlocks(runPath, 'latin1', (qid, results) => {
    evaluator.add(qid, (judgments, level, depth) => judgeColumns(results, judgments, level, 'latin1', depth));
  });
  if (streamed) return { evaluation: evaluator.finish(), runId: streamed.runId };
  const run = readTrecRunColumns(runPath, 'latin1');
  return { evaluation: evaluateColumnRun(qrels, run, measures, options), runId: run.runId };
}
