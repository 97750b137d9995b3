import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config/load.js';
import type { ModelConfig } from '../config/types.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { inShard, parseShard, type Shard } from '../dataset/shards.js';
import { ServiceError, UserError } from '../errors.js';
import { checkOutputFolder, makeFolder, writeTextFile } from '../files.js';
import {
  defaultCollectionName,
  embeddedBuildTarget,
  pgvectorBuildTarget,
  qdrantBuildTarget,
} from '../lifecycle/build-targets.js';
import { buildIndex, type IndexBuildRecord } from '../lifecycle/index-build.js';
import type { IndexStore } from '../lifecycle/index-store.js';
import { PgvectorStore } from '../lifecycle/stores/pgvector-store.js';
import { QdrantStore } from '../lifecycle/stores/qdrant-store.js';
import { openDatabase } from '../retrieve/providers/pgvector/database.js';
import type { SqlClient } from '../retrieve/providers/pgvector/sql-client.js';
import { QdrantConnection } from '../retrieve/providers/qdrant/connection.js';
import { contentDigest } from '../retrieve/providers/sources/records.js';
import type { CorpusDocument, Progress } from '../retrieve/types.js';
import { apiKey, createEmbedder } from './components.js';
import {
  readShardRecords,
  recordBaseName,
  removeShardRecords,
  sumShardRecords,
  writeShardRecord,
} from './index-build-shards.js';
import { corpusDocuments } from './run.js';

