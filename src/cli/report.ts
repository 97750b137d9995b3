import type { Command } from 'commander';
import type { WriteReportOptions } from '../app/report.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';

type ReportFlags = Pick<WriteReportOptions, 'baseline' | 'allowDatasetChange' | 'dataset' | 'out'>;

export function registerReport(program: Command, cli: Cli): void {
  program
    .command('report')
    .description("write a run's HTML report (report.html) and its Markdown twin (report.md) from its folder")
    .argument('<results-dir>', 'the run folder, reports/<run-id>')
    .option('--baseline <ref>', 'compare with a run folder, a baseline file or git:REF:PATH')
    .option('--allow-dataset-change', 'compare with a baseline measured on another dataset version')
    .option('--dataset <ref>', 'the dataset the results were measured on (default: their name@version)')
    .option('--out <file>', 'the HTML file (default: <results-dir>/report.html); the .md goes beside it')
    .action(async (resultsDir: string, flags: ReportFlags) => {
      // The flags are named as writeReport's options.
      await writeAndAnnounce(cli, { ...flags, resultsDir });
    });
}

/** Writes the report, warns about what colours its comparison, and says in one line where it is. */
export async function writeAndAnnounce(cli: Cli, options: WriteReportOptions): Promise<void> {
  const { writeReport } = await import('../app/report.js');
  const report = await writeReport(options);
  for (const message of report.warnings) warn(cli.stderr, message);
  cli.stderr.write(`report written to ${report.html} (Markdown: ${report.markdown})\n`);
}
