import { type Command, Option } from 'commander';
import type { ConflictRule } from '../dataset/judgment-conflicts.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { collect, parseIntegerOption } from './options.js';

interface PoolFlags {
  from: string[];
  depth: number;
  systems?: string;
  out: string;
  dataset?: string;
  queries?: string;
}

interface MergeFlags {
  judgments: string[];
  dataset: string;
  version: string;
  conflicts: ConflictRule;
  out?: string;
  description?: string;
}

/** `judge`: grow the evaluation set — pool unjudged pairs, judge them in the browser, merge a new version. */
export function registerJudge(program: Command, cli: Cli): void {
  const judge = program
    .command('judge')
    .description(
      'grow the evaluation set: pool unjudged results, judge them in the browser, merge a new version',
    );
  judge
    .command('pool')
    .description(
      'TREC pooling: the union of the systems’ top results per query, minus what the dataset judges, most useful first',
    )
    .requiredOption('--from <dir>', 'a run folder (reports/<run-id>); repeat', collect, [])
    .option(
      '--depth <n>',
      'how many of each system’s top results per query',
      parseIntegerOption('--depth', 1),
      10,
    )
    .option('--systems <list>', 'comma-separated system ids (default: every system that ran)')
    .option('--dataset <ref>', 'dataset folder or name@version (default: the run folders’)')
    .option(
      '--queries <file>',
      'unjudged production queries (JSONL of {id, text}) the runs answered as their sample',
    )
    .option('--out <file>', 'the pool to write', 'pool.jsonl')
    .action(async (flags: PoolFlags) => {
      const { judgePool } = await import('../app/judge-pool.js');
      const outcome = judgePool({
        from: flags.from,
        depth: flags.depth,
        out: flags.out,
        ...(flags.systems ? { systems: flags.systems.split(',').map((id) => id.trim()) } : {}),
        ...(flags.dataset ? { dataset: flags.dataset } : {}),
        ...(flags.queries ? { queries: flags.queries } : {}),
      });
      for (const message of outcome.warnings) warn(cli.stderr, message);
      const { header } = outcome;
      cli.stdout.write(
        `wrote ${header.id} to ${outcome.out}: ${header.pairs} unjudged pairs over ${outcome.queries} queries of ${header.dataset.name}@${header.dataset.version} (top ${header.depth} of ${header.systems.length} systems)\n`,
      );
    });
  judge
    .command('merge')
    .description(
      'write a new dataset version with the judgments added (the published version is never edited); validate accepts it',
    )
    .requiredOption('--judgments <file>', 'judgments.jsonl written while judging; repeat', collect, [])
    .requiredOption('--dataset <ref>', 'the dataset folder or name@version the pool was drawn for')
    .requiredOption('--version <version>', 'the new version (a published version is never edited)')
    .addOption(
      new Option(
        '--conflicts <rule>',
        'annotators who disagree on a pair: strict refuses with a list; majority (a tie takes the lower grade), max or min settle it',
      )
        .choices(['strict', 'majority', 'max', 'min'])
        .default('strict'),
    )
    .option('--out <dir>', 'target folder (default: datasets/<name>/<version>)')
    .option('--description <text>', 'what the new version is (default: the old one’s description)')
    .action(async (flags: MergeFlags) => {
      const { judgeMerge } = await import('../app/judge-merge.js');
      const outcome = judgeMerge({
        judgments: flags.judgments,
        dataset: flags.dataset,
        version: flags.version,
        conflicts: flags.conflicts,
        ...(flags.out ? { out: flags.out } : {}),
        ...(flags.description !== undefined ? { description: flags.description } : {}),
      });
      for (const message of outcome.warnings) warn(cli.stderr, message);
      const { manifest, judging } = outcome;
      cli.stdout.write(
        `wrote ${manifest.name}@${manifest.version} to ${outcome.dir}: ${judging.added.judgments} judgments added (${judging.added.queries} new queries, ${judging.added.conflicting} disagreeing pairs, --conflicts ${judging.conflicts}), ${manifest.counts?.judgments} judgments in all, ${manifest.digest}\n`,
      );
      for (const source of judging.sources) {
        cli.stdout.write(`  ${source.pool} ${source.annotator} ${source.date}: ${source.judgments}\n`);
      }
    });
}
