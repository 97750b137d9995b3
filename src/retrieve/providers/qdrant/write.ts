import { setTimeout as sleep } from 'node:timers/promises';
import type { Schemas } from '@qdrant/js-client-rest';
import { UserError } from '../../../errors.js';
import type { Distance } from '../../types.js';
import { type CollectionStatus, collectionInfo, QDRANT_DISTANCE } from './collection.js';
import type { QdrantConnection } from './connection.js';
import { pointIdFor } from './point-ids.js';

/**
 * The write side `index build` uses: collections this tool creates hold one point per document, id
 * pointIdFor(doc id), payload `{ doc_id, content_sha256 }` (the digest lets a resumed build skip unchanged
 * documents), and record in the collection's metadata which model built them.
 */

/** Payload fields of points this tool writes. */
export const DOC_ID_FIELD = 'doc_id';
export const CONTENT_DIGEST_FIELD = 'content_sha256';
/** The model that embedded the point ("provider model@version"): an audit finds points of another model. */
export const EMBEDDED_WITH_FIELD = 'embedded_with';

export interface NewCollection {
  name: string;
  size: number;
  distance: Distance;
  /** A named vector instead of the unnamed one. */
  vectorName?: string;
  /** Collection metadata (Qdrant 1.19), e.g. BuildMetadata. */
  metadata?: Record<string, unknown>;
  /** Qdrant's own defaults (m 16, ef_construct 100), written out so the collection records what was meant. */
  hnsw?: { m?: number; efConstruct?: number };
}

/**
 * PUT /collections/{name}. The 1.18 client's `createCollection` drops `metadata` (it passes only the
 * fields it knows), so the request goes through the client's typed OpenAPI call, which sends the whole
 * CreateCollection body of the 1.19 contract.
 */
export async function createCollection(connection: QdrantConnection, spec: NewCollection): Promise<void> {
  const params: Schemas['VectorParams'] = { size: spec.size, distance: QDRANT_DISTANCE[spec.distance] };
  await connection.call(`create collection '${spec.name}'`, (client) =>
    client.api().createCollection({
      collection_name: spec.name,
      vectors: spec.vectorName === undefined ? params : { [spec.vectorName]: params },
      hnsw_config: { m: spec.hnsw?.m ?? 16, ef_construct: spec.hnsw?.efConstruct ?? 100 },
      ...(spec.metadata === undefined ? {} : { metadata: spec.metadata }),
    }),
  );
}

/** Whether a collection of this name exists (aliases aside): `index build` creates it or resumes into it. */
export async function collectionExists(connection: QdrantConnection, name: string): Promise<boolean> {
  const { collections } = await connection.call('list collections', (client) => client.getCollections());
  return collections.some((c) => c.name === name);
}

/** DELETE /collections/{name} (tests clean up with it; lifecycle work retires old collections). */
export async function deleteCollection(connection: QdrantConnection, name: string): Promise<void> {
  await connection.call(`delete collection '${name}'`, (client) => client.deleteCollection(name));
}

/** A document's vector and the digest of the text it was embedded from (the shape `index build` produces). */
export interface DocumentPoint {
  docid: string;
  vector: Float32Array | readonly number[];
  contentSha256: string;
  /** "provider model@version"; absent for points written without it (tests, older builds). */
  embeddedWith?: string;
}

/**
 * Upserts points, `batchSize` per request, each request waiting until the points are applied (a build that
 * says it wrote them has). Sequential: callers that want requests in flight call this per batch.
 */
