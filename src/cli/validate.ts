import { type Command, Option } from 'commander';
import { INPUT_KINDS, type InputKind } from '../app/input-kinds.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';

export function registerValidate(program: Command, cli: Cli): void {
  program
    .command('validate')
    .description(
      'check a dataset folder (retrieval or route), a BEIR folder, a run, qrels, queries, corpus, eval-set (simple), config, gate policy, baseline, router config or router policy file; exit 0 when valid, 2 when not',
    )
    .argument('<path>', 'file or folder to check')
    .addOption(
      new Option('--kind <kind>', 'what the file is (detected from its content otherwise)').choices(
        INPUT_KINDS,
      ),
    )
    .action(async (path: string, flags: { kind?: InputKind }) => {
      const { validatePath } = await import('../app/validate.js');
      const report = validatePath(path, flags.kind);
      for (const message of report.warnings) warn(cli.stderr, message);
      cli.stdout.write(`ok: ${report.summary}\n`);
    });
}
