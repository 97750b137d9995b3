import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { loadPolicy } from '../gate/policy.js';
import { formatComparisonTable } from '../retrieve/comparison-table.js';
import { createComponentFactory } from '../retrieve/components.js';
import { runConfig } from '../retrieve/runner.js';
import { EXIT, warn } from './errors.js';
import { addGateOptions, type GateFlags, gateAndReport, gateOptions } from './gate.js';
import { terminalProgress } from './progress.js';

interface RunFlags extends GateFlags {
  gate?: string;
  config: string;
  reports: string;
  runId?: string;
  quiet?: boolean;
}

export function registerRun(program: Command): void {
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
      .option('--gate <policy>', 'then apply this gate policy to the results (exit 1 when it fails)'),
  ).action(async (flags: RunFlags) => {
    const config = loadConfig(flags.config);
    if (flags.gate) loadPolicy(flags.gate); // a bad policy is refused before anything runs
    const outcome = await runConfig({
      config,
      reportsDir: flags.reports,
      ...(flags.runId ? { runId: flags.runId } : {}),
      build: createComponentFactory(),
      progress: terminalProgress(flags.quiet === true),
    });
    for (const message of outcome.warnings) warn(message);
    process.stdout.write(`${formatComparisonTable(outcome.summary)}\n`);
    process.stderr.write(`reports written to ${outcome.dir}\n`);
    if (flags.gate) {
      // A failed system fails the gate (fail closed), so the verdict decides the exit code.
      process.exitCode = await gateAndReport({
        policyFile: flags.gate,
        resultsDir: outcome.dir,
        ...gateOptions(flags),
      });
      return;
    }
    const failed = outcome.summary.systems.filter((s) => s.status === 'failed');
    if (failed.length > 0) {
      warn(
        `${failed.length} of ${outcome.summary.systems.length} systems failed; see ${outcome.dir}/summary.json`,
      );
      process.exitCode = EXIT.badInput;
    }
  });
}
