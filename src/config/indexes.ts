import type { Fail } from './fail.js';
import { checkApiKeyEnv } from './secrets.js';
import type { IndexConfig, QdrantIndexConfig } from './types.js';

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
    case 'embedded':
      return {
        alias,
        kind: 'embedded',
        distance: (raw.distance as 'cosine' | 'dot' | 'euclidean' | undefined) ?? 'cosine',
      };
    case 'bm25':
      return {
        alias,
        kind: 'bm25',
        k1: (raw.k1 as number | undefined) ?? 0.9,
        b: (raw.b as number | undefined) ?? 0.4,
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
