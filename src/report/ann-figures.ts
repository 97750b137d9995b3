import { formatInterval } from '../evaluation/table.js';
import type { MeasureSummary } from '../evaluation/types.js';
import { annRecallName } from '../metrics/ann-recall.js';
import type { SystemSummary } from '../results/summary.js';
import type { ReportAnnCheck } from './report-data.types.js';

/** The ANNRecall the tables show: at 10, the cutoff the gate's ann rule takes by default. */
export const SHOWN_ANN_RECALL = annRecallName(10);

/** Whether any system was checked: only then do tables gain the ANNRecall column and the exact rows. */
export function anyAnnCheck(systems: readonly { annCheck?: ReportAnnCheck }[]): boolean {
  return systems.some((system) => system.annCheck !== undefined);
}

/**
 * A system's ANNRecall@10 cell: mean and CI (as the table writes its measures), why it is missing, or that
 * the index searches exactly.
 */
export function annRecallCell(
  check: ReportAnnCheck | undefined,
  format: (summary: MeasureSummary | undefined) => string = formatInterval,
): string {
  if (!check) return '—';
  if (check.status === 'exact') return '1 (exact search)';
  if (check.status === 'failed') return 'check failed';
  return format(check.recall[SHOWN_ANN_RECALL]);
}

/** The exact run's measures of a checked system, shown as a row `<id>~exact` below it; undefined otherwise. */
export function exactMeasures(check: ReportAnnCheck | undefined): SystemSummary['measures'] {
  return check?.status === 'ok' ? check.exactMeasures : undefined;
}
