import { type Command, Option } from 'commander';
import type { CompareCorrection, CompareTest } from '../evaluation/compare-runs.js';
import type { CompareFormat } from '../report/compare-tables.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { collect, parseIntegerOption, parseProbabilityOption } from './options.js';

interface CompareFlags {
  dataset?: string;
  run: string[];
  results: string[];
  measures: string;
  level: number;
  skipMissing?: boolean;
  test: CompareTest;
  correction: CompareCorrection;
  alpha: number;
  samples: number;
  seed: number;
  format: CompareFormat;
  perQuery?: string;
}

/** `compare`: several runs on one dataset as a paper's results table, with pairwise significance. */
export function registerCompare(program: Command, cli: Cli): void {
  program
    .command('compare')
    .description(
      'compare runs on one dataset: means, pairwise paired tests with a correction, letters for the runs each beats, win/tie/loss',
    )
    .option('--dataset <ref>', 'dataset folder or name@version (default: the run folders’)')
    .option('--run <file>', 'run file (TREC or JSONL); repeat', collect, [])
    .option('--results <dir>', 'a run folder: each of its systems is a run; repeat', collect, [])
    .option('--measures <list>', 'comma-separated measures', 'nDCG@10,R@10,RR,AP')
    .option(
      '--level <n>',
      'relevance level: rel >= n counts as relevant',
      parseIntegerOption('--level', 0),
      1,
    )
    .option('--skip-missing', 'leave judged queries a run has no results for out of its means')
    .addOption(
      new Option('--test <test>', 'paired test')
        .choices(['randomization', 't', 'bootstrap'])
        .default('randomization'),
    )
    .addOption(
      new Option('--correction <c>', 'multiple-comparison correction over the pairs of a measure')
        .choices(['holm', 'bonferroni', 'none'])
        .default('holm'),
    )
    .option('--alpha <p>', 'significance level', parseProbabilityOption('--alpha'), 0.05)
    .option(
      '--samples <n>',
      'resamples of the randomization and bootstrap tests',
      parseIntegerOption('--samples', 100),
      10_000,
    )
    .option('--seed <n>', 'seed of the resampling', parseIntegerOption('--seed', 0), 42)
    .addOption(
      new Option('--format <f>', 'output').choices(['table', 'markdown', 'csv', 'latex']).default('table'),
    )
    .option(
      '--per-query <file>',
      'write per-query values: run qid measure value (TSV; .jsonl for JSON lines)',
    )
    .action(async (flags: CompareFlags) => {
      const { compareRunFiles } = await import('../app/compare.js');
      const outcome = compareRunFiles({
        ...(flags.dataset ? { dataset: flags.dataset } : {}),
        runs: flags.run,
        results: flags.results,
        measures: flags.measures,
        measuresFlag: '--measures',
        relevanceLevel: flags.level,
        skipMissing: flags.skipMissing,
        compare: {
          test: flags.test,
          correction: flags.correction,
          alpha: flags.alpha,
          samples: flags.samples,
          seed: flags.seed,
        },
        format: flags.format,
        ...(flags.perQuery ? { perQuery: flags.perQuery } : {}),
      });
      for (const message of outcome.warnings) warn(cli.stderr, message);
      cli.stdout.write(outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
      if (flags.perQuery) cli.stderr.write(`per-query values written to ${flags.perQuery}\n`);
    });
}
