import { type Command, Option } from 'commander';
import type { ConflictRule } from '../dataset/judgment-conflicts.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { collect, parseIntegerOption, parseProbabilityOption } from './options.js';

interface PoolFlags {
  from: string[];
  depth: number;
  systems?: string;
  out: string;
  dataset?: string;
  queries?: string;
}

interface ServeFlags {
  pool: string;
  dataset: string;
  annotator: string[];
  overlap: number;
  judgments: string;
  port: number;
}

/** The port the judging page is served on unless --port says otherwise. */
const JUDGING_PORT = 8377;

interface MergeFlags {
  judgments: string[];
  dataset: string;
  version: string;
  conflicts: ConflictRule;
  out?: string;
  description?: string;
  results?: string;
  measures?: string;
}

/** A repeatable option that must be given: no default, so that leaving it out is a usage error. */
function collectRequired(value: string, previous: string[] | undefined): string[] {
  return collect(value, previous ?? []);
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
    .requiredOption('--from <dir>', 'a run folder (reports/<run-id>); repeat', collectRequired)
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
    .command('serve')
    .description(
      'a local page (127.0.0.1 only) to judge a pool with the keyboard; every judgment is appended and synced to the judgments file as it is made',
    )
    .requiredOption('--pool <file>', 'the pool written by judge pool')
    .requiredOption('--dataset <ref>', 'the dataset folder or name@version the pool was drawn for')
    .addOption(
      new Option('--annotator <name>', 'who judges; repeat for several annotators sharing the pool')
        .argParser(collect)
        .default([], '$USER'),
    )
    .option(
      '--overlap <share>',
      'with several annotators: the share of pairs every one of them judges, for their agreement (Cohen’s kappa)',
      parseProbabilityOption('--overlap'),
      0,
    )
    .option(
      '--judgments <file>',
      'where the judgments are appended (resumed from when it exists)',
      'judgments.jsonl',
    )
    .option('--port <n>', 'the port on 127.0.0.1', parseIntegerOption('--port', 0), JUDGING_PORT)
    .action(async (flags: ServeFlags) => {
      const { startJudgeServer } = await import('../app/judge-serve.js');
      const annotators =
        flags.annotator.length > 0 ? [...new Set(flags.annotator)] : [cli.env.USER || 'annotator'];
      const server = await startJudgeServer({
        pool: flags.pool,
        dataset: flags.dataset,
        annotators,
        overlap: flags.overlap,
        judgments: flags.judgments,
        port: flags.port,
      });
      for (const message of server.warnings) warn(cli.stderr, message);
      const { header } = server.pool;
      cli.stdout.write(
        `judging ${header.id}: ${header.pairs} pairs of ${header.dataset.name}@${header.dataset.version}, appended to ${flags.judgments}${server.resumed > 0 ? ` (resuming after ${server.resumed} acts)` : ''}\n`,
      );
      for (const [annotator, url] of server.urls) cli.stdout.write(`  ${annotator}: ${url}\n`);
      cli.stdout.write('Ctrl-C stops the server; every judgment made is already on disk.\n');
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  judge
    .command('merge')
    .description(
      'write a new dataset version with the judgments added (the published version is never edited); validate accepts it',
    )
    .requiredOption('--judgments <file>', 'judgments.jsonl written while judging; repeat', collectRequired)
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
    .option(
      '--results <dir>',
      'a run folder to re-evaluate on both versions: how Judged@k and the measures moved',
    )
    .option('--measures <list>', 'with --results: the measures to show (default: Judged@10 and the run’s)')
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
      if (flags.results) {
        const { formatShift, measureShift } = await import('../app/measure-shift.js');
        const shift = measureShift(
          flags.results,
          outcome.datasets.before,
          outcome.datasets.after,
          flags.measures,
        );
        cli.stdout.write(
          `\n${flags.results} on ${manifest.name}@${judging.from.version} → ${manifest.version}:\n`,
        );
        cli.stdout.write(formatShift(shift));
      }
    });
}
