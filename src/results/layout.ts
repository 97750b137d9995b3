import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a system's files live in a run folder (reports/<run-id>/systems/<id>/): the runner writes them there,
 * and the gate and the report read them back, so the layout is named in one place.
 */

/** A system id as a folder name. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._@+-]/g, '_');
}

export function systemFolder(runDir: string, id: string): string {
  return join(runDir, 'systems', safeName(id));
}

/** The system's run file: run.trec, or run.jsonl where ids with whitespace kept it from TREC; else undefined. */
export function systemRunFile(runDir: string, id: string): string | undefined {
  const folder = systemFolder(runDir, id);
  return ['run.trec', 'run.jsonl'].map((name) => join(folder, name)).find((path) => existsSync(path));
}

/** The system's trace (one line per query), when the run wrote one. */
export function systemTraceFile(runDir: string, id: string): string | undefined {
  const path = join(systemFolder(runDir, id), 'trace.jsonl');
  return existsSync(path) ? path : undefined;
}

/** The verdict the gate writes into a run folder when told no other place (gate.json): the report shows it. */
export function runVerdictFile(runDir: string): string {
  return join(runDir, 'gate.json');
}
