import type { ModelConfig, PgvectorIndexConfig, QdrantIndexConfig } from '../config/types.js';
import { UserError } from '../errors.js';
import { parseTableName } from '../retrieve/providers/pgvector/sql.js';
import type { SqlClient } from '../retrieve/providers/pgvector/sql-client.js';
import { SqlError } from '../retrieve/providers/pgvector/sql-client.js';
import {
  describeTable,
  readTableFacts,
  resolveTable,
  type TableSpec,
  tableExists,
  tableVectorFacts,
} from '../retrieve/providers/pgvector/table.js';
import {
  createAnnIndex,
  createTable,
  insertRows,
  storedDigests as storedRowDigests,
  tableSizeBytes,
  writeBuildRecord,
} from '../retrieve/providers/pgvector/write.js';
import { readCollectionFacts, vectorFacts } from '../retrieve/providers/qdrant/collection.js';
import type { QdrantConnection } from '../retrieve/providers/qdrant/connection.js';
import {
  collectionExists,
  createCollection,
  storedDigests,
  updateMetadata,
  upsertPoints,
  waitForGreen,
} from '../retrieve/providers/qdrant/write.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { type BuildMetadata, checkCompatibility } from './compatibility.js';
import type { BuildTarget, IndexBuildRecord } from './index-build.js';

/** Who builds an index, recorded with it so that later runs can check what built it. */
function buildMetadata(
  model: ModelConfig & { dimensions: number },
  distance: BuildMetadata['distance'],
  dataset: BuildMetadata['dataset'],
): (builtAt: string) => BuildMetadata {
  return (builtAt) => ({
    modelAlias: model.alias,
    providerModel: model.model,
    modelVersion: model.version,
    dimensions: model.dimensions,
    distance,
    dataset,
    builtAt,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
  });
}

/** The build's own figures, kept in the index's metadata once it is ready. */
function buildFigures(record: IndexBuildRecord) {
  return {
    documents: record.documents,
    written: record.written,
    tokens: record.tokens,
    cost: record.cost,
    durationMs: Math.round(record.durationMs),
  };
}

export interface QdrantTargetOptions {
  connection: QdrantConnection;
  /** The concrete collection to create or resume into. */
  name: string;
  model: ModelConfig & { dimensions: number };
  index: QdrantIndexConfig;
  dataset: BuildMetadata['dataset'];
  batchSize: number;
  parallel: number;
  /** Patience for the collection to turn green after the last upsert. */
  readyTimeoutMs?: number;
}

/**
 * A Qdrant collection as a build target. A new collection is created with the build metadata (model,
 * version, dimensions, distance, dataset) so later runs can check what built it; an existing one is resumed
 * only if it was built for the same model, never overwritten with other vectors.
 */
export async function qdrantBuildTarget(options: QdrantTargetOptions): Promise<BuildTarget> {
  const { connection, name, model, index } = options;
  const metadata = buildMetadata(model, index.distance, options.dataset);
  const checkResumable = async (): Promise<void> => {
    const facts = await readCollectionFacts(connection, name, index.vectorName);
    const { problems } = checkCompatibility(model, index.distance, {
      ...vectorFacts(facts),
      name: `qdrant collection ${name}`,
    });
    if (problems.length > 0) {
      throw new UserError(
        `cannot resume into an existing collection built for something else: ${problems.join('; ')}; choose another --collection`,
      );
    }
  };
  if (await collectionExists(connection, name)) await checkResumable();
  else {
    try {
      await createCollection(connection, {
        name,
        size: model.dimensions,
        distance: index.distance,
        ...(index.vectorName === undefined ? {} : { vectorName: index.vectorName }),
        // builtAt stays empty until the build finishes: a half-built collection says so.
        metadata: { ...metadata(''), status: 'building' },
      });
    } catch (error) {
      // Shards of one build run side by side: another may have created the collection first.
      if (!(await collectionExists(connection, name))) throw error;
      await checkResumable();
    }
  }
  return {
    description: `qdrant collection ${name} at ${index.url}`,
    batchSize: options.batchSize,
    parallel: options.parallel,
    existing: () => storedDigests(connection, name),
    upsert: (points) =>
      upsertPoints(connection, name, points, {
        batchSize: points.length,
        ...(index.vectorName === undefined ? {} : { vectorName: index.vectorName }),
      }),
    finish: async (record: IndexBuildRecord) => {
      await waitForGreen(connection, name, { timeoutMs: options.readyTimeoutMs ?? 600_000 });
      await updateMetadata(connection, name, {
        ...metadata(record.builtAt),
        status: 'ready',
        build: buildFigures(record),
      });
    },
  };
}

export interface PgvectorTargetOptions {
  client: SqlClient;
  model: ModelConfig & { dimensions: number };
  index: PgvectorIndexConfig;
  dataset: BuildMetadata['dataset'];
  batchSize: number;
  parallel: number;
  /** The config file, for messages about its fields. */
  configFile: string;
}

/**
 * A pgvector table as a build target. A new table is created with a build record saying 'building'; an
 * existing one is resumed only if this tool built it for the same model and dimensions. The ANN index the
 * config names is (re)built at the end, after the rows, and only then does the record say 'ready', with
 * the ANN index's build time and the table's size on disk. A view (an alias of a table) is refused: writing
 * through it would fill whichever table it shows today.
 */
