import type { Command } from 'commander';
import type { Cli } from './io.js';
import { collect } from './options.js';

interface SaveFlags {
  from: string;
  system: string[];
  to: string;
}

export function registerBaseline(program: Command, cli: Cli): void {
  const baseline = program.command('baseline').description('keep the measurements gates compare with');
  baseline
    .command('save')
    .description(
      "save a run's results as a baseline file (commit it; gates read it as a path or git:REF:PATH)",
    )
    .requiredOption('--from <dir>', 'the run folder, reports/<run-id>')
    .option('--system <id>', 'a system to keep (repeatable; default: every system)', collect, [])
    .requiredOption('--to <file>', 'the baseline file to write, e.g. gates/baselines/main.json')
    .action(async (flags: SaveFlags) => {
      const { saveBaseline } = await import('../app/baseline.js');
      const saved = saveBaseline({ from: flags.from, systems: flags.system, to: flags.to });
      const { name, version, digest } = saved.dataset;
      cli.stdout.write(
        `saved ${saved.systems.length} systems (${saved.systems.map((s) => s.id).join(', ')}) of run ${saved.runId} on ${name}@${version} (${digest}) to ${flags.to}\n`,
      );
    });
}
