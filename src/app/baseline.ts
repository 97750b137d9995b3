import { UserError } from '../errors.js';
import { writeTextFile } from '../files.js';
import { type BaselineFile, toBaselineFile } from '../results/baseline.js';
import type { MeasuredResults, MeasuredSystem } from '../results/measured.js';
import { loadResults } from '../results/run-folder.js';

/** `baseline save`: blesses a run folder's results, of the systems named or of all, as a baseline file. */

export interface SaveBaselineOptions {
  /** A run folder, reports/<run-id>/. */
  from: string;
  /** The systems to keep; default (none named): every system. */
  systems?: string[];
  to: string;
}

/** Saves a run's results (or some of its systems) as a baseline file; returns what was written. */
export function saveBaseline(options: SaveBaselineOptions): BaselineFile {
  const results = loadResults(options.from);
  const baseline = toBaselineFile(
    results,
    blessedSystems(results, options.systems?.length ? options.systems : undefined),
  );
  writeTextFile(options.to, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

/** The systems to bless: the named ones (every one by default), none of which may have failed. */
function blessedSystems(results: MeasuredResults, ids: string[] | undefined): MeasuredSystem[] {
  const known = results.systems.map((s) => s.id);
  const unknown = (ids ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new UserError(
      `no system ${unknown.map((id) => `'${id}'`).join(', ')} in ${results.source}; its systems: ${known.join(', ')}`,
    );
  }
  const chosen = ids ? results.systems.filter((s) => ids.includes(s.id)) : results.systems;
  const failed = chosen.filter((s) => s.status === 'failed');
  if (failed.length > 0) {
    throw new UserError(
      `a failed system cannot be a baseline: ${failed.map((s) => `'${s.id}' (${s.error?.split('\n')[0] ?? 'no error recorded'})`).join(', ')}${ids ? '' : '; name the others with --system'}`,
      { file: results.source },
    );
  }
  return chosen;
}
