import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
} as const;

/** A system id as a folder name. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._@+-]/g, '_');
}

/** The system's folder, relative to the run folder (summary.json names its files this way). */
export function systemPath(id: string): string {
  return join(RUN_FILES.systems, safeName(id));
}

export function systemFolder(runDir: string, id: string): string {
  return join(runDir, systemPath(id));
}

/** The system's run file: run.trec, or run.jsonl where ids with whitespace kept it from TREC; else undefined. */
export function systemRunFile(runDir: string, id: string): string | undefined {
  const folder = systemFolder(runDir, id);
  return [SYSTEM_FILES.run, SYSTEM_FILES.runJsonl]
    .map((name) => join(folder, name))
    .find((path) => existsSync(path));
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
