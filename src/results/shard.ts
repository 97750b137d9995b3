import { join } from 'node:path';
import { readTextFile, writeTextFile } from '../files.js';
import { RUN_FILES } from './layout.js';
import { parseValidated } from './run-folder.js';
import type { QueryLoopFigures, SystemSummary } from './summary.js';

/**
 * reports/<shard>/shard.json: a partial run folder's manifest. A shard holds the runs and traces of every
 * system over one slice of the dataset's queries, and here what `merge` needs to check that shards belong
 * together (the config's and the dataset's digests, N) and to summarize them as one run: the raw per-query
 * timings (percentiles are taken once, over all shards' queries) and the counts that are summed.
 */
export interface ShardManifest {
  schemaVersion: 1;
  kind: 'run-shard';
  tool: { name: string; version: string };
  shard: { index: number; count: number };
  /** The config file's name and the sha256 of its bytes. */
  config: { file: string; digest: string };
  /** The config's `dataset:` as written, the folder it resolved to, and the dataset's content digest. */
  dataset: { name: string; version: string; digest: string; reference: string; path: string };
  measures: string[];
  /** The dataset's queries this shard ran, in the order they ran. */
  queries: string[];
  startedAt: string;
  finishedAt: string;
  systems: ShardSystem[];
}

/** One system in a shard: what it is, its summary so far, and what it measured (absent when it failed). */
export interface ShardSystem {
  plan: SystemPlan;
  summary: SystemSummary;
  figures?: SystemFigures;
}

/** What summarizing a system needs of its config: depth, reranker depth, prices and the ANN check. */
export interface SystemPlan {
  id: string;
  k: number;
  rerankerDepth: number | null;
  /** In the config's price units per token or search unit. */
  prices: { queryTokenPrice: number; rerankTokenPrice: number; rerankSearchUnitPrice: number };
  /** The queries of the whole dataset the ANN check covers (every shard checks its share of them). */
  annCheck: { qids: string[]; sample: { size: number; seed: number } | null } | null;
  /** The index searches exactly (`exact: true`): nothing to check. */
  exactIndex: boolean;
}

/** A system's measured figures over some queries, raw: merged shards' figures add up to one run's. */
export interface SystemFigures extends QueryLoopFigures {
  retries: { search: number; rerank: number };
  indexBuild: { embeddingCalls: number; tokens: number };
  /** The exact searches' latencies of the ANN check, or why it could not run. */
  exact?: { searchMs: number[] } | { error: string };
}

export function shardFile(dir: string): string {
  return join(dir, RUN_FILES.shard);
}

export function writeShardManifest(dir: string, manifest: ShardManifest): void {
  writeTextFile(shardFile(dir), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readShardManifest(dir: string): ShardManifest {
  const file = shardFile(dir);
  return parseValidated<ShardManifest>(readTextFile(file), file, 'shard');
}
