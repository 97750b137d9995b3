import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ModelConfig } from '../config/types.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { ServiceError, UserError } from '../errors.js';
import { checkOutputFolder, folderName, makeFolder, writeTextFile } from '../files.js';
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
import type { Progress } from '../retrieve/types.js';
import { apiKey, createEmbedder } from './components.js';
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
  /** Where an embedder's notices go (waits a server asked for); default: this process's stderr. */
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export interface BuildOutcome {
  record: IndexBuildRecord;
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

  let record: IndexBuildRecord;
  try {
    record = await buildIndex({
      corpus,
      embedder,
      model,
      dataset: datasetFacts,
      target,
      cacheDir: config.cacheDir,
      ...(options.progress ? { progress: options.progress } : {}),
    });
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

  const dir = join(options.reportsDir, 'index-builds');
  makeFolder(dir);
  const stamp = record.builtAt.replace(/:/g, '-');
  // The collection is the user's (--collection): written as one file name, never as a path.
  const recordFile = join(dir, `${folderName(recordName).slice(0, 150)}-${stamp}.json`);
  writeTextFile(
    recordFile,
    `${JSON.stringify({ schemaVersion: 1, kind: 'index-build', ...record, ...(options.alias ? { alias: options.alias } : {}) }, null, 2)}\n`,
  );
  return {
    record,
    ...(collection ? { collection } : {}),
    ...(options.alias ? { alias: options.alias } : {}),
    recordFile,
  };
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
