import { join } from 'node:path';
import type { Command } from 'commander';
import type { RunOutcome } from '../app/run.js';
import { EXIT } from '../errors.js';
import { warn } from './errors.js';
import { addGateOptions, type GateFlags, gateAndReport, gateOptions } from './gate.js';
import type { Cli } from './io.js';
import { writeAndAnnounce } from './report.js';

interface RunFlags extends GateFlags {
  gate?: string;
  config: string;
  reports: string;
  runId?: string;
  quiet?: boolean;
  /** False with --no-report. */
  report: boolean;
  allowIncompatible?: boolean;
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
      ),
  ).action(async (flags: RunFlags) => {
    const [{ runConfigFile }, { terminalProgress }] = await Promise.all([
      import('../app/run-config-file.js'),
      import('./progress.js'),
    ]);
    const { outcome, table, datasetDir } = await runConfigFile({
      configFile: flags.config,
      ...(flags.gate ? { policyFile: flags.gate } : {}),
      reportsDir: flags.reports,
      ...(flags.runId ? { runId: flags.runId } : {}),
      allowIncompatible: flags.allowIncompatible === true,
      progress: terminalProgress(cli.stderr, flags.quiet === true),
      env: cli.env,
      stderr: cli.stderr,
    });
    for (const message of outcome.warnings) warn(cli.stderr, message);
    cli.stdout.write(`${table}\n`);
    cli.stderr.write(`reports written to ${outcome.dir}\n`);
    // A failed system fails the gate (fail closed), so with a gate the verdict decides the exit code.
    const exitCode = flags.gate
      ? await gateAndReport(cli, { policyFile: flags.gate, resultsDir: outcome.dir, ...gateOptions(flags) })
      : failedSystemsExit(cli, outcome);
    if (flags.report) {
      // After the gate, so that its verdict is in the report.
      await writeAndAnnounce(cli, {
        resultsDir: outcome.dir,
        dataset: datasetDir,
        ...(flags.baseline ? { baseline: flags.baseline } : {}),
        allowDatasetChange: flags.allowDatasetChange === true,
        ...(flags.gate && flags.out ? { gate: join(flags.out, 'gate.json') } : {}),
      });
    }
    cli.exitCode = exitCode;
  });
}

/** Without a gate, a failed system is bad input (exit 2): the run did not measure what it was asked to. */
function failedSystemsExit(cli: Cli, outcome: RunOutcome): number {
  const failed = outcome.summary.systems.filter((s) => s.status === 'failed');
  if (failed.length === 0) return EXIT.ok;
  warn(
    cli.stderr,
    `${failed.length} of ${outcome.summary.systems.length} systems failed; see ${outcome.dir}/summary.json`,
  );
  return EXIT.badInput;
}
