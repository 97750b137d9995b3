import { readRunFile, readRunJudges } from '../dataset/run-file.js';
import { UserError } from '../errors.js';
import type { Judge } from '../metrics/evaluate.js';
import type { Run } from '../metrics/types.js';
import { systemFolder, systemRunFile, systemSampleRunFile, systemTraceFile } from './layout.js';
import { readTraceTops, type TracedHits } from './trace-reader.js';

/** Reading back what a system retrieved in a run folder: its run file and its trace. */

/** A system's top hits per query, as its folder holds them: its trace's, else its whole run file. */
export type TopHits = { traced: TracedHits[] } | { run: Run };

/** A system's run, for the gate's coverage rules; a string says why there is none. */
export function readSystemRun(runDir: string, id: string): Run | string {
  const file = systemRunFile(runDir, id);
  return file ? readRunFile(file) : `no run file of system '${id}' in ${systemFolder(runDir, id)}`;
}

/** A system's run over the unjudged sample of a migration review; a string says why there is none. */
export function readSampleRun(runDir: string, id: string): Run | string {
  const file = systemSampleRunFile(runDir, id);
  return file ? readRunFile(file) : `no sample run of system '${id}' in ${systemFolder(runDir, id)}`;
}

/** The rankings of a system that ran, query by query, without their doc ids. */
export function readSystemJudges(runDir: string, id: string): Map<string, Judge> {
  return readRunJudges(ranRunFile(runDir, id));
}

/** The first `top` hits of each query from the trace, when the run wrote one; else the run file, whole. */
export function readSystemHits(runDir: string, id: string, top: number): TopHits {
  const trace = systemTraceFile(runDir, id);
  if (!trace) return { run: readRunFile(ranRunFile(runDir, id)) };
  const traced: TracedHits[] = [];
  readTraceTops(trace, top, (record) => traced.push(record));
  return { traced };
}

/** The run file of a system that ran: the folder is incomplete without one. */
function ranRunFile(runDir: string, id: string): string {
  const file = systemRunFile(runDir, id);
  if (!file) {
    throw new UserError(
      `no run file (run.trec or run.jsonl) of system '${id}', which ran: the folder is incomplete`,
      { file: systemFolder(runDir, id) },
    );
  }
  return file;
}
