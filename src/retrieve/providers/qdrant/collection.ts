import type { Schemas } from '@qdrant/js-client-rest';
import { UserError } from '../../../errors.js';
import type { Distance, IndexVectorFacts } from '../../types.js';
import { type QdrantConnection, QdrantRequestError } from './connection.js';

export type CollectionStatus = 'green' | 'yellow' | 'grey' | 'red';

/** One vector space of a collection: the unnamed one (no name) or a named one. */
export interface QdrantVectorSpace {
  name?: string;
  size: number;
  distance: Distance;
}

/** A vector space as the collection declares it (distance as Qdrant names it: Cosine, Dot, Euclid, Manhattan). */
export interface DeclaredVectorSpace {
  name?: string;
  size: number;
  distance: string;
}

/** What the tool reads about a collection before searching it: recorded in the run and checked for compatibility. */
export interface QdrantCollectionFacts {
  url: string;
  /** The alias the config named, when it named one. */
  alias?: string;
  /** The concrete collection searched. */
  collection: string;
  status: CollectionStatus;
  /** Approximate, as Qdrant reports it; null when it does not know. */
  pointsCount: number | null;
  /** The vector space searched (`vectorName` picks it in a named-vector collection). */
  vector: QdrantVectorSpace;
  /** Every vector space of the collection. */
  vectors: DeclaredVectorSpace[];
  /** HNSW parameters that apply to the searched vector (its own override, else the collection's). */
  hnsw: { m: number; efConstruct: number; fullScanThreshold: number };
  /** Qdrant 1.19 collection metadata (`config.metadata`); `index build` writes who built the collection. */
  metadata?: Record<string, unknown>;
}

const DISTANCES: Record<string, Distance> = { Cosine: 'cosine', Dot: 'dot', Euclid: 'euclidean' };

/** The Qdrant name of a distance, for collections this tool creates. */
export const QDRANT_DISTANCE: Record<Distance, 'Cosine' | 'Dot' | 'Euclid'> = {
  cosine: 'Cosine',
  dot: 'Dot',
  euclidean: 'Euclid',
};

/**
 * Resolves `name` (a collection or an alias) to the concrete collection. An alias is resolved once, here,
 * and the collection searched from then on: an alias switched mid-run cannot mix two collections' results.
 */
export async function resolveCollection(
  connection: QdrantConnection,
  name: string,
): Promise<{ collection: string; alias?: string }> {
  const { aliases } = await connection.call('list aliases', (client) => client.getAliases());
  const alias = aliases.find((a) => a.alias_name === name);
  return alias ? { collection: alias.collection_name, alias: name } : { collection: name };
}

/** Resolves `name` and reads the facts of the collection behind it; see QdrantCollectionFacts. */
export async function readCollectionFacts(
  connection: QdrantConnection,
  name: string,
  vectorName?: string,
): Promise<QdrantCollectionFacts> {
  const { collection, alias } = await resolveCollection(connection, name);
  const info = await collectionInfo(connection, collection, name);
  const vectors = vectorSpaces(info.config.params.vectors, collection, connection.url);
  const picked = pickVector(vectors, vectorName, describeCollection(collection, alias));
  const vector = { ...picked, distance: distanceOf(picked.distance, describeCollection(collection, alias)) };
  const own = vectorHnsw(info.config.params.vectors, vector.name);
  const base = info.config.hnsw_config;
  const metadata = info.config.metadata;
  return {
    url: connection.url,
    ...(alias === undefined ? {} : { alias }),
    collection,
    status: info.status,
    pointsCount: info.points_count ?? null,
    vector,
    vectors,
    hnsw: {
      m: own?.m ?? base.m,
      efConstruct: own?.ef_construct ?? base.ef_construct,
      fullScanThreshold: own?.full_scan_threshold ?? base.full_scan_threshold,
    },
    ...(metadata ? { metadata: metadata as Record<string, unknown> } : {}),
  };
}

/** GET /collections/{name}; a missing collection becomes a UserError listing what the server has. */
export async function collectionInfo(
  connection: QdrantConnection,
  collection: string,
  requested = collection,
): Promise<Schemas['CollectionInfo']> {
  try {
    return await connection.call(`read collection '${collection}'`, (client) =>
      client.getCollection(collection),
    );
  } catch (error) {
    if (!(error instanceof QdrantRequestError && error.status === 404)) throw error;
    throw new UserError(
      `Qdrant at ${connection.url} has no collection or alias '${requested}'; ${await whatExists(connection, requested)}`,
    );
  }
}

