import { join } from 'node:path';
import type { Command } from 'commander';
import type { RunOutcome } from '../app/run.js';
import { EXIT, UserError } from '../errors.js';
import type { SystemSummary } from '../results/summary.js';
import { warn } from './errors.js';
import { addGateOptions, type GateFlags, gateAndReport, gateOptions } from './gate.js';
import type { Cli } from './io.js';
import type { terminalProgress as TerminalProgress } from './progress.js';
import { writeAndAnnounce } from './report.js';

/** What decides how a run ends: its gate, its report. */
export interface FinishFlags extends GateFlags {
  gate?: string;
  /** False with --no-report. */
  report: boolean;
}

interface RunFlags extends FinishFlags {
  config: string;
  reports: string;
  runId?: string;
  quiet?: boolean;
  allowIncompatible?: boolean;
  shard?: string;
}

export function registerRun(program: Command, cli: Cli): void {
  addGateOptions(
    program
      .command('run')
      .description(
        'run every system of a config over its dataset: runs, traces, evaluations, lift, latency and cost',
      )
      .requiredOption('--config <file>', 'the run configuration (retrieval-gate.yaml)')
      .option('--reports <dir>', 'where reports/<run-id>/ is written', 'reports')
      .option('--run-id <id>', 'name of the run folder (default: the start time)')
      .option('--quiet', 'no progress bars')
      .option('--gate <policy>', 'then apply this gate policy to the results (exit 1 when it fails)')
      .option('--no-report', 'write no report.html and report.md into the run folder')
      .option(
        '--allow-incompatible',
        "evaluate a system even when its model does not fit its index's vectors or build metadata (recorded)",
      )
      .option(
        '--shard <I/N>',
        'run only the I-th of N slices of the queries into a partial run folder (default reports/shard-I-of-N); then `merge` them',
      ),
  ).action(async (flags: RunFlags) => {
    if (flags.shard !== undefined) {
      cli.exitCode = await runShardCommand(cli, flags, flags.shard);
      return;
    }
    const [{ runConfigFile }, { terminalProgress }] = await Promise.all([
      import('../app/run-config-file.js'),
      import('./progress.js'),
    ]);
    const { outcome, table } = await runConfigFile({
      configFile: flags.config,
      ...(flags.gate ? { policyFile: flags.gate } : {}),
      ...runOptions(cli, flags, terminalProgress),
    });
    for (const message of outcome.warnings) warn(cli.stderr, message);
    cli.stdout.write(`${table}\n`);
    cli.stderr.write(`reports written to ${outcome.dir}\n`);
    cli.exitCode = await gateAndReportRun(cli, flags, outcome);
  });
}

/**
 * How `run` and `merge` end: the gate, when asked for, decides the exit code (a failed system fails it,
 * fail closed); then the report, written after the gate so that its verdict is in it, from the dataset the
 * run already holds (reading a large corpus again was half the report's time), and the runs and top hits
 * (reading its run files and traces back was half of what was left).
 */
export async function gateAndReportRun(cli: Cli, flags: FinishFlags, outcome: RunOutcome): Promise<number> {
  const exitCode = flags.gate
    ? await gateAndReport(cli, { policyFile: flags.gate, resultsDir: outcome.dir, ...gateOptions(flags) })
    : failedSystemsExit(cli, outcome.summary.systems, outcome.dir);
  if (flags.report) {
    await writeAndAnnounce(cli, {
      resultsDir: outcome.dir,
      loadedDataset: outcome.dataset,
      held: outcome.held,
      ...(flags.baseline ? { baseline: flags.baseline } : {}),
      allowDatasetChange: flags.allowDatasetChange === true,
      ...(flags.gate && flags.out ? { gate: join(flags.out, 'gate.json') } : {}),
    });
  }
  return exitCode;
}

/** What a whole run and a shard take alike from the flags and the terminal. */
function runOptions(cli: Cli, flags: RunFlags, terminalProgress: typeof TerminalProgress) {
  return {
    reportsDir: flags.reports,
    ...(flags.runId ? { runId: flags.runId } : {}),
    allowIncompatible: flags.allowIncompatible === true,
    progress: terminalProgress(cli.stderr, flags.quiet === true),
    env: cli.env,
    stderr: cli.stderr,
  };
}

/** One shard: nothing is evaluated, gated or reported until the shards are merged. */
async function runShardCommand(cli: Cli, flags: RunFlags, shardText: string): Promise<number> {
  const [{ runShardFile }, { terminalProgress }] = await Promise.all([
    import('../app/run-config-file.js'),
    import('./progress.js'),
  ]);
  if (flags.gate) {
    throw new UserError('--gate applies to a whole run: gate the merged run (merge --gate), not a shard');
  }
  const { dir, manifest, warnings } = await runShardFile({
    configFile: flags.config,
    shard: shardText,
    ...runOptions(cli, flags, terminalProgress),
  });
  for (const message of warnings) warn(cli.stderr, message);
  cli.stderr.write(
    `shard ${manifest.shard.index}/${manifest.shard.count}: ${manifest.queries.length} queries, ${manifest.systems.length} systems, written to ${dir}\n` +
      `merge the ${manifest.shard.count} shards with: retrieval-gate merge <their folders> --out <reports>/<run-id>\n`,
  );
  return failedSystemsExit(
    cli,
    manifest.systems.map((s) => s.summary),
    dir,
  );
}

/** Without a gate, a failed system is bad input (exit 2): the run did not measure what it was asked to. */
function failedSystemsExit(cli: Cli, systems: SystemSummary[], dir: string): number {
  const failed = systems.filter((s) => s.status === 'failed');
  if (failed.length === 0) return EXIT.ok;
  warn(
    cli.stderr,
    `${failed.length} of ${systems.length} systems failed: ${failed.map((s) => `${s.id} (${s.error ?? 'no reason recorded'})`).join('; ')}; see ${dir}`,
  );
  return EXIT.badInput;
}
