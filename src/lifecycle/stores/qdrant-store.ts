import type { QdrantIndexConfig } from '../../config/types.js';
import { listAliases, setAlias } from '../../retrieve/providers/qdrant/aliases.js';
import {
  type CollectionStatus,
  collectionInfo,
  describeCollection,
} from '../../retrieve/providers/qdrant/collection.js';
import type { QdrantConnection } from '../../retrieve/providers/qdrant/connection.js';
import {
  collectionExists,
  deleteCollection,
  deletePoints,
  scanPoints,
  storedDigests,
} from '../../retrieve/providers/qdrant/write.js';
import { qdrantSyncTarget } from '../build-targets.js';
import type { BuildTarget } from '../index-build.js';
import type { IndexStore, Readiness, StoredPoint } from '../index-store.js';

/** Why a collection that is not green cannot serve yet, per status. */
const NOT_GREEN: Record<Exclude<CollectionStatus, 'green'>, string> = {
  yellow: 'optimisation or indexing is still running; wait for it to turn green',
  grey: 'optimisations are pending but not started (an optimizer update starts them)',
  red: "an optimisation failed: check the server's logs",
};

/** A Qdrant server as an IndexStore: collections are the indexes, Qdrant's aliases name them. */
export class QdrantStore implements IndexStore {
  readonly kind = 'qdrant';
  readonly where: string;

  constructor(
    private readonly connection: QdrantConnection,
    /** The index's config: its payload id field and named vector, for reading and writing points. */
    private readonly config: Pick<QdrantIndexConfig, 'url' | 'idField' | 'vectorName'>,
  ) {
    this.where = connection.url;
  }

  aliases(): Promise<Map<string, string>> {
    return listAliases(this.connection);
  }

  exists(index: string): Promise<boolean> {
    return collectionExists(this.connection, index);
  }

  async buildRecord(index: string): Promise<Record<string, unknown> | null> {
    const { config } = await collectionInfo(this.connection, index);
    return (config.metadata as Record<string, unknown> | null | undefined) ?? null;
  }

  storedDigests(index: string): Promise<Map<string, string>> {
    return storedDigests(this.connection, index);
  }

  /** Read as it is now, without waiting: the status, the exact point count and the build record's status. */
  async readiness(index: string): Promise<Readiness> {
    const info = await collectionInfo(this.connection, index);
    const { count } = await this.connection.call(`count the points of '${index}'`, (client) =>
      client.count(index, { exact: true }),
    );
    const what = `${describeCollection(index)} at ${this.where}`;
    const problems: string[] = [];
    if (info.status !== 'green') problems.push(`${what} is ${info.status}: ${NOT_GREEN[info.status]}`);
    if (info.config.metadata?.status === 'building') {
      problems.push(`${what}: its build record says 'building' (its index build has not finished)`);
    }
    return { ready: problems.length === 0, status: info.status, count, problems };
  }

  switchAlias(alias: string, to: string): Promise<void> {
    return setAlias(this.connection, alias, to);
  }

  scanPoints(index: string, visit: (page: StoredPoint[]) => void | Promise<void>): Promise<void> {
    const { idField } = this.config;
    return scanPoints(this.connection, index, visit, idField === undefined ? {} : { idField });
  }

  deletePoints(index: string, pointIds: readonly StoredPoint['pointId'][]): Promise<void> {
    return deletePoints(this.connection, index, pointIds);
  }

  syncTarget(index: string, options: { batchSize: number; parallel: number }): BuildTarget {
    return qdrantSyncTarget({ connection: this.connection, name: index, index: this.config, ...options });
  }

  drop(index: string): Promise<void> {
    return deleteCollection(this.connection, index);
  }

  /** The connection holds nothing to release (each request is its own exchange). */
  async close(): Promise<void> {}
}
