import type { Fail } from './fail.js';
import { checkApiKeyEnv } from './secrets.js';
import type { IndexConfig, PgvectorAnnConfig, PgvectorIndexConfig, QdrantIndexConfig } from './types.js';

/** An `indexes:` entry as written: its kind, and that kind's fields (the schema has checked them). */
export type RawIndex = { kind: IndexConfig['kind'] } & Record<string, unknown>;

/** An `indexes:` entry with its defaults. */
export function indexConfig(alias: string, raw: RawIndex, env: NodeJS.ProcessEnv, fail: Fail): IndexConfig {
  switch (raw.kind) {
    case 'qdrant': {
      const q = raw as unknown as Partial<QdrantIndexConfig> & { collection: string };
      checkApiKeyEnv(q.apiKeyEnv, 'index', ['indexes', alias, 'apiKeyEnv'], env, fail);
      return {
        ...q,
        alias,
        kind: 'qdrant',
        url: q.url ?? 'http://localhost:6333',
        exact: q.exact === true,
        distance: q.distance ?? 'cosine',
        batchSize: q.batchSize ?? 16,
        concurrency: q.concurrency ?? 4,
        timeoutMs: q.timeoutMs ?? 30_000,
        maxRetries: q.maxRetries ?? 4,
      };
    }
    case 'pgvector':
      return pgvectorConfig(alias, raw as unknown as Partial<PgvectorIndexConfig>, env, fail);
    case 'embedded':
      return {
        alias,
        kind: 'embedded',
        distance: (raw.distance as 'cosine' | 'dot' | 'euclidean' | undefined) ?? 'cosine',
        ...batchSizeField(raw),
      };
    case 'bm25':
      return {
        alias,
        kind: 'bm25',
        k1: (raw.k1 as number | undefined) ?? 0.9,
        b: (raw.b as number | undefined) ?? 0.4,
        ...batchSizeField(raw),
      };
    case 'command':
      return {
        alias,
        kind: 'command',
        ...(raw as unknown as Omit<Extract<IndexConfig, { kind: 'command' }>, 'alias' | 'kind'>),
        vectors: raw.vectors === true,
      };
  }
}

/**
 * A pgvector table reached one way: a server whose URL is read from `urlEnv` (set, and a postgres:// URL;
 * its value is never shown), or the embedded database in `dataDir`.
 */
function pgvectorConfig(
  alias: string,
  p: Partial<PgvectorIndexConfig>,
  env: NodeJS.ProcessEnv,
  fail: Fail,
): PgvectorIndexConfig {
  const path = ['indexes', alias];
  const ways = 'urlEnv (the variable holding a postgres:// URL) or dataDir (an embedded database folder)';
  if (p.urlEnv !== undefined && p.dataDir !== undefined) fail(`set ${ways}, not both`, [...path, 'dataDir']);
  if (p.urlEnv === undefined && p.dataDir === undefined) fail(`set ${ways}`, path);
  if (p.urlEnv !== undefined) {
    const url = env[p.urlEnv];
    if (!url) {
      fail(`environment variable ${p.urlEnv} is not set (the index's PostgreSQL URL is read from it)`, [
        ...path,
        'urlEnv',
      ]);
    }
    if (!/^postgres(ql)?:\/\//.test(url)) {
      fail(`environment variable ${p.urlEnv} does not hold a postgres:// or postgresql:// URL`, [
        ...path,
        'urlEnv',
      ]);
    }
  }
  return {
    ...p,
    alias,
    kind: 'pgvector',
    table: p.table as string,
    idColumn: p.idColumn ?? 'id',
    vectorColumn: p.vectorColumn ?? 'embedding',
    distance: p.distance ?? 'cosine',
    exact: p.exact === true,
    forceIndex: p.forceIndex === true,
    batchSize: p.batchSize ?? 16,
    concurrency: p.concurrency ?? 4,
    timeoutMs: p.timeoutMs ?? 30_000,
    ann: annConfig(p.ann),
  };
}

/** pgvector's own defaults for HNSW (m 16, ef_construction 64) and IVFFlat (100 lists), written out. */
function annConfig(raw: Partial<PgvectorAnnConfig> | undefined): PgvectorAnnConfig {
  const ann = (raw ?? { type: 'hnsw' }) as Record<string, unknown> & { type: PgvectorAnnConfig['type'] };
  switch (ann.type) {
    case 'hnsw':
      return {
        type: 'hnsw',
        m: (ann.m as number | undefined) ?? 16,
        efConstruction: (ann.efConstruction as number | undefined) ?? 64,
      };
    case 'ivfflat':
      return { type: 'ivfflat', lists: (ann.lists as number | undefined) ?? 100 };
    case 'none':
      return { type: 'none' };
  }
}

/** An in-process index's `batchSize` when the config sets one (else the index's own default). */
function batchSizeField(raw: RawIndex): { batchSize?: number } {
  return raw.batchSize === undefined ? {} : { batchSize: raw.batchSize as number };
}
