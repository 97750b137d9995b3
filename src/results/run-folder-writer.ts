import { join } from 'node:path';
import { fileSha256 } from '../dataset/digest.js';
import { UserError } from '../errors.js';
import type { HeldRun } from '../evaluation/evaluate-runs.js';
import type { EvaluationFile } from '../evaluation/types.js';
import { copyFile, makeFolder, shownName, writeJsonFile, writeTextFile } from '../files.js';
import type { Run } from '../metrics/types.js';
import { RUN_FILES, runIdProblem, SYSTEM_FILES, systemPath } from './layout.js';
import { writeRunFiles } from './run-files.js';
import type { RunSummary, SystemSummary } from './summary.js';

/** A system's stage runs: the first stage of a reranked system, the exact check's run of an approximate one. */
export interface SystemStages {
  firstStage?: Run | undefined;
  /** `qids`: the sampled queries it answered, the only ones it is evaluated on. */
  exact?: { run: Run; qids?: string[] } | undefined;
}

/** A system's files as summary.json names them, relative to the run folder. */
export type SystemFiles = NonNullable<SystemSummary['files']>;

/**
 * Writes a run folder (reports/<run-id>/) in the order that keeps it honest: the config's copy first, each
 * system's runs as it finishes, then evaluation.json, and summary.json last, since readers take a folder
 * without a summary for a run that was killed or is still going.
 */
export class RunFolderWriter {
  private constructor(readonly dir: string) {}

  /** Makes <reportsDir>/<runId>/ with its systems/ folder and a copy of the config. */
  static create(reportsDir: string, runId: string, configFile: string): RunFolderWriter {
    const problem = runIdProblem(runId);
    if (problem) throw new UserError(`run id '${shownName(runId)}' cannot name a run folder: ${problem}`);
    const writer = new RunFolderWriter(join(reportsDir, runId));
    makeFolder(join(writer.dir, RUN_FILES.systems));
    copyFile(configFile, join(writer.dir, RUN_FILES.config));
    return writer;
  }

  /** Makes the system's folder; returns where its trace goes (written while it runs). */
  startSystem(id: string): { tracePath: string } {
    makeFolder(join(this.dir, systemPath(id)));
    return { tracePath: join(this.dir, systemPath(id), SYSTEM_FILES.trace) };
  }

  /**
   * Writes a system's run and its stage runs (the first stage when reranked, the exact check's run when its
   * index is approximate) as TREC and JSONL files; returns the file names for the summary and the runs, named
   * by their file's digest, for the evaluation.
   */
  writeSystemRuns(id: string, run: Run, stages: SystemStages = {}): { files: SystemFiles; runs: HeldRun[] } {
    const folder = systemPath(id);
    const main = this.writeRun(id, run, join(folder, SYSTEM_FILES.run), join(folder, SYSTEM_FILES.runJsonl));
    const files: SystemFiles = {
      run: main.file.name,
      runJsonl: join(folder, SYSTEM_FILES.runJsonl),
      trace: join(folder, SYSTEM_FILES.trace),
    };
    const runs = [main];
    if (stages.firstStage) {
      const written = this.writeRun(
        stages.firstStage.runId,
        stages.firstStage,
        join(folder, SYSTEM_FILES.firstStage),
        join(folder, SYSTEM_FILES.firstStageJsonl),
      );
      files.firstStage = written.file.name;
      runs.push(written);
    }
    if (stages.exact) {
      const written = this.writeRun(
        stages.exact.run.runId,
        stages.exact.run,
        join(folder, SYSTEM_FILES.exact),
        join(folder, SYSTEM_FILES.exactJsonl),
      );
      files.exact = written.file.name;
      runs.push({ ...written, ...(stages.exact.qids ? { qids: stages.exact.qids } : {}) });
    }
    return { files, runs };
  }

  /** Where the system's trace over an unjudged sample goes (written while it runs). */
  sampleTracePath(id: string): string {
    return join(this.dir, systemPath(id), SYSTEM_FILES.sampleTrace);
  }

  /** Writes a system's run over an unjudged query sample; returns its file, relative to the run folder. */
  writeSampleRun(id: string, run: Run): string {
    const trec = join(systemPath(id), SYSTEM_FILES.sample);
    const { file } = this.writeRun(run.runId, run, trec, join(systemPath(id), SYSTEM_FILES.sampleJsonl));
    return file.name;
  }

  writeEvaluation(evaluation: EvaluationFile): void {
    writeJsonFile(join(this.dir, RUN_FILES.evaluation), evaluation); // per-query values: often megabytes
  }

  writeSummary(summary: RunSummary): void {
    writeTextFile(join(this.dir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  }

  /**
   * Writes a run as TREC and JSONL; ids with whitespace keep it out of TREC, and then the JSONL file is the
   * one evaluated. The file returned (evaluation.json's name and digest, summary.json's files) is the one
   * written, relative to the run folder.
   */
  private writeRun(name: string, run: Run, trecFile: string, jsonlFile: string): HeldRun {
    const wroteTrec = writeRunFiles(run, join(this.dir, trecFile), join(this.dir, jsonlFile));
    const file = wroteTrec ? trecFile : jsonlFile;
    return { name, file: { name: file, sha256: fileSha256(join(this.dir, file)) }, run };
  }
}
