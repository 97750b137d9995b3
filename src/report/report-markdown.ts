import type { MeasureSummary } from '../evaluation/types.js';
import { annRecallCell, anyAnnCheck, exactMeasures, SHOWN_ANN_RECALL } from './ann-figures.js';
import { auditMarkdown } from './audit-markdown.js';
import { clip } from './clip.js';
import { differenceFigure, figure, meanFigure } from './gate-figures.js';
import {
  baselineMarkdown,
  datasetMarkdown,
  inert,
  outcomeCounts,
  STATUS,
  STATUS_MARK,
  table,
} from './gate-markdown.js';
import type { ReportData, ReportSystem } from './report-data.types.js';
import { reviewMarkdown } from './report-review.js';

/** Regressions listed: the worst few are what a reviewer opens; the HTML report has them all. */
const REGRESSIONS_SHOWN = 10;

/**
 * The report as Markdown, for a PR comment or a CI step summary: the verdict when gated, the dataset, one
 * row per system (mean and CI per measure, and the difference from the baseline), and the queries that got
 * worse the most on the headline measure; a migration review's section comes first, then an index audit's.
 * Every piece of user data is rendered inert, as in gate.md.
 */
export function reportMarkdown(data: ReportData): string {
  const review = data.review ? reviewMarkdown(data.review) : '';
  const audit = data.audit ? auditMarkdown(data.audit).trimEnd() : '';
  return `${[review, audit, headline(data), systemsTable(data), warnings(data), regressions(data)].filter((s) => s !== '').join('\n\n')}\n`;
}

function headline(data: ReportData): string {
  const { verdict } = data;
  const gate = verdict ? ` · gate ${outcomeCounts(verdict.outcomes)}, policy ${inert(verdict.policy)}` : '';
  return [
    `## ${verdict ? `${STATUS[verdict.status]} · ` : ''}retrieval-gate report`,
    '',
    `Run ${inert(data.run.id)} on dataset ${datasetMarkdown(data.dataset)} · ${baselineMarkdown(data.baseline)}${gate}`,
  ].join('\n');
}

/**
 * One row per system; when an approximate index was checked, an ANNRecall@10 column and the exact run's
 * measures as a row `<id>~exact` under the system (the model's quality without the index's loss).
 */
function systemsTable(data: ReportData): string {
  const compared = data.baseline !== null;
  const checked = anyAnnCheck(data.systems);
  const annColumn = (cell: string) => (checked ? [cell] : []);
  const header = [
    'system',
    ...data.measures.flatMap((m) => (compared ? [inert(m), `Δ ${inert(m)}`] : [inert(m)])),
    ...annColumn(SHOWN_ANN_RECALL),
  ];
  const rows = data.systems.flatMap((system) => {
    if (system.status === 'failed') {
      const error = `${STATUS_MARK.fail} failed: ${inert(clip(system.error ?? 'no error recorded'))}`;
      return [[inert(system.id), error, ...header.slice(2).map(() => '—')]];
    }
    const row = [
      inert(system.id),
      ...data.measures.flatMap((m) => {
        const cell = measureCell(system, m);
        return compared ? [cell, differenceCell(system, m)] : [cell];
      }),
      ...annColumn(annCell(system)),
    ];
    const exact = exactMeasures(system.annCheck);
    if (!exact) return [row];
    const exactRow = [
      inert(`${system.id}~exact`),
      ...data.measures.flatMap((m) => {
        const cell = figureCell(m, exact[m]);
        return compared ? [cell, '—'] : [cell];
      }),
      ...annColumn('—'),
    ];
    return [row, exactRow];
  });
  return table(header, rows);
}

/** ANNRecall@10, behind the gate's sign when an ann rule judged it. */
function annCell(system: ReportSystem): string {
  const status = system.gate[SHOWN_ANN_RECALL];
  const cell = annRecallCell(system.annCheck, (summary) => figureCell(SHOWN_ANN_RECALL, summary));
  return `${status ? `${STATUS_MARK[status]} ` : ''}${cell}`;
}

/** Each system's warnings (missing relevant documents, overridden checks), as a list under the table. */
function warnings(data: ReportData): string {
  const lines = data.systems.flatMap((system) =>
    system.warnings.map((text) => `- ${STATUS_MARK.warn} ${inert(system.id)}: ${inert(clip(text))}`),
  );
  return lines.join('\n');
}

/** The mean with its CI, behind the gate's sign when a rule judged this measure. */
function measureCell(system: ReportSystem, measure: string): string {
  const summary = system.measures[measure];
  if (!summary) return '—';
  const status = system.gate[measure];
  return `${status ? `${STATUS_MARK[status]} ` : ''}${figureCell(measure, summary)}`;
}

/** The mean with its CI when it has one. */
function figureCell(measure: string, summary: MeasureSummary | undefined): string {
  if (!summary) return '—';
  const ci =
    summary.ciLow !== null && summary.ciHigh !== null ? { low: summary.ciLow, high: summary.ciHigh } : null;
  return meanFigure(measure, summary.value, ci);
}

function differenceCell(system: ReportSystem, measure: string): string {
  const d = system.vsBaseline?.[measure];
  if (!d) return '—';
  const figure = differenceFigure(measure, d.difference, { low: d.ciLow, high: d.ciHigh });
  // Against another system than the same id's baseline when the gate's rule says so (`baselineSystem`).
  return d.against ? `${figure} vs ${inert(d.against)}` : figure;
}

interface Regression {
  query: number;
  system: string;
  baseline: number;
  candidate: number;
}

/** The per-query drops from the baseline on the headline measure, largest first, across every system. */
function regressions(data: ReportData): string {
  const measure = data.measures[0];
  if (data.baseline === null || measure === undefined) return '';
  const found: Regression[] = [];
  for (const system of data.systems) {
    const ours = system.perQuery[measure];
    const theirs = system.baselinePerQuery?.[measure];
    if (!ours || !theirs) continue;
    ours.forEach((candidate, query) => {
      const baseline = theirs[query];
      if (candidate != null && baseline != null && candidate < baseline) {
        found.push({ query, system: system.id, baseline, candidate });
      }
    });
  }
  const title = `### Largest per-query regressions on ${inert(measure)}`;
  if (found.length === 0) return `${title}\n\n_No query got worse than in the baseline._`;
  // Equal drops by query, so one query's drops in several systems stand together (then in system order).
  const worst = found
    .sort((a, b) => b.baseline - b.candidate - (a.baseline - a.candidate) || a.query - b.query)
    .slice(0, REGRESSIONS_SHOWN);
  const rows = worst.map((r) => [
    inert(data.queries.ids[r.query] ?? ''),
    inert(clip(data.queries.texts[r.query] ?? '')),
    `${figure(measure, r.baseline)} → ${figure(measure, r.candidate)}`,
    inert(r.system),
  ]);
  const more = found.length - worst.length;
  return [
    title,
    '',
    table(['query', 'text', 'baseline → candidate', 'system'], rows),
    ...(more > 0 ? ['', `… and ${more} more in the HTML report.`] : []),
  ].join('\n');
}
