import type { Command } from 'commander';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { collect, parseIntegerOption } from './options.js';

interface TrecEvalFlags {
  q?: boolean;
  c?: boolean;
  l: number;
  M?: number;
  J?: boolean;
  N: number;
  Z?: string;
  m: string[];
}

export function registerTrecEval(program: Command, cli: Cli): void {
  program
    .command('trec-eval')
    .description("drop-in for NIST trec_eval's common use: same measure names, same output lines")
    .argument('<qrels>', 'TREC qrels file (qid iter docid rel)')
    .argument('<run>', 'TREC run file (qid Q0 docid rank score tag)')
    .option('-q', 'print per-query values as well as the all row')
    .option('-c', 'average over every judged query; a query missing from the run scores 0')
    .option('-l <level>', 'relevance level: rel >= level counts as relevant', parseIntegerOption('-l', 0), 1)
    .option('-M <n>', 'evaluate only the top n results of each query', parseIntegerOption('-M', 1))
    .option('-J', 'judged documents only: unjudged ones are removed from each ranking before measuring')
    .option('-N <docs>', 'documents in the collection (for utility)', parseIntegerOption('-N', 0), 0)
    .option(
      '-Z <file>',
      'print z-scores: (value - mean) / stddev per query and measure, from lines "qid measure mean stddev"',
    )
    .option(
      '-m <measure>',
      'measure, trec_eval names (P.5,10 ndcg_cut.10 map bpref ndcg.1=3,2=9 all_trec ...); repeatable',
      collect,
      [],
    )
    .action(async (qrels: string, run: string, flags: TrecEvalFlags) => {
      const { trecEvalFiles } = await import('../app/trec-eval.js');
      const { lines, missingFromRun } = trecEvalFiles({
        qrels,
        run,
        measures: flags.m,
        measuresFlag: '-m',
        relevanceLevel: flags.l,
        depth: flags.M,
        judgedOnly: flags.J === true,
        docs: flags.N,
        ...(flags.Z === undefined ? {} : { zscores: flags.Z }),
        completeQueries: flags.c === true,
        perQuery: flags.q === true,
      });
      if (missingFromRun.length > 0) {
        const list = missingFromRun.slice(0, 5).join(', ');
        warn(
          cli.stderr,
          `${missingFromRun.length} judged queries have no results in the run and are not averaged (${list}${missingFromRun.length > 5 ? ', ...' : ''}); use -c to count them as 0`,
        );
      }
      cli.stdout.write(`${lines.join('\n')}\n`);
    });
}
