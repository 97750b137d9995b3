import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { durationOption } from './options.js';
import { writeAndAnnounce } from './report.js';

interface ReviewFlags {
  config: string;
  live: string;
  candidate: string;
  gate?: string;
  queries?: string;
  reports: string;
  runId?: string;
  quiet?: boolean;
  report: boolean;
}

interface CutoverFlags {
  alias: string;
  to: string;
  review: string;
  yes?: boolean;
  maxAge: number;
  retention: number;
  reports: string;
  config?: string;
}

/** `migrate review | cutover | rollback | status | cleanup`: phases 3 to 5 of a migration to a new index. */
export function registerMigrate(program: Command, cli: Cli): void {
  const migrate = program
    .command('migrate')
    .description('review a new index against the live one, switch the alias to it, roll back, clean up');
  migrate
    .command('review')
    .description(
      'run the live and candidate systems and decide whether the alias may switch: quality against live, agreement, completeness, readiness, build record, ANN, latency, cost',
    )
    .requiredOption('--config <file>', 'the run configuration defining both systems')
    .requiredOption('--live <system>', 'the system serving today (its index names the alias)')
    .requiredOption('--candidate <system>', 'the system on the new index')
    .option('--gate <policy>', 'the cutover policy (default: the shipped gates/cutover.yaml)')
    .option(
      '--queries <file>',
      'unjudged queries (JSONL of {id, text}, e.g. a production sample) to compare on',
    )
    .option('--reports <dir>', 'where reports/<run-id>/ is written', 'reports')
    .option('--run-id <id>', 'name of the review folder (default: the start time)')
    .option('--quiet', 'no progress bars')
    .option('--no-report', 'write no report.html and report.md')
    .action(async (flags: ReviewFlags) => {
      const [{ reviewMigration }, { terminalProgress }] = await Promise.all([
        import('../app/migrate-review.js'),
        import('./progress.js'),
      ]);
      const outcome = await reviewMigration({
        configFile: flags.config,
        live: flags.live,
        candidate: flags.candidate,
        ...(flags.gate ? { policyFile: flags.gate } : {}),
        ...(flags.queries ? { queriesFile: flags.queries } : {}),
        reportsDir: flags.reports,
        ...(flags.runId ? { runId: flags.runId } : {}),
        progress: terminalProgress(cli.stderr, flags.quiet === true),
        env: cli.env,
      });
      for (const message of outcome.warnings) warn(cli.stderr, message);
      cli.stdout.write(`${outcome.text}\n`);
      for (const annotation of outcome.annotations) cli.annotate(annotation);
      cli.stderr.write(`review written: ${outcome.files.join(', ')}\n`);
      if (flags.report) await writeAndAnnounce(cli, { resultsDir: outcome.dir });
      const { live, candidate } = outcome.review;
      if (outcome.verdict.status === 'fail') {
        warn(
          cli.stderr,
          `the review failed: do not switch ${live.alias ?? live.target} to ${candidate.target}`,
        );
        cli.exitCode = EXIT.gateFailed;
        return;
      }
      cli.stderr.write(
        `the review passed: \`migrate cutover --alias ${live.alias ?? '<alias>'} --to ${candidate.target} --review ${outcome.dir}\` may switch\n`,
      );
    });

  migrate
    .command('cutover')
    .description(
      'switch an alias to a reviewed candidate (dry run unless --yes), verified and recorded for rollback',
    )
    .requiredOption('--alias <name>', 'the alias (Qdrant alias, pgvector view) to switch')
    .requiredOption('--to <index>', 'the collection or table to point it at (the review’s candidate)')
    .requiredOption('--review <dir>', 'the folder `migrate review` wrote')
    .option('--yes', 'switch; without it, only print what would be done')
    .addOption(durationOption('--max-age <duration>', 'refuse a review older than this', '24h'))
    .addOption(
      durationOption(
        '--retention <duration>',
        'how long the previous target stays the rollback target',
        '48h',
      ),
    )
    .option('--reports <dir>', 'where cutovers/ records are written', 'reports')
    .option('--config <file>', 'reach the store through this config (default: the one the review ran)')
    .action(async (flags: CutoverFlags) => {
      const { cutover } = await import('../app/migrate-cutover.js');
      const outcome = await cutover({
        alias: flags.alias,
        to: flags.to,
        reviewDir: flags.review,
        yes: flags.yes === true,
        maxAgeMs: flags.maxAge,
        retentionMs: flags.retention,
        reportsDir: flags.reports,
        ...(flags.config ? { configFile: flags.config } : {}),
        env: cli.env,
      });
      cli.stdout.write(`${outcome.lines.join('\n')}\n`);
    });

  migrate
    .command('rollback')
    .description('point an alias back at the target its last cutover replaced (verified, recorded)')
    .requiredOption('--alias <name>', 'the alias to roll back')
    .option('--reports <dir>', 'where cutovers/ records are', 'reports')
    .option('--config <file>', 'reach the store through this config (default: the cutover record’s)')
    .action(async (flags: { alias: string; reports: string; config?: string }) => {
      const { rollback } = await import('../app/migrate-cutover.js');
      const outcome = await rollback({
        alias: flags.alias,
        reportsDir: flags.reports,
        ...(flags.config ? { configFile: flags.config } : {}),
        env: cli.env,
      });
      cli.stdout.write(`${outcome.lines.join('\n')}\n`);
    });

  migrate
    .command('status')
    .description(
      'list the aliases of the config’s stores, their targets, pending rollbacks and retention deadlines',
    )
    .requiredOption(
      '--config <file>',
      'the run configuration naming the stores (qdrant and pgvector indexes)',
    )
    .option('--reports <dir>', 'where cutovers/ records are', 'reports')
    .option('--json', 'print the status as JSON')
    .action(async (flags: { config: string; reports: string; json?: boolean }) => {
      const { migrationStatus } = await import('../app/migrate-status.js');
      const status = await migrationStatus({
        configFile: flags.config,
        reportsDir: flags.reports,
        env: cli.env,
      });
      const { lines, ...data } = status;
      cli.stdout.write(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${lines.join('\n')}\n`);
    });

  migrate
    .command('cleanup')
    .description(
      'delete indexes left behind by cutovers once their retention passed and no alias points at them (dry run unless --yes)',
    )
    .addOption(
      durationOption('--retention <duration>', 'keep a previous target this long after its switch', '48h'),
    )
    .option('--yes', 'delete; without it, only print what would be deleted')
    .option('--reports <dir>', 'where cutovers/ records are', 'reports')
    .option('--config <file>', 'reach the stores through this config (default: each record’s)')
    .action(async (flags: { retention: number; yes?: boolean; reports: string; config?: string }) => {
      const { cleanup } = await import('../app/migrate-status.js');
      const outcome = await cleanup({
        reportsDir: flags.reports,
        retentionMs: flags.retention,
        yes: flags.yes === true,
        ...(flags.config ? { configFile: flags.config } : {}),
        env: cli.env,
      });
      cli.stdout.write(`${outcome.lines.join('\n')}\n`);
    });
}
