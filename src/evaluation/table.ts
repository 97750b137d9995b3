import { alignColumns } from '../text-columns.js';
import type { EvaluationFile, MeasureSummary } from './types.js';

/** The readable table `eval` prints: one row per run, mean and confidence interval per measure. */
export function formatEvaluationTable(evaluation: EvaluationFile): string {
  const { dataset, settings, runs } = evaluation;
  const header = ['run', ...settings.measures];
  const rows = runs.map((run) => [
    run.name,
    ...settings.measures.map((name) => formatInterval(run.measures[name])),
  ]);
  const table = alignColumns(header, rows);
  const confidence = Math.round(settings.bootstrap.confidence * 100);
  return [
    `dataset ${dataset.name}@${dataset.version} (${dataset.digest.slice(0, 19)}…), ${dataset.judgedQueries} judged queries`,
    `mean [${confidence}% bootstrap CI, ${settings.bootstrap.samples} resamples, seed ${settings.bootstrap.seed}]`,
    '',
    table.header,
    table.rule,
    ...table.rows,
  ].join('\n');
}

/** A mean with its CI ("0.6378 [0.583, 0.692]"); a count (no CI) as a number; '—' when not measured. */
export function formatInterval(summary: MeasureSummary | undefined): string {
  if (!summary) return '—';
  if (summary.ciLow === null || summary.ciHigh === null)
    return Number.isInteger(summary.value) ? String(summary.value) : summary.value.toFixed(4);
  return `${summary.value.toFixed(4)} [${summary.ciLow.toFixed(3)}, ${summary.ciHigh.toFixed(3)}]`;
}
