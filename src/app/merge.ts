import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadPolicy } from '../config/load-policy.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { missingShards, shardLabel, shardsPhrase } from '../dataset/shards.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { checkOutputFolder, shownName } from '../files.js';
import { sortIds } from '../metrics/order.js';
import type { Run } from '../metrics/types.js';
import { formatComparisonTable } from '../report/comparison-table.js';
import { RUN_FILES, runIdProblem, SYSTEM_FILES, systemFolder } from '../results/layout.js';
import { readWrittenRun } from '../results/run-files.js';
import { RunFolderWriter } from '../results/run-folder-writer.js';
import {
  readShardManifest,
  type ShardManifest,
  type ShardSystem,
  type SystemFigures,
  shardFile,
} from '../results/shard.js';
import { mergeTraceFiles } from '../results/trace-merge.js';
import type { RunOutcome } from './run.js';
import { finishRun, runMeasures } from './run-finish.js';
import { type SystemExecution, type SystemRuns, writeSystemRuns } from './run-systems.js';

/** What `retrieval-gate merge` shows: the merged run and its comparison table. */
export function mergeShardsWithTable(options: MergeOptions & { policyFile?: string }): {
  outcome: RunOutcome;
  table: string;
} {
  // A bad policy is refused before anything is written.
  if (options.policyFile) loadPolicy(options.policyFile);
  const outcome = mergeShards(options);
  return { outcome, table: formatComparisonTable(outcome.summary) };
}

export interface MergeOptions {
  /** The shards' run folders, each written by `run --shard I/N`. */
  shards: string[];
  /** The merged run folder, reports/<run-id>. */
  out: string;
  /** The dataset's folder, when it is no longer where the shards read it. */
  dataset?: string;
}

interface ReadShard {
  dir: string;
  manifest: ShardManifest;
}

/**
 * Shards → one run folder, as if the run had not been sharded: checks the shards belong together, joins
 * each system's runs and traces, and evaluates once through the path `run` takes, so evaluation.json is the
 * unsharded run's. Latency percentiles are taken over every shard's per-query timings; tokens and costs are
 * summed.
 */
export function mergeShards(options: MergeOptions): RunOutcome {
  const runId = basename(resolve(options.out));
  const problem = runIdProblem(runId);
  if (problem) throw new UserError(`--out '${shownName(options.out)}' cannot name a run folder: ${problem}`);
  checkOutputFolder(dirname(resolve(options.out)), '--out');
  if (existsSync(join(options.out, RUN_FILES.summary))) {
    throw new UserError('already holds a run (summary.json); merge into a new folder', { file: options.out });
  }
  const shards = checkShards(options.shards.map(readShard));
  const first = (shards[0] as ReadShard).manifest;
  const { dataset, datasetDir } = shardDataset(first, options.dataset);
  const order = sortIds(dataset.queries.keys());
  checkQueries(shards, order);

  const { measures, settings } = runMeasures(first.measures);
  const folder = RunFolderWriter.create(
    dirname(resolve(options.out)),
    runId,
    join((shards[0] as ReadShard).dir, RUN_FILES.config),
  );
  const executions = first.systems.map((_, i) =>
    mergeSystem(
      shards.map(({ dir, manifest }) => ({ dir, manifest, system: manifest.systems[i] as ShardSystem })),
      folder,
      order,
    ),
  );
  const times = shards.map(({ manifest }) => manifest);
  const { summary, evaluation, warnings } = finishRun({
    folder,
    runId,
    dataset,
    configName: first.config.file,
    datasetReference: first.dataset.reference,
    datasetPath: resolve(datasetDir),
    measures,
    settings,
    executions,
    startedAt: new Date(Math.min(...times.map((m) => Date.parse(m.startedAt)))),
    finishedAt: new Date(Math.max(...times.map((m) => Date.parse(m.finishedAt)))),
  });
  // Its traces were joined file to file: the report reads them, and the runs with them.
  return { dir: folder.dir, dataset, summary, evaluation, warnings, held: new Map() };
}

function readShard(dir: string): ReadShard {
  if (!existsSync(shardFile(dir))) {
    throw new UserError(
      existsSync(dir)
        ? 'is not a shard of a run (no shard.json): pass the folders `run --shard I/N` wrote'
        : 'no such folder',
      { file: dir },
    );
  }
  return { dir, manifest: readShardManifest(dir) };
}

