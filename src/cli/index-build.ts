import type { Command } from 'commander';
import { warn } from './errors.js';
import type { Cli } from './io.js';

interface BuildFlags {
  config: string;
  model: string;
  index: string;
  collection?: string;
  alias?: string;
  batchSize: string;
  parallel: string;
  reports: string;
  quiet?: boolean;
  json?: boolean;
  shard?: string;
  finish?: boolean;
}

export function registerIndex(program: Command, cli: Cli): void {
  const index = program.command('index').description('build the indexes systems search');
  index
    .command('build')
    .description(
      "embed the dataset corpus with a config's model into a new Qdrant collection, a pgvector table (then its ANN index) or the embedded index's cache; resumable",
    )
    .requiredOption('--config <file>', 'the run configuration naming the dataset, model and index')
    .requiredOption('--model <alias>', 'the model to embed with')
    .requiredOption('--index <alias>', 'the index to build (kind qdrant, pgvector or embedded)')
    .option(
      '--collection <name>',
      'qdrant: the collection to create or resume (default {dataset}_{model}_{version})',
    )
    .option(
      '--alias <name>',
      'point this alias (qdrant alias, pgvector view) at the new index once it is ready',
    )
    .option('--batch-size <n>', 'points per upsert request (64-256)', '128')
    .option('--parallel <n>', 'upsert requests in flight (2-4)', '3')
    .option('--reports <dir>', 'where index-builds/<collection>-<time>.json is recorded', 'reports')
    .option(
      '--shard <I/N>',
      'embed and write only the I-th of N slices of the corpus (a shard record; then --finish)',
    )
    .option('--finish', 'after every --shard: wait for readiness, write the build record once (summed)')
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the build record as JSON on stdout')
    .action(async (flags: BuildFlags) => {
      const [{ buildIndexFromConfig }, { terminalProgress }] = await Promise.all([
        import('../app/index-build.js'),
        import('./progress.js'),
      ]);
      const progress = terminalProgress(cli.stderr, flags.quiet === true, 'documents');
      const outcome = await buildIndexFromConfig({
        configFile: flags.config,
        model: flags.model,
        index: flags.index,
        ...(flags.collection ? { collection: flags.collection } : {}),
        ...(flags.alias ? { alias: flags.alias } : {}),
        batchSize: Number(flags.batchSize),
        parallel: Number(flags.parallel),
        reportsDir: flags.reports,
        ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
        ...(flags.finish ? { finish: true } : {}),
        ...(progress ? { progress } : {}),
        stderr: cli.stderr,
        env: cli.env,
      });
      const { record } = outcome;
      if (record.truncated.length > 0) {
        warn(
          cli.stderr,
          `${record.truncated.length} documents were cut to the model's input limit: ${record.truncated.slice(0, 10).join(', ')}${record.truncated.length > 10 ? ', …' : ''}`,
        );
      }
      if (flags.json) cli.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      const state = outcome.shard
        ? `shard ${outcome.shard.index}/${outcome.shard.count} written (ready after index build --finish)`
        : 'ready';
      cli.stderr.write(
        `${record.target}: ${state}. ${record.documents} documents: ${record.written} written ` +
          `(${record.fromCache} from the embedding cache), ${record.unchanged} unchanged; ` +
          `${record.embeddingCalls} embedding calls, ${record.tokens} tokens, cost ${record.cost.toFixed(4)}, ` +
          `${record.retries} retries; ${(record.durationMs / 1000).toFixed(1)} s` +
          `${outcome.alias ? `; alias ${outcome.alias} → ${outcome.collection}` : ''}\n` +
          `${outcome.shard ? 'shard record' : 'build record'}: ${outcome.recordFile}\n`,
      );
    });

  index
    .command('sync')
    .description(
      "apply an audit's fix plan: re-embed missing, stale and foreign documents and delete orphaned points (dry run unless --yes); resumable",
    )
    .requiredOption('--plan <file>', 'the plan `audit --fix-plan` wrote')
    .option('--yes', 'apply; without it, only print what would be done')
    .option('--batch-size <n>', 'points per upsert request', '128')
    .option('--parallel <n>', 'upsert requests in flight', '3')
    .option('--reports <dir>', 'where index-syncs/<index>-<time>.json is recorded', 'reports')
    .option('--quiet', 'no progress bar')
    .action(
      async (flags: {
        plan: string;
        yes?: boolean;
        batchSize: string;
        parallel: string;
        reports: string;
        quiet?: boolean;
      }) => {
        const [{ syncIndex }, { terminalProgress }] = await Promise.all([
          import('../app/index-sync.js'),
          import('./progress.js'),
        ]);
        const progress = terminalProgress(cli.stderr, flags.quiet === true, 'documents');
        const outcome = await syncIndex({
          planFile: flags.plan,
          yes: flags.yes === true,
          reportsDir: flags.reports,
          batchSize: Number(flags.batchSize),
          parallel: Number(flags.parallel),
          ...(progress ? { progress } : {}),
          stderr: cli.stderr,
          env: cli.env,
        });
        cli.stdout.write(`${outcome.lines.join('\n')}\n`);
      },
    );
}
