import { formatInterval } from '../evaluation/table.js';
import type { RunSummary } from '../results/summary.js';
import { alignColumns } from '../text-columns.js';
import { annRecallCell, anyAnnCheck, exactMeasures, SHOWN_ANN_RECALL } from './ann-figures.js';

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/**
 * The table `run` prints: systems as rows; each measure's mean with its 95 % CI; p95 end-to-end latency;
 * cost per query; and, for reranked systems, the lift of the first measure over the first stage with its CI
 * and the ceiling the reranker cannot pass. When an approximate index was checked against its exact answer, an
 * ANNRecall@10 column, and the exact run's measures as a row `<id>~exact` under the system.
 */
export function formatComparisonTable(summary: RunSummary): string {
  const headline = summary.measures[0] ?? '';
  const checked = anyAnnCheck(summary.systems);
  const annColumn = (cell: string) => (checked ? [cell] : []);
  const header = [
    'system',
    ...summary.measures,
    ...annColumn(SHOWN_ANN_RECALL),
    'p95 ms',
    'cost/query',
    `lift ${headline}`,
  ];
  const rows: string[][] = [];
  const failures: string[] = [];
  for (const system of summary.systems) {
    if (system.status === 'failed') {
      rows.push([system.id, ...summary.measures.map(() => 'FAILED'), ...annColumn('—'), '—', '—', '—']);
      failures.push(`${system.id}: ${system.error ?? 'failed'}`);
      continue;
    }
    const lift = system.lift?.measures[headline];
    rows.push([
      system.id,
      ...summary.measures.map((name) => formatInterval(system.measures?.[name])),
      ...annColumn(annRecallCell(system.annCheck)),
      system.latencyMs?.total ? system.latencyMs.total.p95.toFixed(2) : '—',
      system.cost ? system.cost.perQuery.toPrecision(3) : '—',
      lift && system.lift
        ? `${signed(lift.mean, 4)} [${signed(lift.ciLow, 3)}, ${signed(lift.ciHigh, 3)}] (ceiling ${system.lift.ceiling.measure} ${system.lift.ceiling.value.toFixed(3)})`
        : '—',
    ]);
    const exact = exactMeasures(system.annCheck);
    if (exact) {
      const measures = summary.measures.map((name) => formatInterval(exact[name]));
      rows.push([`${system.id}~exact`, ...measures, ...annColumn('—'), '—', '—', '—']);
    }
  }
  const table = alignColumns(header, rows);
  const { dataset } = summary;
  return [
    `dataset ${dataset.name}@${dataset.version} (${dataset.digest.slice(0, 19)}…), ${dataset.judgedQueries} judged queries · run ${summary.runId}`,
    'mean [95% bootstrap CI]; lift = reranked − first stage, paired bootstrap CI',
    '',
    table.header,
    table.rule,
    ...table.rows,
    ...(failures.length ? ['', 'failed systems:', ...failures.map((f) => `  ${f}`)] : []),
  ].join('\n');
}
