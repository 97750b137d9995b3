import type { Fail } from './fail.js';
import { checkApiKeyEnv } from './secrets.js';
import type { RerankerConfig } from './types.js';

const DEFAULT_RERANK_DEPTH = 50;

/** A `rerankers:` entry as written: its kind, and that kind's fields (the schema has checked them). */
export type RawReranker = { kind: RerankerConfig['kind'] } & Record<string, unknown>;

/** A `rerankers:` entry with its defaults; an HTTP reranker must say where its server is or which model. */
export function rerankerConfig(
  alias: string,
  raw: RawReranker,
  env: NodeJS.ProcessEnv,
  fail: Fail,
): RerankerConfig {
  const depth = (raw.depth as number | undefined) ?? DEFAULT_RERANK_DEPTH;
  switch (raw.kind) {
    case 'lexical':
      return {
        alias,
        kind: 'lexical',
        depth,
        k1: (raw.k1 as number | undefined) ?? 0.9,
        b: (raw.b as number | undefined) ?? 0.4,
      };
    case 'command':
      return {
        alias,
        ...(raw as unknown as Omit<Extract<RerankerConfig, { kind: 'command' }>, 'alias'>),
        kind: 'command',
        depth,
      };
    case 'http': {
      const http = raw as unknown as Omit<Extract<RerankerConfig, { kind: 'http' }>, 'alias'>;
      checkApiKeyEnv(http.apiKeyEnv, 'reranker', ['rerankers', alias, 'apiKeyEnv'], env, fail);
      if (http.api === 'tei' && http.url === undefined)
        fail('a TEI reranker needs the url of its server', ['rerankers', alias, 'api']);
      if (http.api !== 'tei' && http.model === undefined)
        fail(`a ${http.api} reranker needs a model name`, ['rerankers', alias, 'api']);
      return { alias, ...http, kind: 'http', depth };
    }
  }
}
