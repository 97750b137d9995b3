import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonDocument } from '../dataset/json-text.js';
import { UserError } from '../errors.js';
import type { EvaluationFile, RunResult } from '../evaluation/types.js';
import { readTextFile } from '../files.js';
import { assertValid, type SchemaName } from '../schemas.js';
import { RUN_FILES } from './layout.js';
import type { MeasuredResults, MeasuredSystem } from './measured.js';
import type { RunSummary, SystemSummary } from './summary.js';

/**
 * Reads a run folder (reports/<run-id>/) as the gate sees it: one system per system of summary.json, in its
 * order, with its status, description, latency and cost from the summary and its measures and per-query
 * values from evaluation.json. Evaluation runs named `<id>~first-stage` (a reranked system's first stage) and
 * `<id>~exact` (an approximate index's exact answer) are stages of a system, not systems, so they are not read.
 */
export function loadResults(dir: string): MeasuredResults {
  return loadRunFolder(dir).results;
}

/** How a folder without summary.json fails to be a run folder: unfinished, a folder of run folders, or neither. */
function whyNoRunFolder(dir: string): string {
  if (!existsSync(dir)) return 'no such folder';
  if (!statSync(dir).isDirectory()) return 'not a folder: give a run folder (reports/<run-id>/)';
  if (existsSync(join(dir, RUN_FILES.shard))) {
    return 'is one shard of a run (shard.json), not a run: merge the shards first (retrieval-gate merge)';
  }
  const runs = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, RUN_FILES.summary)))
    .map((entry) => entry.name)
    .sort();
  if (runs.length > 0) {
    const shown =
      runs.length > 3 ? `${runs.slice(-3).join(', ')} and ${runs.length - 3} more` : runs.join(', ');
    return `not a run folder, but a folder of run folders (${shown}): give one of them, e.g. ${join(dir, runs.at(-1) as string)}`;
  }
  // The runner copies the config first and writes summary.json last.
  if (existsSync(join(dir, RUN_FILES.config)) || existsSync(join(dir, RUN_FILES.systems)))
    return 'no summary.json: the run did not finish (it was killed or is still running); run it again';
  return 'not a run folder: it has no summary.json and none of the files a run writes';
}

/**
 * loadResults, and the summary it was read from: the report also shows what the gate does not need (the
 * run's times, reranker lift). `results.systems[i]` is `summary.systems[i]`.
 */
export function loadRunFolder(dir: string): { results: MeasuredResults; summary: RunSummary } {
  const summaryFile = join(dir, RUN_FILES.summary);
  // The runner writes summary.json last: without it the run was killed or is still going.
  if (!existsSync(summaryFile)) throw new UserError(whyNoRunFolder(dir), { file: dir });
  const summary = parseValidated<RunSummary>(readTextFile(summaryFile), summaryFile, 'run-summary');
  const evaluationFile = join(dir, RUN_FILES.evaluation);
  const evaluation = parseValidated<EvaluationFile>(
    readTextFile(evaluationFile),
    evaluationFile,
    'evaluation',
  );
  if (evaluation.dataset.digest !== summary.dataset.digest) {
    throw new UserError(
      `is ${evaluation.dataset.digest} but summary.json says ${summary.dataset.digest}: the two files come from different runs`,
      { file: evaluationFile, field: 'dataset.digest' },
    );
  }
  const runs = new Map(evaluation.runs.map((run, i) => [run.name, { run, field: `runs[${i}]` }]));
  const systems = summary.systems.map((system, i): MeasuredSystem => {
    if (system.status === 'failed') return failedSystem(system);
    if (system.annCheck?.status === 'ok') {
      checkColumns(system.annCheck.perQuery, summaryFile, `systems[${i}].annCheck.perQuery`);
    }
    const evaluated = runs.get(system.id);
    if (!evaluated) {
      throw new UserError(
        `has no run named '${system.id}', a system that ran (status ok in summary.json): the folder is incomplete or was edited`,
        { file: evaluationFile, field: 'runs' },
      );
    }
    checkColumns(evaluated.run.perQuery, evaluationFile, `${evaluated.field}.perQuery`);
    return {
      ...measuredSystem(system, evaluated.run),
      ...(summary.schemaVersion === 1 ? { latencyPer: 'call' as const } : {}),
    };
  });
  const { name, version, digest, judgedQueries } = evaluation.dataset;
  const results: MeasuredResults = {
    source: dir,
    runId: summary.runId,
    dataset: { name, version, digest, judgedQueries },
    settings: evaluation.settings,
    systems,
  };
  return { results, summary };
}

/** JSON text → a value that matches `schema`, or a UserError naming `file`, the line or the field. */
export function parseValidated<T>(text: string, file: string, schema: SchemaName): T {
  const value = parseJsonDocument(text, file);
  assertValid<T>(schema, value, file);
  return value;
}

/**
 * The gate pairs values by position (values[measure][i] belongs to qids[i]); a column of another length
 * would pair values with the wrong queries, so it is refused rather than trusted.
 */
export function checkColumns(perQuery: MeasuredSystem['perQuery'], file: string, field: string): void {
  for (const [measure, values] of Object.entries(perQuery.values)) {
    if (values.length !== perQuery.qids.length) {
      throw new UserError(`has ${values.length} values for ${perQuery.qids.length} qids`, {
        file,
        field: `${field}.values.${measure}`,
      });
    }
  }
}

function measuredSystem(system: SystemSummary, run: RunResult): MeasuredSystem {
  return {
    id: system.id,
    status: 'ok',
    description: system.description,
    measures: run.measures,
    perQuery: run.perQuery,
    latencyMs: system.latencyMs ?? null,
    costPerQuery: system.cost?.perQuery ?? null,
    ...(system.indexCheck ? { missingRelevant: system.indexCheck.missingRelevant } : {}),
    ...(system.annCheck ? { annCheck: system.annCheck } : {}),
  };
}

/** Nothing was measured for a failed system, so nothing is reported for it. */
function failedSystem(system: SystemSummary): MeasuredSystem {
  return {
    id: system.id,
    status: 'failed',
    ...(system.error === undefined ? {} : { error: system.error }),
    description: system.description,
    measures: {},
    perQuery: { qids: [], values: {} },
    latencyMs: null,
    costPerQuery: null,
  };
}
