import type { EvaluateRunsResult } from '../evaluation/evaluate-runs.js';
import { formatEvaluationTable } from '../evaluation/table.js';
import type { EvaluationFile } from '../evaluation/types.js';
import { writeTextFile } from '../files.js';
import { type EvaluateFilesOptions, evaluateRunFiles } from './eval.js';

/** What `retrieval-gate eval` shows: the evaluation, what to warn about, and its table of means. */
export interface EvaluationWithTable extends EvaluateRunsResult {
  table: string;
}

export function evaluateWithTable(options: EvaluateFilesOptions): EvaluationWithTable {
  const result = evaluateRunFiles(options);
  return { ...result, table: formatEvaluationTable(result.evaluation) };
}

/** The evaluation JSON `--out` asks for. */
export function writeEvaluation(path: string, evaluation: EvaluationFile): void {
  writeTextFile(path, `${JSON.stringify(evaluation, null, 2)}\n`);
}