export async function pgvectorBuildTarget(options: PgvectorTargetOptions): Promise<BuildTarget> {
  const { client, model, index } = options;
  const metadata = buildMetadata(model, index.distance, options.dataset);
  const description = describeTable(index.table, client.where);
  const resolved = await resolveTable(client, index.table);
  if (resolved.alias !== undefined) {
    throw new UserError(
      `${index.table} is a view (an alias of table ${resolved.table}): index build writes a table, never through an alias; set the index's table to a new table name`,
    );
  }
  if (await tableExists(client, parseTableName(index.table))) {
    const facts = await readTableFacts(client, index);
    if (facts.record === undefined) {
      throw new UserError(
        `${description} exists and was not built by index build (it has no build record): set the index's table to a new name`,
      );
    }
    const { problems } = checkCompatibility(model, index.distance, tableVectorFacts(facts));
    if (problems.length > 0) {
      throw new UserError(
        `cannot resume into a table built for something else: ${problems.join('; ')}; set the index's table to another name`,
      );
    }
  } else {
    await createTable(client, index, model.dimensions);
  }
  // builtAt stays empty until the build finishes: a half-built table says so.
  await writeBuildRecord(client, index, { ...metadata(''), status: 'building', ann: index.ann });
  return {
    description,
    batchSize: options.batchSize,
    parallel: Math.min(options.parallel, client.concurrency),
    existing: () => storedRowDigests(client, index),
    upsert: (points) => insertRows(client, index, points),
    finish: async (record: IndexBuildRecord) => {
      const ann = await annIndex(options);
      await writeBuildRecord(client, index, {
        ...metadata(record.builtAt),
        status: 'ready',
        ann: {
          ...index.ann,
          ...(ann ? { name: ann.name, seconds: ann.seconds, sizeBytes: ann.sizeBytes } : {}),
        },
        sizeBytes: await tableSizeBytes(client, index),
        build: buildFigures(record),
      });
    },
  };
}

/** The configured ANN index; parameters pgvector refuses are a UserError naming the config's field. */
async function annIndex({ client, index, configFile }: PgvectorTargetOptions) {
  try {
    return await createAnnIndex(client, index, index.ann, index.distance);
  } catch (error) {
    if (!(error instanceof SqlError && error.code === '22023')) throw error;
    throw new UserError(
      `pgvector refused the ${index.ann.type} parameters: ${error.message.replace(/^.*failed: /, '')}`,
      { file: configFile, field: `indexes.${index.alias}.ann` },
      error,
    );
  }
}

/**
 * A Qdrant collection as the target of `index sync`: the points re-embedded are upserted over the ones
 * they replace, and once it is green the collection's metadata gains `lastSync` (the reindex's figures),
 * keeping the build's own.
 */
export function qdrantSyncTarget(
  options: Pick<QdrantTargetOptions, 'connection' | 'name' | 'batchSize' | 'parallel' | 'readyTimeoutMs'> & {
    index: Pick<QdrantIndexConfig, 'url' | 'vectorName'>;
  },
): BuildTarget {
  const { connection, name, index } = options;
  return {
    description: `qdrant collection ${name} at ${index.url}`,
    batchSize: options.batchSize,
    parallel: options.parallel,
    existing: async () => new Map(),
    upsert: (points) =>
      upsertPoints(connection, name, points, {
        batchSize: points.length,
        ...(index.vectorName === undefined ? {} : { vectorName: index.vectorName }),
      }),
    finish: async (record) => {
      await waitForGreen(connection, name, { timeoutMs: options.readyTimeoutMs ?? 600_000 });
      await updateMetadata(connection, name, { lastSync: syncFigures(record) });
    },
  };
}

/** A pgvector table as the target of `index sync`: rows upserted, and `lastSync` added to its build record. */
export function pgvectorSyncTarget(
  options: Pick<PgvectorTargetOptions, 'client' | 'batchSize' | 'parallel'> & { index: TableSpec },
): BuildTarget {
  const { client, index } = options;
  return {
    description: describeTable(index.table, client.where),
    batchSize: options.batchSize,
    parallel: Math.min(options.parallel, client.concurrency),
    existing: async () => new Map(),
    upsert: (points) => insertRows(client, index, points),
    finish: async (record) => {
      const built = (await readTableFacts(client, index)).record ?? {};
      await writeBuildRecord(client, index, { ...built, lastSync: syncFigures(record) });
    },
  };
}

function syncFigures(record: IndexBuildRecord) {
  return { ...buildFigures(record), at: record.builtAt, purpose: record.purpose };
}

/** The embedded index keeps no store of its own: building it fills the embedding cache the run reads. */
export function embeddedBuildTarget(alias: string, cacheDir: string): BuildTarget {
  return {
    description: `embedded index '${alias}' (embedding cache in ${cacheDir})`,
    batchSize: 256,
    parallel: 1,
    existing: async () => new Map(),
    upsert: async () => {},
    finish: async () => {},
  };
}

/** `{dataset}_{model alias}_{version}`, in the characters Qdrant accepts in a collection name. */
export function defaultCollectionName(dataset: string, model: ModelConfig): string {
  return `${dataset}_${model.alias}_${model.version}`.replace(/[^A-Za-z0-9._-]+/g, '-');
}
