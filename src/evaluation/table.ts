import type { EvaluationFile } from './types.js';

/** The readable table `eval` prints: one row per run, mean and confidence interval per measure. */
export function formatEvaluationTable(evaluation: EvaluationFile): string {
  const { dataset, settings, runs } = evaluation;
  const header = ['run', ...settings.measures];
  const rows = runs.map((run) => [
    run.name,
    ...settings.measures.map((name) => {
      const summary = run.measures[name];
      if (!summary) return '—';
      if (summary.ciLow === null || summary.ciHigh === null)
        return Number.isInteger(summary.value) ? String(summary.value) : summary.value.toFixed(4);
      return `${summary.value.toFixed(4)} [${summary.ciLow.toFixed(3)}, ${summary.ciHigh.toFixed(3)}]`;
    }),
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const confidence = Math.round(settings.bootstrap.confidence * 100);
  return [
    `dataset ${dataset.name}@${dataset.version} (${dataset.digest.slice(0, 19)}…), ${dataset.judgedQueries} judged queries`,
    `mean [${confidence}% bootstrap CI, ${settings.bootstrap.samples} resamples, seed ${settings.bootstrap.seed}]`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
