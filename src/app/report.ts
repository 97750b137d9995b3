import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import type { Dataset } from '../dataset/types.js';
import { writeTextFile } from '../files.js';
import { checkComparable } from '../gate/compare.js';
import { runJudges } from '../metrics/evaluate.js';
import type { Run } from '../metrics/types.js';
import { renderReportHtml } from '../report/render-html.js';
import { buildReportData, type ReportFiles, type SystemReportFiles } from '../report/report-data.js';
import { HITS_PER_QUERY } from '../report/report-hits.js';
import { reportMarkdown } from '../report/report-markdown.js';
import { readAuditFile } from '../results/audit.js';
import { loadBaseline } from '../results/baseline.js';
import { isGitReference } from '../results/git-show.js';
import { RUN_FILES, runVerdictFile } from '../results/layout.js';
import { type MeasuredResults, systemThatRan } from '../results/measured.js';
import { readReviewFile } from '../results/review.js';
import { loadResults, loadRunFolder } from '../results/run-folder.js';
import { readSystemHits, readSystemJudges } from '../results/system-files.js';
import type { TracedHits } from '../results/trace-reader.js';
import { readVerdictFile } from '../results/verdict-file.js';
import { recordedDataset } from './recorded-dataset.js';

export interface WriteReportOptions {
  /** A run folder, reports/<run-id>/. */
  resultsDir: string;
  /** What to compare with: another run's folder (with summary.json), a baseline file, or git:REF:PATH. */
  baseline?: string;
  /** Compare with a baseline measured on another dataset version (per-query, on the queries in both). */
  allowDatasetChange?: boolean;
  /** The dataset's folder or name@version; default: the name@version the results were measured on. */
  dataset?: string;
  /**
   * The dataset itself, when the caller holds it already (a run or merge that just read it), so that it is
   * not read a second time; its digest is checked against the results' like any other's.
   */
  loadedDataset?: Dataset;
  /**
   * By system id, what the run that just wrote the folder holds of its systems, so that their run files
   * and traces are not read back; a system not in it is read from the folder.
   */
  held?: ReadonlyMap<string, HeldSystem>;
  /** The verdict to show (a gate.json); default: the run folder's, when the run was gated. */
  gate?: string;
  /** The HTML file; default: <resultsDir>/report.html. The Markdown goes beside it, named alike (.md). */
  out?: string;
  /** What relative paths (and git references) are resolved against; default: the working directory. */
  cwd?: string;
  now?: Date;
}

/** A system's results as the run that wrote them holds them. */
export interface HeldSystem {
  /** The run its run file holds. */
  run: Run;
  /** Each query's top hits, as readTraceTops reads them from its trace (HITS_PER_QUERY at least). */
  tops: TracedHits[];
}

export interface WrittenReport {
  html: string;
  markdown: string;
  /** Differences between the results and the baseline that colour the comparison (see checkComparable). */
  warnings: string[];
}

/**
 * A run folder (and a baseline) → report.html for people and its Markdown twin for PR comments. Reads only
 * files (and the dataset when not handed it): a report can be made again, later or elsewhere, without
 * re-running anything.
 */
export async function writeReport(options: WriteReportOptions): Promise<WrittenReport> {
  const cwd = options.cwd ?? process.cwd();
  const resultsDir = resolve(cwd, options.resultsDir);
  const folder = loadRunFolder(resultsDir);
  const baseline = options.baseline ? await readBaseline(options.baseline, cwd) : null;
  const warnings = baseline
    ? checkComparable(folder.results, baseline.results, options.allowDatasetChange === true)
    : [];
  const dataset =
    options.loadedDataset ??
    (options.dataset
      ? loadDataset(resolveDataset(options.dataset, cwd))
      : recordedDataset(folder.summary.dataset, resultsDir, cwd));
  const files = readReportFiles(resultsDir, folder.results, {
    baseline,
    ...(options.held ? { held: options.held } : {}),
    ...(options.gate ? { gateFile: resolve(cwd, options.gate) } : {}),
  });
  const data = buildReportData({
    ...folder,
    ...files,
    baseline: baseline?.results ?? null,
    dataset,
    ...(options.now ? { now: options.now } : {}),
  });
  const html = resolve(cwd, options.out ?? join(resultsDir, RUN_FILES.report));
  const markdown = `${html.replace(/\.html?$/i, '')}.md`;
  writeTextFile(html, renderReportHtml(data));
  writeTextFile(markdown, reportMarkdown(data));
  return { html, markdown, warnings };
}

/** What a report compares with; `dir` when it is a run folder, whose traces give the baseline's hits. */
export interface ReportBaseline {
  results: MeasuredResults;
  dir: string | null;
}

export interface ReadReportFilesOptions {
  baseline?: ReportBaseline | null;
  /** The systems whose run and top hits are taken as held instead of read (WriteReportOptions.held). */
  held?: ReadonlyMap<string, HeldSystem>;
  /** The verdict to show (a gate.json); default: the run folder's, when the run was gated. */
  gateFile?: string;
}

/**
 * Reads what the report shows of a run folder besides its results (`results`, read from `resultsDir`): the
 * verdict when gated, the migration review when `migrate review` wrote the folder, the index audit when it
 * holds audit.json, and system by system (in the results' order) the run file's rankings, the top hits, and
 * the baseline's top hits when the baseline is a run folder where the system ran too. A held system's
 * rankings and top hits are its held run's and tops: the same, without reading them back.
 */
export function readReportFiles(
  resultsDir: string,
  results: MeasuredResults,
  options: ReadReportFilesOptions = {},
): ReportFiles {
  const verdict = readVerdictFile(options.gateFile ?? runVerdictFile(resultsDir));
  const baseline = options.baseline ?? null;
  const systemFiles = new Map<string, SystemReportFiles>();
  for (const { id, status } of results.systems) {
    if (status === 'failed') continue; // nothing was measured, so nothing is read
    const held = options.held?.get(id);
    const files: SystemReportFiles = held
      ? { judges: runJudges(held.run), hits: { traced: held.tops } }
      : { judges: readSystemJudges(resultsDir, id), hits: readSystemHits(resultsDir, id, HITS_PER_QUERY) };
    if (baseline?.dir && systemThatRan(baseline.results, id)) {
      files.baselineHits = readSystemHits(baseline.dir, id, HITS_PER_QUERY);
    }
    systemFiles.set(id, files);
  }
  return { verdict, systemFiles, review: readReviewFile(resultsDir), audit: readAuditFile(resultsDir) };
}

/**
 * A run folder is read as results (and its traces give the baseline's hits); anything else is a baseline
 * file or git:REF:PATH. The source is the reference as the user wrote it, which is what the report shows.
 */
async function readBaseline(reference: string, cwd: string): Promise<ReportBaseline> {
  const path = resolve(cwd, reference);
  if (!isGitReference(reference) && existsSync(path) && statSync(path).isDirectory()) {
    return { results: { ...loadResults(path), source: reference }, dir: path };
  }
  return { results: await loadBaseline(reference, cwd), dir: null };
}
