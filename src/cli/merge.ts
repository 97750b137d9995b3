import type { Command } from 'commander';
import { warn } from './errors.js';
import type { Cli } from './io.js';
import { type FinishFlags, gateAndReportRun } from './run.js';

interface MergeFlags extends FinishFlags {
  out: string;
  gateOut?: string;
}

export function registerMerge(program: Command, cli: Cli): void {
  program
    .command('merge')
    .description(
      'merge the shards of a run (`run --shard I/N`) into one run folder, evaluated as if unsharded; then gate and report',
    )
    .argument('<shards...>', 'the shards’ run folders, e.g. reports/shard-*')
    .requiredOption('--out <dir>', 'the merged run folder, reports/<run-id>')
    .option(
      '--dataset <dir>',
      'the dataset, when it is no longer where the shards read it (checked by digest)',
    )
    .option('--gate <policy>', 'then apply this gate policy to the merged run (exit 1 when it fails)')
    .option('--baseline <ref>', "baseline file or git:REF:PATH (default: the policy's baseline)")
    .option('--allow-dataset-change', 'compare with a baseline measured on another dataset version')
    .option('--gate-out <dir>', 'where gate.md, gate.junit.xml and gate.json go (default: the merged folder)')
    .option('--no-report', 'write no report.html and report.md into the merged folder')
    .action(async (shards: string[], flags: MergeFlags) => {
      const [{ mergeShardsWithTable }] = await Promise.all([import('../app/merge.js')]);
      const { outcome, table } = mergeShardsWithTable({
        shards,
        out: flags.out,
        ...(flags.dataset ? { dataset: flags.dataset } : {}),
        ...(flags.gate ? { policyFile: flags.gate } : {}),
      });
      for (const message of outcome.warnings) warn(cli.stderr, message);
      cli.stdout.write(`${table}\n`);
      cli.stderr.write(`${shards.length} shards merged into ${outcome.dir}\n`);
      const { gateOut, out: _out, ...finish } = flags;
      cli.exitCode = await gateAndReportRun(
        cli,
        { ...finish, ...(gateOut ? { out: gateOut } : {}) },
        outcome,
      );
    });
}