/** Names listed in a message at most; the closest to the requested name first. */
const LISTED = 30;

/** "collections: a, b; aliases: docs → a" — for messages about a name that is not there. */
export async function whatExists(connection: QdrantConnection, requested = ''): Promise<string> {
  const [{ collections }, { aliases }] = await Promise.all([
    connection.call('list collections', (client) => client.getCollections()),
    connection.call('list aliases', (client) => client.getAliases()),
  ]);
  if (collections.length === 0) return 'it has no collections (run `index build` to create one)';
  const names = closestFirst(
    collections.map((c) => c.name),
    requested,
  );
  const links = closestFirst(
    aliases.map((a) => a.alias_name),
    requested,
  ).map((alias) => `${alias} → ${aliases.find((a) => a.alias_name === alias)?.collection_name}`);
  return `collections: ${listed(names)}; aliases: ${links.length > 0 ? listed(links) : 'none'}`;
}

/** Sorted by the length of the prefix shared with `requested` (a typo's neighbours first), then by name. */
function closestFirst(names: string[], requested: string): string[] {
  const shared = (name: string) => {
    let n = 0;
    while (n < name.length && name[n] === requested[n]) n++;
    return n;
  };
  return [...names].sort((a, b) => shared(b) - shared(a) || (a < b ? -1 : a > b ? 1 : 0));
}

function listed(items: string[]): string {
  const more = items.length - LISTED;
  return more > 0 ? `${items.slice(0, LISTED).join(', ')} and ${more} more` : items.join(', ');
}

/** "qdrant collection docs_v3 (alias docs)": how messages and the compatibility check name the index. */
export function describeCollection(collection: string, alias?: string): string {
  return alias === undefined
    ? `qdrant collection ${collection}`
    : `qdrant collection ${collection} (alias ${alias})`;
}

/** The facts the compatibility check compares with the system's model. */
export function vectorFacts(facts: QdrantCollectionFacts): IndexVectorFacts {
  return {
    name: describeCollection(facts.collection, facts.alias),
    size: facts.vector.size,
    distance: facts.vector.distance,
    ...(facts.metadata ? { metadata: facts.metadata } : {}),
  };
}

type VectorsConfig = Schemas['CollectionParams']['vectors'];
type VectorParams = Schemas['VectorParams'];

/** The vector spaces of `vectors`: `{size, distance}` for one unnamed vector, else a map of named ones. */
function vectorSpaces(vectors: VectorsConfig, collection: string, url: string): DeclaredVectorSpace[] {
  if (vectors === undefined || vectors === null) {
    throw new UserError(`Qdrant collection ${collection} at ${url} has no dense vectors to search`);
  }
  if (isVectorParams(vectors)) return [{ size: vectors.size, distance: vectors.distance }];
  return Object.entries(vectors as Record<string, VectorParams>)
    .map(([name, params]) => ({ name, size: params.size, distance: params.distance }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function pickVector(
  spaces: DeclaredVectorSpace[],
  vectorName: string | undefined,
  what: string,
): DeclaredVectorSpace {
  const named = spaces.filter((s) => s.name !== undefined).map((s) => `'${s.name}'`);
  if (named.length === 0) {
    if (vectorName === undefined) return spaces[0] as DeclaredVectorSpace;
    throw new UserError(`${what} has one unnamed vector, not '${vectorName}': remove the index's vectorName`);
  }
  const space = spaces.find((s) => s.name === vectorName);
  if (space) return space;
  throw new UserError(
    vectorName === undefined
      ? `${what} has named vectors (${named.join(', ')}): set the index's vectorName to the one to search`
      : `${what} has no vector named '${vectorName}'; its vectors: ${named.join(', ')}`,
  );
}

function vectorHnsw(vectors: VectorsConfig, name: string | undefined): Schemas['HnswConfigDiff'] | undefined {
  if (vectors === undefined || vectors === null) return undefined;
  const params = isVectorParams(vectors) ? vectors : (vectors as Record<string, VectorParams>)[name ?? ''];
  return (params?.hnsw_config ?? undefined) as Schemas['HnswConfigDiff'] | undefined;
}

function isVectorParams(vectors: object): vectors is VectorParams {
  return typeof (vectors as { size?: unknown }).size === 'number';
}

function distanceOf(qdrantName: string, what: string): Distance {
  const distance = DISTANCES[qdrantName];
  if (distance) return distance;
  throw new UserError(`${what} uses ${qdrantName} distance; retrieval-gate searches Cosine, Dot and Euclid`);
}