export async function upsertPoints(
  connection: QdrantConnection,
  collection: string,
  points: readonly DocumentPoint[],
  options: { vectorName?: string; batchSize?: number } = {},
): Promise<void> {
  const batchSize = options.batchSize ?? 256;
  for (let start = 0; start < points.length; start += batchSize) {
    const batch = points.slice(start, start + batchSize).map((point) => {
      const vector = Array.from(point.vector);
      return {
        id: pointIdFor(point.docid),
        vector: options.vectorName === undefined ? vector : { [options.vectorName]: vector },
        payload: {
          [DOC_ID_FIELD]: point.docid,
          [CONTENT_DIGEST_FIELD]: point.contentSha256,
          ...(point.embeddedWith === undefined ? {} : { [EMBEDDED_WITH_FIELD]: point.embeddedWith }),
        },
      };
    });
    await connection.call(`upsert ${batch.length} points into '${collection}'`, (client) =>
      client.upsert(collection, { wait: true, points: batch }),
    );
  }
}

/** Doc id → content digest of every point written by this tool (others, without `doc_id`, are skipped). */
export async function storedDigests(
  connection: QdrantConnection,
  collection: string,
  pageSize = 1000,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  await scrollAll(
    connection,
    collection,
    { with_payload: [DOC_ID_FIELD, CONTENT_DIGEST_FIELD] },
    pageSize,
    (point) => {
      const docid = point.payload?.[DOC_ID_FIELD];
      const digest = point.payload?.[CONTENT_DIGEST_FIELD];
      if (typeof docid === 'string') digests.set(docid, typeof digest === 'string' ? digest : '');
    },
  );
  return digests;
}

/** A point as an audit reads it: its id, the document it holds, and what its vector was made from. */
export interface ScannedPoint {
  pointId: string | number;
  docid: string;
  /** '' when the point records no content digest. */
  digest: string;
  embeddedWith: string | null;
}

/**
 * Every point, a page at a time, without vectors (scroll with `with_vector: false`; each page retried like
 * any call). The doc id is the `idField` payload when given, else `doc_id`, else the point id itself.
 */
export async function scanPoints(
  connection: QdrantConnection,
  collection: string,
  visit: (page: ScannedPoint[]) => void | Promise<void>,
  options: { idField?: string; pageSize?: number } = {},
): Promise<void> {
  const idField = options.idField ?? DOC_ID_FIELD;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  let page: ScannedPoint[] = [];
  await scrollAll(
    connection,
    collection,
    { with_payload: [idField, CONTENT_DIGEST_FIELD, EMBEDDED_WITH_FIELD] },
    options.pageSize ?? 1000,
    (point) => {
      const id = point.payload?.[idField];
      page.push({
        pointId: point.id,
        docid: id === undefined || id === null ? String(point.id) : String(id),
        digest: text(point.payload?.[CONTENT_DIGEST_FIELD]) ?? '',
        embeddedWith: text(point.payload?.[EMBEDDED_WITH_FIELD]),
      });
    },
    async () => {
      await visit(page);
      page = [];
    },
  );
}

/** Deletes points by id, `chunkSize` per request, each waiting until applied. */
export async function deletePoints(
  connection: QdrantConnection,
  collection: string,
  pointIds: readonly (string | number)[],
  chunkSize = 1000,
): Promise<void> {
  for (let start = 0; start < pointIds.length; start += chunkSize) {
    const points = pointIds.slice(start, start + chunkSize);
    await connection.call(`delete ${points.length} points from '${collection}'`, (client) =>
      client.delete(collection, { wait: true, points: [...points] }),
    );
  }
}

/**
 * Which of `docids` the collection holds, for the compatibility check's "judged-relevant documents missing
 * from the index". With `idField`, by a payload filter; else by point id, as the index maps ids: the
 * pointIdFor UUID, or the doc id itself when it is a valid point id (an unsigned integer or a UUID).
 */
