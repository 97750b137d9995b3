import { type BaselineFile, saveBaseline } from '../results/baseline.js';

/**
 * `baseline save`: keeps a run folder's results as a baseline file, of the systems named or (none named)
 * of every system.
 */
export function saveRunBaseline(from: string, systems: string[], to: string): BaselineFile {
  return saveBaseline({ from, ...(systems.length > 0 ? { systems } : {}), to });
}