/**
 * Shards belong together when they ran the same config over the same dataset, split the same way, and
 * each of the N is there once; anything else is refused, naming the shards at fault.
 */
function checkShards(shards: ReadShard[]): ReadShard[] {
  const first = shards[0];
  if (!first) throw new UserError('merge needs the shards’ folders, e.g. merge reports/shard-*');
  const differs = (what: string, of: (m: ShardManifest) => string | number): void => {
    for (const shard of shards) {
      if (of(shard.manifest) !== of(first.manifest)) {
        throw new UserError(
          `shard ${shardLabel(shard.manifest.shard)} in ${shard.dir} has ${what} ${of(shard.manifest)}, but shard ${shardLabel(first.manifest.shard)} in ${first.dir} has ${of(first.manifest)}: the shards are not of one run`,
        );
      }
    }
  };
  differs('the shard count', (m) => m.shard.count);
  differs('the config digest', (m) => m.config.digest);
  differs('the dataset digest', (m) => m.dataset.digest);
  differs('the tool version', (m) => m.tool.version);
  const count = first.manifest.shard.count;
  const byIndex = new Map<number, ReadShard>();
  for (const shard of shards) {
    const twin = byIndex.get(shard.manifest.shard.index);
    if (twin) {
      throw new UserError(
        `shard ${shardLabel(shard.manifest.shard)} is there twice: ${twin.dir} and ${shard.dir}; pass each shard once`,
      );
    }
    byIndex.set(shard.manifest.shard.index, shard);
  }
  const missing = missingShards(new Set(byIndex.keys()), count);
  if (missing.length > 0) {
    const got = [...byIndex.keys()].sort((a, b) => a - b).map((index) => shardLabel({ index, count }));
    throw new UserError(
      `${shardsPhrase(missing, count)} missing: got ${got.join(', ')}; merge needs all ${count}`,
    );
  }
  return [...byIndex.values()].sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);
}

/** Every query of the dataset answered by exactly one shard: none twice, none left out. */
function checkQueries(shards: ReadShard[], order: readonly string[]): void {
  const owner = new Map<string, ReadShard>();
  for (const shard of shards) {
    for (const qid of shard.manifest.queries) {
      const other = owner.get(qid);
      if (other) {
        throw new UserError(
          `query '${shownName(qid)}' is in shard ${shardLabel(other.manifest.shard)} (${other.dir}) and in shard ${shardLabel(shard.manifest.shard)} (${shard.dir})`,
        );
      }
      owner.set(qid, shard);
    }
  }
  const unanswered = order.filter((qid) => !owner.has(qid));
  if (unanswered.length > 0) {
    throw new UserError(
      `${unanswered.length} queries of the dataset are in no shard (${unanswered.slice(0, 5).map(shownName).join(', ')}${unanswered.length > 5 ? ', …' : ''})`,
    );
  }
}

/** The dataset the shards ran on, read again and checked by digest: an edited one would be evaluated blind. */
function shardDataset(manifest: ShardManifest, override?: string): { dataset: Dataset; datasetDir: string } {
  const datasetDir =
    override ??
    (existsSync(manifest.dataset.path)
      ? manifest.dataset.path
      : resolveDataset(manifest.dataset.reference, process.cwd()));
  const dataset = loadDataset(datasetDir);
  if (dataset.digest !== manifest.dataset.digest) {
    throw new UserError(
      `is ${dataset.digest}, but the shards ran on ${manifest.dataset.digest}: merge with the dataset they ran on (--dataset)`,
      { file: datasetDir, field: 'digest' },
    );
  }
  return { dataset, datasetDir };
}

/** One system across the shards: failed when it failed in any; else its runs, traces and figures joined. */
function mergeSystem(
  parts: (ReadShard & { system: ShardSystem })[],
  folder: RunFolderWriter,
  order: readonly string[],
): SystemExecution {
  const [first] = parts as [ReadShard & { system: ShardSystem }];
  const { plan } = first.system;
  const { tracePath } = folder.startSystem(plan.id);
  mergeTraceFiles(
    parts.map(({ dir }) => join(systemFolder(dir, plan.id), SYSTEM_FILES.trace)),
    order,
    tracePath,
  );
  const warnings = [...new Set(parts.flatMap((p) => p.system.summary.warnings ?? []))];
  const { files: _files, ...base } = first.system.summary;
  const summary = { ...base, ...(warnings.length > 0 ? { warnings } : {}) };
  const failed = parts.find((p) => p.system.summary.status === 'failed' || !p.system.figures);
  if (failed) {
    const error = failed.system.summary.error ?? 'no figures recorded';
    return {
      plan,
      summary: {
        ...summary,
        status: 'failed',
        error: `shard ${shardLabel(failed.manifest.shard)}: ${error}`,
      },
    };
  }
  const runs = mergeRuns(
    parts.map(({ dir }) => systemRuns(dir, plan.id, first.system)),
    order,
  );
  const { files, runs: named } = writeSystemRuns(folder, plan, runs);
  const figures = sumFigures(parts.map((p) => p.system.figures as SystemFigures));
  return { plan, summary, ran: { runs, named, files, figures } };
}

