import { basename, resolve } from 'node:path';
import type { RunConfig } from '../config/types.js';
import { fileSha256 } from '../dataset/digest.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { inShard, type Shard } from '../dataset/shards.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { datasetSummary } from '../evaluation/evaluate-runs.js';
import type { EvaluationFile } from '../evaluation/types.js';
import { checkOutputFolder, shownName } from '../files.js';
import { sortIds } from '../metrics/order.js';
import { defaultRunId, runIdProblem } from '../results/layout.js';
import { RunFolderWriter } from '../results/run-folder-writer.js';
import { type ShardManifest, writeShardManifest } from '../results/shard.js';
import type { RunSummary } from '../results/summary.js';
import type { SystemQuery } from '../retrieve/run-system.js';
import type { CorpusDocument, Progress } from '../retrieve/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { HeldSystem } from './report.js';
import { finishRun, runMeasures } from './run-finish.js';
import { type BuildComponents, executeSystems, type SystemExecution } from './run-systems.js';

export type { BuildComponents, BuildContext, BuiltSystem } from './run-systems.js';

export interface RunOptions {
  config: RunConfig;
  /** The reports folder; the run writes into <reportsDir>/<runId>/. */
  reportsDir: string;
  runId?: string;
  build: BuildComponents;
  progress?: Progress;
  /** The ANN check of systems on approximate indexes: every query (default), or a seeded sample of them. */
  annCheck?: { sample?: number };
  /**
   * Unjudged queries (real traffic) each system also answers, after the dataset's: their rankings are
   * written beside the run (sample.trec) for a migration review to compare, and never evaluated.
   */
  sample?: SystemQuery[];
}

export interface RunOutcome {
  dir: string;
  /** The dataset the systems ran over, as loaded. */
  dataset: Dataset;
  summary: RunSummary;
  evaluation: EvaluationFile;
  warnings: string[];
  /** By system id, each system that ran here, as it holds its results: what its report need not read back. */
  held: ReadonlyMap<string, HeldSystem>;
}

/**
 * config → runs → evaluations: executes every system over the dataset's queries, writes runs and traces,
 * evaluates them, and measures reranker lift. A system that fails is recorded as failed with its error and
 * the others still run; nothing unmeasured is reported as a value.
 */
export async function runConfig(options: RunOptions): Promise<RunOutcome> {
  const { config } = options;
  const started = startRun(options);
  const { dataset, datasetDir, folder, settings, queries } = started;
  const executions = await executeSystems({
    ...started,
    config,
    allQueries: queries,
    build: options.build,
    progress: options.progress,
    annCheck: options.annCheck,
    sample: options.sample,
  });
  const { summary, evaluation, warnings } = finishRun({
    folder,
    runId: started.runId,
    dataset,
    configName: basename(config.file),
    datasetReference: config.dataset,
    datasetPath: resolve(datasetDir),
    measures: started.measures,
    settings,
    executions,
    startedAt: started.startedAt,
  });
  return {
    dir: folder.dir,
    dataset,
    summary,
    evaluation,
    warnings: [...buildWarnings(executions), ...warnings],
    held: heldSystems(executions),
  };
}

/** The systems that ran, with the run and top hits their run file and trace hold. */
function heldSystems(executions: SystemExecution[]): Map<string, HeldSystem> {
  const held = new Map<string, HeldSystem>();
  for (const { plan, ran } of executions) {
    if (ran?.tops) held.set(plan.id, { run: ran.runs.run, tops: ran.tops });
  }
  return held;
}

/** What a shard run wrote: its folder and manifest, and the build warnings to print. */
export interface ShardOutcome {
  dir: string;
  manifest: ShardManifest;
  warnings: string[];
}

/**
 * One shard of a run: every system over the shard's slice of the queries, its runs and traces written into
 * a partial run folder with shard.json, and nothing evaluated (`merge` evaluates the shards together).
 */
