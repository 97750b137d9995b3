import type { Command } from 'commander';
import { type WriteReportOptions, writeReport } from '../app/report.js';
import { warn } from './errors.js';

type ReportFlags = Pick<WriteReportOptions, 'baseline' | 'allowDatasetChange' | 'dataset' | 'out'>;

export function registerReport(program: Command): void {
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
      await writeAndAnnounce({ ...flags, resultsDir });
    });
}

/** Writes the report, warns about what colours its comparison, and says in one line where it is. */
export async function writeAndAnnounce(options: WriteReportOptions): Promise<void> {
  const report = await writeReport(options);
  for (const message of report.warnings) warn(message);
  process.stderr.write(`report written to ${report.html} (Markdown: ${report.markdown})\n`);
}