/** A shard's runs of a system, read back from the JSONL files it wrote (always written, whatever the ids). */
function systemRuns(dir: string, id: string, system: ShardSystem): SystemRuns {
  const folder = systemFolder(dir, id);
  const read = (file: string, runId: string): Run => readWrittenRun(join(folder, file), runId);
  const { files } = system.summary;
  return {
    run: read(SYSTEM_FILES.runJsonl, id),
    ...(files?.firstStage ? { firstStage: read(SYSTEM_FILES.firstStageJsonl, `${id}~first-stage`) } : {}),
    ...(files?.exact ? { exact: read(SYSTEM_FILES.exactJsonl, `${id}~exact`) } : {}),
  };
}

function mergeRuns(parts: SystemRuns[], order: readonly string[]): SystemRuns {
  const join = (runs: (Run | undefined)[]): Run | undefined => {
    const present = runs.filter((r): r is Run => r !== undefined);
    const [run] = present;
    if (!run) return undefined;
    const queries = new Map(present.flatMap((r) => [...r.queries]));
    // In the dataset's query order, as the unsharded run holds them.
    return {
      runId: run.runId,
      queries: new Map(order.flatMap((q) => (queries.has(q) ? [[q, queries.get(q)]] : []))),
    } as Run;
  };
  const firstStage = join(parts.map((p) => p.firstStage));
  const exact = join(parts.map((p) => p.exact));
  return {
    run: join(parts.map((p) => p.run)) as Run,
    ...(firstStage ? { firstStage } : {}),
    ...(exact ? { exact } : {}),
  };
}

/** Shards' figures as one run's: per-query timings joined (percentiles are taken over all), counts summed. */
function sumFigures(parts: SystemFigures[]): SystemFigures {
  const sum = (of: (f: SystemFigures) => number): number => parts.reduce((total, f) => total + of(f), 0);
  const all = (of: (f: SystemFigures) => number[]): number[] => parts.flatMap(of);
  const distinct = (of: (f: SystemFigures) => number[]): number[] => [...new Set(all(of))];
  const exacts = parts.map((f) => f.exact);
  const failedExact = exacts.find((e) => e && 'error' in e);
  const searchMs = exacts.flatMap((e) => (e && 'searchMs' in e ? e.searchMs : []));
  return {
    queries: sum((f) => f.queries),
    latencies: {
      embed: all((f) => f.latencies.embed),
      search: all((f) => f.latencies.search),
      rerank: all((f) => f.latencies.rerank),
      total: all((f) => f.latencies.total),
    },
    batchLatencies: {
      embed: all((f) => f.batchLatencies.embed),
      search: all((f) => f.batchLatencies.search),
    },
    wallMs: sum((f) => f.wallMs),
    embedding: {
      calls: sum((f) => f.embedding.calls),
      tokens: sum((f) => f.embedding.tokens),
      retries: sum((f) => f.embedding.retries),
      batchSizes: distinct((f) => f.embedding.batchSizes),
      truncated: parts.flatMap((f) => f.embedding.truncated),
    },
    searchBatchSizes: distinct((f) => f.searchBatchSizes),
    rerankTokens: sum((f) => f.rerankTokens),
    rerankSearchUnits: sum((f) => f.rerankSearchUnits),
    retries: { search: sum((f) => f.retries.search), rerank: sum((f) => f.retries.rerank) },
    indexBuild: {
      embeddingCalls: sum((f) => f.indexBuild.embeddingCalls),
      tokens: sum((f) => f.indexBuild.tokens),
    },
    ...(failedExact ? { exact: failedExact } : exacts.some((e) => e) ? { exact: { searchMs } } : {}),
  };
}
