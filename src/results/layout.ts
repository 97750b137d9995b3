import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { folderName, nameProblem, shownName } from '../files.js';

/**
 * Where a system's files live in a run folder (reports/<run-id>/systems/<id>/): the runner writes them there,
 * and the gate and the report read them back, so the layout is named in one place.
 */

/** The files of a run folder (reports/<run-id>/). */
export const RUN_FILES = {
  config: 'config.yaml',
  evaluation: 'evaluation.json',
  summary: 'summary.json',
  verdict: 'gate.json',
  report: 'report.html',
  /** A shard's manifest (`run --shard I/N`): the folder holds part of a run, for `merge`. */
  shard: 'shard.json',
  systems: 'systems',
} as const;

/** The files of one system's folder. */
export const SYSTEM_FILES = {
  run: 'run.trec',
  runJsonl: 'run.jsonl',
  trace: 'trace.jsonl',
  firstStage: 'first-stage.trec',
  firstStageJsonl: 'first-stage.jsonl',
  exact: 'exact.trec',
  exactJsonl: 'exact.jsonl',
  sample: 'sample.trec',
  sampleJsonl: 'sample.jsonl',
  sampleTrace: 'sample-trace.jsonl',
} as const;

/**
 * A system id as a folder name: a sweep's `[efSearch=64]` becomes `_efSearch_64_`. The config refuses ids
 * whose folder names would coincide or cannot be one (config/systems.ts); here it is checked again, so that
 * no caller (the programmatic API) writes outside the run folder.
 */
export function safeName(id: string): string {
  const name = folderName(id);
  const problem = nameProblem(name);
  if (problem) throw new UserError(`system id '${shownName(id)}' cannot name its folder: ${problem}`);
  return name;
}

/** The system's folder, relative to the run folder (summary.json names its files this way). */
export function systemPath(id: string): string {
  return join(RUN_FILES.systems, safeName(id));
}

/** A run's id when none is given, from its start: "2026-11-22T23-15-04Z", sortable, safe as a folder name. */
export function defaultRunId(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * Why a run id cannot name a run folder (<reports>/<run-id>/), or undefined: one path component on every
 * system, so that nothing is written outside the reports folder.
 */
export function runIdProblem(runId: string): string | undefined {
  return nameProblem(runId);
}

export function systemFolder(runDir: string, id: string): string {
  return join(runDir, systemPath(id));
}

/** The system's run file: run.trec, or run.jsonl where ids with whitespace kept it from TREC; else undefined. */
export function systemRunFile(runDir: string, id: string): string | undefined {
  return firstExisting(runDir, id, [SYSTEM_FILES.run, SYSTEM_FILES.runJsonl]);
}

/** The system's run over an unjudged sample (sample.trec or sample.jsonl), when the run had one. */
export function systemSampleRunFile(runDir: string, id: string): string | undefined {
  return firstExisting(runDir, id, [SYSTEM_FILES.sample, SYSTEM_FILES.sampleJsonl]);
}

function firstExisting(runDir: string, id: string, names: string[]): string | undefined {
  const folder = systemFolder(runDir, id);
  return names.map((name) => join(folder, name)).find((path) => existsSync(path));
}

/** The system's trace (one line per query), when the run wrote one. */
export function systemTraceFile(runDir: string, id: string): string | undefined {
  const path = join(systemFolder(runDir, id), SYSTEM_FILES.trace);
  return existsSync(path) ? path : undefined;
}

/** The verdict the gate writes into a run folder when told no other place (gate.json): the report shows it. */
export function runVerdictFile(runDir: string): string {
  return join(runDir, RUN_FILES.verdict);
}

/** The files of a route run folder (reports/routes/<run-id>/): routers evaluated on a route dataset. */
export const ROUTE_RUN_FILES = {
  config: 'router.yaml',
  run: 'route-run.json',
  verdict: 'route-gate.json',
  report: 'route-report.html',
  routers: 'routers',
  decisions: 'decisions.jsonl',
} as const;

/** Where one router's per-utterance decisions live in a route run folder. */
export function routerDecisionsFile(runDir: string, id: string): string {
  return join(runDir, ROUTE_RUN_FILES.routers, safeName(id), ROUTE_RUN_FILES.decisions);
}
