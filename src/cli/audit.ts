import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';

interface AuditFlags {
  config: string;
  index: string;
  source: string;
  out?: string;
  reports: string;
  fixPlan?: string;
  model?: string;
  gate?: string;
  json?: boolean;
}

/** `audit`: an index against its source of truth (the dataset corpus, a config source, a JSONL export). */
export function registerAudit(program: Command, cli: Cli): void {
  program
    .command('audit')
    .description(
      'compare an index with its source of truth: missing, orphaned, stale and foreign points, and the oldest unresolved change',
    )
    .requiredOption('--config <file>', 'the run configuration naming the index (and its sources)')
    .requiredOption('--index <alias>', 'the index to audit (kind qdrant or pgvector)')
    .option(
      '--source <source>',
      "'corpus' (the dataset's), a source alias of the config, or a JSONL export",
      'corpus',
    )
    .option(
      '--out <dir>',
      'where audit.json, audit.md and audit.html go (default: reports/audit-<index>-<time>)',
    )
    .option('--reports <dir>', 'the reports folder', 'reports')
    .option('--fix-plan <file>', 'also write the plan `index sync --plan` applies')
    .option(
      '--model <alias>',
      "the model a sync re-embeds with (default: the one the index's build record names)",
    )
    .option('--gate <policy>', "apply the policy's consistency rules (exit 1 when they fail)")
    .option('--json', 'print audit.json on stdout')
    .action(async (flags: AuditFlags) => {
      const { auditIndex } = await import('../app/audit.js');
      const outcome = await auditIndex({
        configFile: flags.config,
        index: flags.index,
        source: flags.source,
        reportsDir: flags.reports,
        ...(flags.out ? { outDir: flags.out } : {}),
        ...(flags.fixPlan ? { fixPlan: flags.fixPlan } : {}),
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.gate ? { policyFile: flags.gate } : {}),
        env: cli.env,
      });
      const { audit, verdict } = outcome;
      const { counts } = audit;
      if (flags.json) cli.stdout.write(`${JSON.stringify(audit, null, 2)}\n`);
      else {
        cli.stdout.write(
          `${audit.index.target} against ${audit.source.name}: ${audit.points} points, ${audit.source.live} live rows; ` +
            `${counts.missing} missing, ${counts.orphaned} orphaned, ${counts.stale} stale, ${counts.foreign} foreign; ` +
            `completeness ${(audit.completeness * 100).toFixed(2)} %\n`,
        );
      }
      for (const annotation of outcome.annotations) cli.annotate(annotation);
      cli.stderr.write(`audit written: ${outcome.files.join(', ')}\n`);
      if (verdict?.status === 'fail') {
        for (const failed of verdict.outcomes.filter((o) => o.status === 'fail')) {
          warn(cli.stderr, `${failed.rule}: ${failed.reason}`);
        }
        cli.exitCode = EXIT.gateFailed;
      }
    });
}
