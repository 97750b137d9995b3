import { runName } from '../dataset/run-file.js';
import { UserError } from '../errors.js';
import { type CompareOptions, compareRuns, type RunComparison } from '../evaluation/compare-runs.js';
import type { EvaluationFile } from '../evaluation/types.js';
import { writeTextFile } from '../files.js';
import { type CompareFormat, formatComparison, perQueryLines } from '../report/compare-tables.js';
import { systemRunFile } from '../results/layout.js';
import { loadRunFolder } from '../results/run-folder.js';
import { type EvaluateFilesOptions, evaluateNamedRunFiles } from './eval.js';

export interface CompareFilesOptions
  extends Omit<EvaluateFilesOptions, 'runs' | 'dataset' | 'qrels' | 'seed'> {
  /** The tests' options; their seed also seeds the evaluation's bootstrap. */
  compare: CompareOptions;
  /** A dataset folder or name@version; default: the one the run folders were measured on. */
  dataset?: string;
  /** Run files (any form dataset/run-file.ts reads, gzip-compressed too), each a run named by its file. */
  runs: string[];
  /** Run folders (reports/<run-id>/): each system that ran is a run. */
  results: string[];
  format: CompareFormat;
  /** Write per-query values here: `.jsonl` as JSON lines, else TSV (`run qid measure value`). */
  perQuery?: string;
}

export interface CompareOutcome {
  comparison: RunComparison;
  evaluation: EvaluationFile;
  text: string;
  warnings: string[];
}

/**
 * `compare`: several runs on one dataset, evaluated alike and tested pairwise. Run folders contribute their
 * systems' run files, re-evaluated here with the measures asked for, so files and folders mix.
 */
export function compareRunFiles(options: CompareFilesOptions): CompareOutcome {
  const files = options.runs.map((path) => ({ name: runName(path), path }));
  let dataset = options.dataset;
  for (const dir of options.results) {
    const { summary } = loadRunFolder(dir);
    const label = `${summary.dataset.name}@${summary.dataset.version}`;
    if (dataset === undefined) dataset = label;
    const several = options.results.length > 1;
    for (const system of summary.systems.filter((s) => s.status === 'ok')) {
      const path = systemRunFile(dir, system.id);
      if (path) files.push({ name: several ? `${summary.runId}/${system.id}` : system.id, path });
    }
  }
  if (dataset === undefined) throw new UserError('compare needs --dataset when it is given run files only');
  if (files.length < 2) throw new UserError(`compare needs at least two runs; it was given ${files.length}`);
  const names = new Set<string>();
  for (const { name } of files) {
    if (names.has(name))
      throw new UserError(`two runs are named '${name}': rename a file to tell them apart`);
    names.add(name);
  }
  const { evaluation, warnings } = evaluateNamedRunFiles(
    { ...options, dataset, seed: options.compare.seed },
    files,
  );
  const comparison = compareRuns(evaluation, options.compare);
  if (options.perQuery) {
    writeTextFile(
      options.perQuery,
      perQueryLines(evaluation, options.perQuery.endsWith('.jsonl') ? 'jsonl' : 'tsv'),
    );
  }
  return { comparison, evaluation, text: formatComparison(comparison, options.format), warnings };
}
