import type { Command } from 'commander';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { collect, parseIntegerOption, parseProbabilityOption } from './options.js';

interface EvalFlags {
  dataset?: string;
  qrels?: string;
  run: string[];
  measures: string;
  out?: string;
  level: number;
  skipMissing?: boolean;
  strict?: boolean;
  bootstrap: number;
  confidence: number;
  seed: number;
}

export function registerEval(program: Command, cli: Cli): void {
  program
    .command('eval')
    .description(
      'evaluate run files against a dataset or a qrels file: a table of means with confidence intervals, and an evaluation JSON',
    )
    .option('--dataset <ref>', 'dataset folder or name@version')
    .option('--qrels <file>', 'a qrels file instead of a dataset (TREC, JSONL, dict or BEIR TSV; gzip too)')
    .requiredOption('--run <file>', 'run file (TREC or JSONL); repeat to compare runs', collect, [])
    .option('--measures <list>', 'comma-separated measures', 'R@5,P@5,RR,nDCG@10,AP')
    .option('--out <file>', 'write the evaluation JSON here')
    .option(
      '--level <n>',
      'relevance level: rel >= n counts as relevant',
      parseIntegerOption('--level', 0),
      1,
    )
    .option(
      '--skip-missing',
      'leave judged queries a run has no results for out of its means (default: they score 0)',
    )
    .option('--strict', 'judgments of documents absent from the corpus are an error, not a warning')
    .option(
      '--bootstrap <n>',
      'bootstrap resamples for the confidence intervals',
      parseIntegerOption('--bootstrap', 100),
      1000,
    )
    .option(
      '--confidence <p>',
      'confidence level of the intervals',
      parseProbabilityOption('--confidence'),
      0.95,
    )
    .option('--seed <n>', 'seed of the resampling', parseIntegerOption('--seed', 0), 42)
    .action(async (flags: EvalFlags) => {
      const { evaluateWithTable, writeEvaluation } = await import('../app/eval.js');
      const { evaluation, warnings, table } = evaluateWithTable({
        dataset: flags.dataset,
        qrels: flags.qrels,
        runs: flags.run,
        measures: flags.measures,
        measuresFlag: '--measures',
        relevanceLevel: flags.level,
        skipMissing: flags.skipMissing,
        strict: flags.strict,
        bootstrapSamples: flags.bootstrap,
        confidence: flags.confidence,
        seed: flags.seed,
      });
      for (const message of warnings) warn(cli.stderr, message);
      cli.stdout.write(`${table}\n`);
      if (flags.out) {
        writeEvaluation(flags.out, evaluation);
        cli.stderr.write(`evaluation written to ${flags.out}\n`);
      }
    });
}