export interface BuildFromConfigOptions {
  configFile: string;
  model: string;
  index: string;
  /** Qdrant: the collection to create or resume (default `{dataset}_{model alias}_{version}`). */
  collection?: string;
  /** Point this alias (Qdrant alias, pgvector view) at the new index once it is ready. */
  alias?: string;
  /** Points per upsert request (64–256) and requests in flight (2–4). */
  batchSize: number;
  parallel: number;
  /** Where the build record is written: <reportsDir>/index-builds/. */
  reportsDir: string;
  progress?: Progress;
  /**
   * `I/N`: embed and write only the I-th of N slices of the corpus, leaving a shard record; readiness and the
   * build record wait for `finish`.
   */
  shard?: string;
  /** Every shard is in: wait for readiness and write the build record once, the shards' figures summed. */
  finish?: boolean;
  /** Where an embedder's notices go (waits a server asked for); default: this process's stderr. */
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export interface BuildOutcome {
  record: IndexBuildRecord;
  /** The shard this step built, when it was one (its record is the shard's, for --finish to sum). */
  shard?: Shard;
  /** The concrete collection or table, absent for the embedded index. */
  collection?: string;
  alias?: string;
  recordFile: string;
}

/**
 * `index build`: embeds the config's dataset corpus with one of its models into one of its indexes (a new
 * Qdrant collection, a pgvector table, or the embedding cache behind the embedded index) and records what
 * it cost.
 */
export async function buildIndexFromConfig(options: BuildFromConfigOptions): Promise<BuildOutcome> {
  const env = options.env ?? process.env;
  const config = loadConfig(options.configFile, env);
  const pick = <T extends { alias: string }>(kind: string, all: T[], alias: string): T => {
    const found = all.find((item) => item.alias === alias);
    if (!found) {
      const known = all.map((item) => item.alias).join(', ') || 'none';
      throw new UserError(`no ${kind} '${alias}' in ${options.configFile} (it defines: ${known})`);
    }
    return found;
  };
  const model = pick('model', config.models, options.model);
  const index = pick('index', config.indexes, options.index);
  if (index.kind !== 'qdrant' && index.kind !== 'embedded' && index.kind !== 'pgvector') {
    throw new UserError(
      `index '${index.alias}' is a ${index.kind} index: index build writes qdrant, pgvector or embedded indexes`,
    );
  }
  for (const [value, range, flag] of [
    [options.batchSize, [64, 256], '--batch-size'],
    [options.parallel, [2, 4], '--parallel'],
  ] as const) {
    if (!Number.isInteger(value) || value < range[0] || value > range[1])
      throw new UserError(`${flag} must be an integer from ${range[0]} to ${range[1]}, got ${value}`);
  }
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  if (shard && options.finish)
    throw new UserError('--shard and --finish are separate steps: build the shards, then finish');
  if (shard && options.alias) {
    throw new UserError('--alias points at a whole index: give it to the last step, index build --finish');
  }
  // Before anything is embedded: a build's record goes under --reports.
  checkOutputFolder(options.reportsDir, '--reports');
  const dataset = loadDataset(resolveDataset(config.dataset, config.dir));
  const corpus = corpusDocuments(dataset, { ...config, systems: [] });
  if (corpus.length === 0) throw new UserError(`dataset ${config.dataset} has no corpus to index`);
  const datasetFacts = {
    name: dataset.manifest.name,
    version: dataset.manifest.version,
    digest: dataset.digest,
  };
  const embedder = await createEmbedder(model, env, options.stderr);
  const dimensions = embedder.dimensions;

  let collection: string | undefined;
  let recordName: string;
  let target: Awaited<ReturnType<typeof qdrantBuildTarget>>;
  let connection: QdrantConnection | undefined;
  let database: SqlClient | undefined;
  const sized = { ...model, dimensions } as ModelConfig & { dimensions: number };
  if (index.kind !== 'qdrant' && options.collection) {
    throw new UserError(
      `--collection applies to qdrant indexes; '${index.alias}' is ${index.kind}${index.kind === 'pgvector' ? ' (its table is the config’s table field)' : ''}`,
    );
  }
  if (index.kind === 'embedded' && options.alias) {
    throw new UserError(`--alias applies to qdrant and pgvector indexes; '${index.alias}' is embedded`);
  }
  if (index.kind === 'qdrant') {
    collection = options.collection ?? defaultCollectionName(dataset.manifest.name, model);
    recordName = collection;
    connection = new QdrantConnection({
      url: index.url,
      ...apiKey(index.apiKeyEnv, env),
      timeoutMs: index.timeoutMs,
      maxRetries: index.maxRetries,
      maxConnections: options.parallel,
    });
    target = await qdrantBuildTarget({
      connection,
      name: collection,
      model: sized,
      index,
      dataset: datasetFacts,
      batchSize: options.batchSize,
      parallel: options.parallel,
    });
  } else if (index.kind === 'pgvector') {
    collection = index.table;
    recordName = `pgvector-${index.table}`;
    database = await openDatabase(index, { dir: config.dir, env, create: true });
    try {
      target = await pgvectorBuildTarget({
        client: database,
        model: sized,
        index,
        dataset: datasetFacts,
        batchSize: options.batchSize,
        parallel: options.parallel,
        configFile: options.configFile,
      });
    } catch (error) {
      await database.close();
      throw error;
    }
  } else {
    recordName = `embedded-${index.alias}-${model.alias}`;
    target = embeddedBuildTarget(index.alias, config.cacheDir);
  }

  const dir = join(options.reportsDir, 'index-builds');
  let record: IndexBuildRecord;
  let shardFiles: string[] = [];
  try {
    if (options.finish) {
      const shards = readShardRecords(dir, recordName);
      shardFiles = shards.files;
      record = sumShardRecords(shards.records);
      // The embedded index's store is the embedding cache: there are no points to count.
      if (index.kind !== 'embedded') checkComplete(corpus, await target.existing(), target.description);
      const began = performance.now();
      await target.finish(record);
      record.durationMs += performance.now() - began;
    } else {
      record = await buildIndex({
        corpus: shard ? inShard(corpus, shard) : corpus,
        embedder,
        model,
        dataset: datasetFacts,
        target,
        cacheDir: config.cacheDir,
        ...(options.progress ? { progress: options.progress } : {}),
        ...(shard ? { finish: false } : {}),
      });
    }
    const store =
      connection && index.kind === 'qdrant'
        ? new QdrantStore(connection, index)
        : database && index.kind === 'pgvector'
          ? new PgvectorStore(database, index)
          : undefined;
    if (options.alias && store && collection) await pointAlias(store, options.alias, collection);
  } finally {
    await database?.close();
  }

  makeFolder(dir);
  if (shard) {
    return {
      record,
      shard,
      ...(collection ? { collection } : {}),
      recordFile: writeShardRecord(dir, recordName, shard, record),
    };
  }
  const stamp = record.builtAt.replace(/:/g, '-');
  const recordFile = join(dir, `${recordBaseName(recordName)}-${stamp}.json`);
  writeTextFile(
    recordFile,
    `${JSON.stringify({ schemaVersion: 1, kind: 'index-build', ...record, ...(options.alias ? { alias: options.alias } : {}) }, null, 2)}\n`,
  );
  removeShardRecords(shardFiles);
  return {
    record,
    ...(collection ? { collection } : {}),
    ...(options.alias ? { alias: options.alias } : {}),
    recordFile,
  };
}

/** Before a sharded build is declared ready: every document of the corpus stored, with its current text. */
function checkComplete(corpus: CorpusDocument[], stored: Map<string, string>, target: string): void {
  const lacking = corpus.filter((doc) => stored.get(doc.id) !== contentDigest(doc.text)).map((doc) => doc.id);
  if (lacking.length > 0) {
    throw new UserError(
      `${target} lacks ${lacking.length} of the corpus's ${corpus.length} documents, or holds them with other text (${lacking.slice(0, 5).join(', ')}${lacking.length > 5 ? ', …' : ''}): a shard did not finish; run it again (it writes only what is missing), then --finish`,
    );
  }
}

/**
 * Points the alias (a Qdrant alias, a pgvector view) at the index just built, and reads it back: an alias
 * that is already in use is better moved with `migrate cutover`, which is reviewed and recorded.
 */
async function pointAlias(store: IndexStore, alias: string, target: string): Promise<void> {
  await store.switchAlias(alias, target);
  const now = (await store.aliases()).get(alias);
  if (now !== target) {
    throw new ServiceError(`alias ${alias} was pointed at ${target} but reads back as ${now ?? 'missing'}`);
  }
}
