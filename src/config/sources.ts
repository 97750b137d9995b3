import type { Fail } from './fail.js';
import type { SourceConfig } from './types.js';

/** A `sources:` entry as written: its kind, and that kind's fields (the schema has checked them). */
export type RawSource = { kind: SourceConfig['kind'] } & Record<string, unknown>;

/** A `sources:` entry with its defaults; a postgres source's URL variable must be set and hold a URL. */
export function sourceConfig(
  alias: string,
  raw: RawSource,
  env: NodeJS.ProcessEnv,
  fail: Fail,
): SourceConfig {
  switch (raw.kind) {
    case 'postgres': {
      const urlEnv = raw.urlEnv as string;
      const url = env[urlEnv];
      const field = ['sources', alias, 'urlEnv'];
      if (!url)
        fail(
          `environment variable ${urlEnv} is not set (the source's PostgreSQL URL is read from it)`,
          field,
        );
      if (!/^postgres(ql)?:\/\//.test(url)) {
        fail(`environment variable ${urlEnv} does not hold a postgres:// or postgresql:// URL`, field);
      }
      return {
        alias,
        kind: 'postgres',
        urlEnv,
        // The query is read as a subquery, where a closing semicolon would be a syntax error.
        query: (raw.query as string).replace(/[\s;]+$/, ''),
        pageSize: (raw.pageSize as number | undefined) ?? 5000,
        timeoutMs: (raw.timeoutMs as number | undefined) ?? 30_000,
      };
    }
    case 'jsonl':
      return { alias, kind: 'jsonl', path: raw.path as string };
  }
}