export async function presentDocIds(
  connection: QdrantConnection,
  collection: string,
  docids: readonly string[],
  options: { idField?: string; chunkSize?: number } = {},
): Promise<Set<string>> {
  const unique = [...new Set(docids)];
  const chunkSize = options.chunkSize ?? 1000;
  const present = new Set<string>();
  for (let start = 0; start < unique.length; start += chunkSize) {
    const chunk = unique.slice(start, start + chunkSize);
    const { idField } = options;
    if (idField !== undefined) {
      const filter = { must: [{ key: idField, match: { any: chunk } }] };
      await scrollAll(connection, collection, { with_payload: [idField], filter }, chunkSize, (point) => {
        const value = point.payload?.[idField];
        if (value !== undefined && value !== null) present.add(String(value));
      });
      continue;
    }
    const byPointId = new Map<string, string>();
    for (const docid of chunk) {
      byPointId.set(pointIdFor(docid), docid);
      if (isPointId(docid)) byPointId.set(docid, docid);
    }
    const ids = [...byPointId.keys()].map((id) => (/^\d+$/.test(id) ? Number(id) : id));
    const found = await connection.call(`look up ${chunk.length} documents in '${collection}'`, (client) =>
      client.retrieve(collection, { ids, with_payload: false, with_vector: false }),
    );
    for (const point of found) {
      const docid = byPointId.get(String(point.id));
      if (docid !== undefined) present.add(docid);
    }
  }
  return present;
}

/**
 * Polls the collection until its status is green (optimisation and indexing done), for up to `timeoutMs`.
 * Grey means optimisations are pending but not started (e.g. after a restart): an empty optimizer update
 * starts them, once. Red means they failed: waiting cannot help.
 */
export async function waitForGreen(
  connection: QdrantConnection,
  collection: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<CollectionStatus> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const intervalMs = options.intervalMs ?? 1000;
  const deadline = Date.now() + timeoutMs;
  let nudged = false;
  for (;;) {
    const { status } = await collectionInfo(connection, collection);
    if (status === 'green') return status;
    if (status === 'red') {
      throw new UserError(
        `Qdrant collection ${collection} at ${connection.url} is red (an optimisation failed): check the server's logs`,
      );
    }
    if (status === 'grey' && !nudged) {
      nudged = true;
      await connection.call(`start optimisations of '${collection}'`, (client) =>
        client.updateCollection(collection, { optimizers_config: {} }),
      );
    }
    if (Date.now() >= deadline) {
      throw new UserError(
        `Qdrant collection ${collection} at ${connection.url} is still ${status} after ${Math.round(timeoutMs / 1000)} s: indexing continues on the server; wait longer before evaluating it`,
      );
    }
    await sleep(intervalMs);
  }
}

/**
 * PATCH /collections/{name} with `metadata`: Qdrant merges it into the existing metadata (a key set to null
 * is removed). The 1.18 client passes the field through to the 1.19 body as is.
 */
export async function updateMetadata(
  connection: QdrantConnection,
  collection: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  await connection.call(`update metadata of '${collection}'`, (client) =>
    client.updateCollection(collection, { metadata }),
  );
}

type ScrollRequest = Pick<Schemas['ScrollRequest'], 'with_payload' | 'filter'>;
type ScrolledPoint = Schemas['Record'];

/** Every point matching `request`, page by page (Qdrant's next_page_offset), without vectors. */
async function scrollAll(
  connection: QdrantConnection,
  collection: string,
  request: ScrollRequest,
  pageSize: number,
  visit: (point: ScrolledPoint) => void,
  pageDone?: () => Promise<void>,
): Promise<void> {
  let offset: Schemas['ExtendedPointId'] | undefined;
  do {
    const page = await connection.call(`scroll '${collection}'`, (client) =>
      client.scroll(collection, {
        ...request,
        limit: pageSize,
        with_vector: false,
        ...(offset === undefined ? {} : { offset }),
      }),
    );
    for (const point of page.points) visit(point);
    await pageDone?.();
    const next = page.next_page_offset;
    offset = typeof next === 'string' || typeof next === 'number' ? next : undefined;
  } while (offset !== undefined);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Whether a doc id is a point id as Qdrant writes it back (an unsigned integer without leading zeros, or a
 * lowercase hyphenated UUID): only those come back from a search as the same string.
 */
function isPointId(docid: string): boolean {
  return UUID.test(docid) || (/^(0|[1-9]\d*)$/.test(docid) && Number.isSafeInteger(Number(docid)));
}