export async function runShard(options: RunOptions & { shard: Shard }): Promise<ShardOutcome> {
  const { config, shard } = options;
  if (options.sample) throw new UserError('a sharded run answers no unjudged sample; run it unsharded');
  const started = startRun({ ...options, runId: options.runId ?? `shard-${shard.index}-of-${shard.count}` });
  const queries = inShard(started.queries, shard);
  const executions = await executeSystems({
    ...started,
    config,
    allQueries: started.queries,
    queries,
    build: options.build,
    progress: options.progress,
    annCheck: options.annCheck,
  });
  const manifest: ShardManifest = {
    schemaVersion: 1,
    kind: 'run-shard',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    shard,
    config: { file: basename(config.file), digest: fileSha256(config.file) },
    dataset: {
      ...datasetSummary(started.dataset),
      reference: config.dataset,
      path: resolve(started.datasetDir),
    },
    measures: started.settings.measures,
    queries: queries.map((q) => q.id),
    startedAt: started.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    systems: executions.map(({ plan, summary, ran }) => ({
      plan,
      summary: ran ? { ...summary, files: ran.files } : summary,
      ...(ran ? { figures: ran.figures } : {}),
    })),
  };
  writeShardManifest(started.folder.dir, manifest);
  return { dir: started.folder.dir, manifest, warnings: buildWarnings(executions) };
}

/** The run's inputs, read and checked before any system runs, and its folder, made. */
function startRun(options: RunOptions) {
  const { config } = options;
  checkRunFolder(options);
  const startedAt = new Date();
  const datasetDir = resolveDataset(config.dataset, config.dir);
  const dataset = loadDataset(datasetDir);
  const { measures, settings } = runMeasures(config.measures);
  const corpus = corpusDocuments(dataset, config);
  const runId = options.runId ?? defaultRunId(startedAt);
  const folder = RunFolderWriter.create(options.reportsDir, runId, config.file);
  const queries: SystemQuery[] = sortIds(dataset.queries.keys()).map((id) => ({
    id,
    text: dataset.queries.get(id)?.text ?? '',
  }));
  return { startedAt, datasetDir, dataset, measures, settings, corpus, runId, folder, queries };
}

function buildWarnings(executions: SystemExecution[]): string[] {
  return executions.flatMap(({ summary }) =>
    (summary.warnings ?? []).map((w) => `system '${summary.id}': ${w}`),
  );
}

/** The corpus as indexes and rerankers read it: title and text joined, in id order. */
export function corpusDocuments(dataset: Dataset, config: RunConfig): CorpusDocument[] {
  const needsCorpus = config.systems.some((s) => {
    // Live indexes hold their own documents; a reranker over one reads the text from its payload if it can.
    const holdsText = s.index.kind === 'qdrant' && s.index.textField !== undefined;
    const liveIndex = s.index.kind === 'command' || s.index.kind === 'qdrant';
    return !liveIndex || (s.reranker !== undefined && !holdsText);
  });
  if (!dataset.corpus) {
    if (needsCorpus) {
      throw new UserError(
        `dataset ${dataset.manifest.name}@${dataset.manifest.version} has no corpus; embedded and bm25 indexes need one, and so do rerankers unless a qdrant index gives the text (textField)`,
        {
          file: config.file,
          field: 'dataset',
        },
      );
    }
    return [];
  }
  return sortIds(dataset.corpus.keys()).map((id) => {
    const doc = dataset.corpus?.get(id);
    return { id, text: doc?.title ? `${doc.title}\n${doc.text}` : (doc?.text ?? '') };
  });
}

/**
 * The run folder the run will write, checked before anything is read or run: the run id is one path
 * component (never `..`, a separator, a device name or a name too long), and --reports is a folder.
 */
function checkRunFolder(options: RunOptions): void {
  if (options.runId !== undefined) {
    const problem = runIdProblem(options.runId);
    if (problem) {
      throw new UserError(
        `--run-id '${shownName(options.runId)}' cannot name a run folder under ${options.reportsDir}: ${problem}; use letters, digits, '.', '_' and '-' (e.g. nightly-2026-12-03)`,
      );
    }
  }
  checkOutputFolder(options.reportsDir, '--reports');
}
