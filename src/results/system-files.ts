import { readRunFile } from '../dataset/run-file.js';
import type { Run } from '../metrics/types.js';
import { systemFolder, systemRunFile } from './layout.js';

/** Reading back what a system retrieved in a run folder: its run file and its trace. */

/** A system's run, for the gate's coverage rules; a string says why there is none. */
export function readSystemRun(runDir: string, id: string): Run | string {
  const file = systemRunFile(runDir, id);
  return file ? readRunFile(file) : `no run file of system '${id}' in ${systemFolder(runDir, id)}`;
}
