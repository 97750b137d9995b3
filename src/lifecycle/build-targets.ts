import type { ModelConfig, QdrantIndexConfig } from '../config/types.js';
import { UserError } from '../errors.js';
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
  const metadata = (builtAt: string): BuildMetadata => ({
    modelAlias: model.alias,
    providerModel: model.model,
    modelVersion: model.version,
    dimensions: model.dimensions,
    distance: index.distance,
    dataset: options.dataset,
    builtAt,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
  });
  if (await collectionExists(connection, name)) {
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
  } else {
    await createCollection(connection, {
      name,
      size: model.dimensions,
      distance: index.distance,
      ...(index.vectorName === undefined ? {} : { vectorName: index.vectorName }),
      // builtAt stays empty until the build finishes: a half-built collection says so.
      metadata: { ...metadata(''), status: 'building' },
    });
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
        build: {
          documents: record.documents,
          written: record.written,
          tokens: record.tokens,
          cost: record.cost,
          durationMs: Math.round(record.durationMs),
        },
      });
    },
  };
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
