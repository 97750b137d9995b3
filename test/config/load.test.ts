import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function configFile(text: string): string {
  const path = join(tempDir(), 'retrieval-gate.yaml');
  writeFileSync(path, text);
  return path;
}

const BASE = `dataset: bike-repair@1.0.0
models:
  small: { provider: hashing, dimensions: 64 }
  large: { provider: hashing, dimensions: 256, pricePer1MTokens: 0.02 }
indexes:
  exact: { kind: embedded }
  bm25: { kind: bm25 }
rerankers:
  lex: { kind: lexical, depth: 20 }
`;

/** BASE with a pgvector table (embedded), the index kind a sweep varies. */
const PGVECTOR = BASE.replace(
  '  bm25: { kind: bm25 }\n',
  '  bm25: { kind: bm25 }\n  docs: { kind: pgvector, table: docs, dataDir: .pgvector }\n',
);

describe('loadConfig', () => {
  it('loads the shipped example: explicit systems first, then the matrix', () => {
    const config = loadConfig(join(REPO_ROOT, 'retrieval-gate.yaml'));
    expect(config.systems.map((s) => s.id)).toEqual([
      'bm25',
      'hash-2048@exact+lexical',
      'hash-128@exact',
      'hash-512@exact',
      'hash-2048@exact',
    ]);
    expect(config.measures).toEqual(['nDCG@10', 'R@5', 'P@5', 'RR', 'AP']);
    expect(config.systems[1]?.reranker).toMatchObject({ kind: 'lexical', depth: 50 });
  });

  it('expands a matrix of models × indexes × rerankers; a text index takes no model', () => {
    const config = loadConfig(
      configFile(
        `${BASE}matrix:\n  models: [small, large]\n  indexes: [exact, bm25]\n  rerankers: [null, lex]\n  k: 30\n`,
      ),
    );
    expect(config.systems.map((s) => s.id)).toEqual([
      'small@exact',
      'small@exact+lex',
      'large@exact',
      'large@exact+lex',
      'bm25',
      'bm25+lex',
    ]);
    expect(config.systems.every((s) => s.k === 30)).toBe(true);
  });

  it('expands a parameter sweep into one system per search setting, named by it', () => {
    const config = loadConfig(
      configFile(
        `${PGVECTOR}systems:\n  - id: hnsw\n    model: small\n    index: docs\n    annCheck: { sample: 20 }\n    search: [{ efSearch: 16 }, { efSearch: 64, exact: false }, { exact: true }]\n`,
      ),
    );
    expect(config.systems.map((s) => s.id)).toEqual([
      'hnsw[efSearch=16]',
      'hnsw[efSearch=64,exact=false]',
      'hnsw[exact=true]',
    ]);
    expect(config.systems.map((s) => s.index)).toMatchObject([
      { alias: 'docs', efSearch: 16, exact: false },
      { alias: 'docs', efSearch: 64, exact: false },
      { alias: 'docs', exact: true },
    ]);
    expect(config.systems[0]?.search).toEqual({ efSearch: 16 });
    expect(config.systems.every((s) => s.annCheck?.sample === 20)).toBe(true);
  });

  it('applies defaults: measures, k, distance, BM25 parameters, rerank depth', () => {
    const config = loadConfig(
      configFile(`${BASE}systems:\n  - { id: a, model: small, index: exact }\n  - { id: b, index: bm25 }\n`),
    );
    expect(config.measures).toEqual(['R@5', 'R@10', 'P@5', 'RR', 'nDCG@10', 'AP']);
    expect(config.systems[0]).toMatchObject({
      k: 100,
      index: { distance: 'cosine' },
      model: { version: '1', pricePer1MTokens: 0 },
    });
    expect(config.systems[1]?.index).toEqual({ alias: 'bm25', kind: 'bm25', k1: 0.9, b: 0.4 });
  });

  it('takes a batch size for the in-process indexes (queries per search call)', () => {
    const text = BASE.replace('{ kind: embedded }', '{ kind: embedded, batchSize: 1 }').replace(
      '{ kind: bm25 }',
      '{ kind: bm25, batchSize: 32 }',
    );
    const config = loadConfig(
      configFile(`${text}systems:\n  - { id: a, model: small, index: exact }\n  - { id: b, index: bm25 }\n`),
    );
    expect(config.systems[0]?.index).toEqual({
      alias: 'exact',
      kind: 'embedded',
      distance: 'cosine',
      batchSize: 1,
    });
    expect(config.systems[1]?.index).toMatchObject({ kind: 'bm25', batchSize: 32 });
    expect(() =>
      loadConfig(
        configFile(
          `${BASE.replace('{ kind: bm25 }', '{ kind: bm25, batchSize: 0 }')}systems:\n  - { id: b, index: bm25 }\n`,
        ),
      ),
    ).toThrow(UserError);
  });

  it.each([
    [
      'an unknown model alias',
      `${BASE}systems:\n  - id: a\n    model: huge\n    index: exact\n`,
      12,
      'systems[0].model',
      "unknown model 'huge'; defined: small, large",
    ],
    [
      'an unknown index in the matrix',
      `${BASE}matrix:\n  models: [small]\n  indexes: [exact, hnsw]\n`,
      12,
      'matrix.indexes[1]',
      "unknown index 'hnsw'",
    ],
    [
      'a wrong type',
      `${BASE}systems:\n  - id: a\n    model: small\n    index: exact\n    k: ten\n`,
      14,
      'systems[0].k',
      'must be integer',
    ],
    [
      'a missing field',
      `${BASE}systems:\n  - id: a\n    model: small\n`,
      11,
      'systems[0].index',
      'is missing',
    ],
    [
      'an unknown provider',
      `dataset: x@1\nmodels:\n  m: { provider: cohere }\n`,
      3,
      'models.m.provider',
      'must be one of "hashing", "wink"',
    ],
    [
      'an embedded index without a model',
      `${BASE}systems:\n  - { id: a, index: exact }\n`,
      11,
      'systems[0].model',
      "system 'a': index 'exact' searches vectors and needs a model",
    ],
    [
      'a model on a text index',
      `${BASE}systems:\n  - { id: a, model: small, index: bm25 }\n`,
      11,
      'systems[0].model',
      "system 'a': index 'bm25' (bm25) takes query text, not vectors",
    ],
    [
      'an unknown measure',
      `${BASE}measures: [nDCG@10, nonsense]\n`,
      10,
      'measures[1]',
      "unknown measure 'nonsense'",
    ],
    [
      'a system id used twice',
      `${BASE}systems:\n  - { id: a, index: bm25 }\n  - { id: a, index: bm25 }\n`,
      12,
      'systems[1].id',
      "system id 'a' is used twice",
    ],
    ['no systems', BASE, 1, undefined, 'no systems to run: add `systems:` or `matrix:`'],
    [
      'a sweep of an index with no search settings',
      `${BASE}systems:\n  - { id: a, model: small, index: exact, search: [{ efSearch: 16 }] }\n`,
      11,
      'systems[0].search',
      "system 'a': index 'exact' (embedded) has no search settings to sweep",
    ],
    [
      'a search setting of another index kind',
      `${PGVECTOR}systems:\n  - id: a\n    model: small\n    index: docs\n    search:\n      - { efSearch: 16 }\n      - { hnswEf: 64 }\n`,
      17,
      'systems[0].search[1].hnswEf',
      'hnswEf is not a search setting of a pgvector index; it takes efSearch, probes, exact',
    ],
    [
      'a sweep that lists one setting twice',
      `${PGVECTOR}systems:\n  - { id: a, model: small, index: docs, search: [{ efSearch: 16 }, { efSearch: 16 }] }\n`,
      12,
      'systems[0].id',
      "system id 'a[efSearch=16]' is used twice",
    ],
  ])('refuses %s, naming file, line and field', (_what, text, line, field, message) => {
    const path = configFile(text);
    const location = `${path}${line === undefined ? '' : `:${line}`}: ${field === undefined ? '' : `field '${field}': `}`;
    expect(() => loadConfig(path)).toThrow(`${location}${message}`);
  });

  it('refuses a dimension mismatch between a model and a command index', () => {
    const text = `dataset: x@1
models:
  small: { provider: hashing, dimensions: 64 }
indexes:
  ext: { kind: command, command: [python3, search.py], vectors: true, dimensions: 128 }
systems:
  - { id: a, model: small, index: ext }
`;
    expect(() => loadConfig(configFile(text))).toThrow(
      /:7: field 'systems\[0\].index': system 'a': model 'small' has 64 dimensions, index 'ext' expects 128/,
    );
  });

  it('reads secrets only from the environment: a missing variable is named, never a value', () => {
    const text = `dataset: x@1\nmodels:\n  m: { provider: hashing, apiKeyEnv: RG_TEST_KEY }\nindexes:\n  e: { kind: embedded }\nsystems:\n  - { id: a, model: m, index: e }\n`;
    expect(() => loadConfig(configFile(text), {})).toThrow(
      /:3: field 'models.m.apiKeyEnv': environment variable RG_TEST_KEY is not set/,
    );
    expect(loadConfig(configFile(text), { RG_TEST_KEY: 'sk-secret' }).systems[0]?.model?.apiKeyEnv).toBe(
      'RG_TEST_KEY',
    );
  });

  it('checks an http reranker at load: its key variable, TEI url, Cohere/Jina model', () => {
    const config = (reranker: string) =>
      configFile(
        `dataset: x@1\nindexes:\n  b: { kind: bm25 }\nrerankers:\n  r: ${reranker}\nsystems:\n  - { id: a, index: b, reranker: r }\n`,
      );
    const cohere = config('{ kind: http, api: cohere, model: rerank-v3.5, apiKeyEnv: RG_RERANK_KEY }');
    const error = (() => {
      try {
        loadConfig(cohere, {});
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error?.exitCode).toBe(2);
    expect(error?.location).toMatchObject({ line: 5, field: 'rerankers.r.apiKeyEnv' });
    expect(error?.message).toMatch(
      /:5: field 'rerankers.r.apiKeyEnv': environment variable RG_RERANK_KEY is not set/,
    );
    expect(loadConfig(cohere, { RG_RERANK_KEY: 'sk-secret' }).systems[0]?.reranker).toEqual({
      alias: 'r',
      kind: 'http',
      api: 'cohere',
      model: 'rerank-v3.5',
      apiKeyEnv: 'RG_RERANK_KEY',
      depth: 50,
    });
    expect(() => loadConfig(config('{ kind: http, api: tei }'))).toThrow(
      /:5: field 'rerankers.r.api': a TEI reranker needs the url of its server/,
    );
    expect(() => loadConfig(config('{ kind: http, api: jina }'))).toThrow(
      /a jina reranker needs a model name/,
    );
    expect(() => loadConfig(config('{ kind: http, api: openai }'))).toThrow(/:5:/);
  });

  it('reports malformed YAML with its line', () => {
    expect(() => loadConfig(configFile('dataset: x@1\nmodels:\n  a: [unclosed\n'))).toThrow(
      /retrieval-gate.yaml:\d+: malformed YAML/,
    );
  });
});

describe('live systems in the config', () => {
  const LIVE = `dataset: bike-repair@1.0.0
models:
  small:
    provider: openai
    model: text-embedding-3-small
    dimensions: 512
    apiKeyEnv: TEST_OPENAI_KEY
  local:
    provider: openai
    model: bge-small-en-v1.5
    url: http://tei:8080/v1
    dimensions: 384
    limits: { maxInputs: 32, tokensPerMinute: 60000 }
indexes:
  docs: { kind: qdrant, collection: docs_small }
`;

  it('fills OpenAI defaults: published limits, real tokenizer and dimensions for OpenAI models only', () => {
    const config = loadConfig(
      configFile(
        `${LIVE}systems:\n  - { id: a, model: small, index: docs }\n  - { id: b, model: local, index: docs }\n`,
      ),
      { TEST_OPENAI_KEY: 'sk-test' },
    );
    expect(config.systems[0]?.model).toMatchObject({
      provider: 'openai',
      dimensions: 512,
      openai: {
        baseURL: 'https://api.openai.com/v1',
        tokenizer: 'cl100k_base',
        sendDimensions: true,
        overLong: 'truncate',
        maxInputs: 2048,
        maxTokensPerRequest: 300_000,
        maxTokensPerInput: 8192,
      },
    });
    expect(config.systems[1]?.model).toMatchObject({
      openai: { baseURL: 'http://tei:8080/v1', tokenizer: 'estimate', sendDimensions: false, maxInputs: 32 },
    });
    expect(config.systems[1]?.model).toMatchObject({ openai: { tokensPerMinute: 60000 } });
    expect(config.systems[0]?.index).toMatchObject({
      kind: 'qdrant',
      url: 'http://localhost:6333',
      collection: 'docs_small',
      exact: false,
      distance: 'cosine',
      batchSize: 16,
      concurrency: 4,
    });
  });

  it('refuses an openai model without dimensions, OpenAI settings on a local model, a qdrant index without a model', () => {
    const env = { TEST_OPENAI_KEY: 'sk-test' };
    const problem = (text: string) => {
      try {
        loadConfig(configFile(text), env);
      } catch (error) {
        return (error as UserError).message;
      }
      return 'loaded';
    };
    expect(
      problem(
        'dataset: bike-repair@1.0.0\nmodels:\n  m: { provider: openai, model: text-embedding-3-small }\nindexes:\n  e: { kind: embedded }\nsystems:\n  - { id: a, model: m, index: e }\n',
      ),
    ).toMatch(/:3: field 'models.m.dimensions': an openai model needs its dimensions/);
    expect(
      problem(
        'dataset: bike-repair@1.0.0\nmodels:\n  m: { provider: hashing, url: "http://x" }\nindexes:\n  e: { kind: embedded }\nsystems:\n  - { id: a, model: m, index: e }\n',
      ),
    ).toMatch(/field 'models.m.url': 'url' applies to openai models only/);
    expect(problem(`${LIVE}systems:\n  - { id: a, index: docs }\n`)).toMatch(
      /index 'docs' searches vectors and needs a model/,
    );
  });
});

describe('examples/qdrant-openai.yaml', () => {
  it('loads: two OpenAI models, Qdrant collections behind aliases (one searched exactly), one reranker', () => {
    const env = { OPENAI_API_KEY: 'k', QDRANT_API_KEY: 'k', COHERE_API_KEY: 'k' };
    const config = loadConfig(join(REPO_ROOT, 'examples', 'qdrant-openai.yaml'), env);
    expect(
      config.systems.map((s) => [s.id, s.model?.alias, s.index.kind, s.reranker?.alias ?? null]),
    ).toEqual([
      ['small', 'te3-small', 'qdrant', null],
      ['small-exact', 'te3-small', 'qdrant', null],
      ['large', 'te3-large', 'qdrant', null],
      ['large+cohere', 'te3-large', 'qdrant', 'cohere'],
    ]);
    expect(config.systems[1]?.index).toMatchObject({ collection: 'docs_te3-small', exact: true });
    expect(() => loadConfig(join(REPO_ROOT, 'examples', 'qdrant-openai.yaml'), {})).toThrow(
      /OPENAI_API_KEY is not set/,
    );
  });
});
