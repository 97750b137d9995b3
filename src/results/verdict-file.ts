import { existsSync } from 'node:fs';
import { readTextFile } from '../files.js';
import { parseValidated } from './run-folder.js';
import type { Verdict } from './verdict.js';

/**
 * Reads a gate.json back (for the report of a gated run). Absent is not an error: an ungated run has none.
 * Only what verdict.schema.json checks is trusted; the rest of the file is as the gate wrote it.
 */
export function readVerdictFile(path: string): Verdict | null {
  if (!existsSync(path)) return null;
  return parseValidated<Verdict>(readTextFile(path), path, 'verdict');
}
