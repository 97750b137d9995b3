import type {
  IndexConfig,
  ModelConfig,
  PgvectorIndexConfig,
  QdrantIndexConfig,
  RerankerConfig,
  SystemConfig,
} from '../config/types.js';
import type { Dataset } from '../dataset/types.js';
import { checkPgvectorIndex, checkQdrantIndex } from '../lifecycle/index-check.js';
import type { IndexCheck } from '../results/summary.js';
import { embedAll } from '../retrieve/cache/vector-cache.js';
import { HashingEmbedder } from '../retrieve/providers/embedders/hashing.js';
import { OpenAiEmbedder } from '../retrieve/providers/embedders/openai.js';
import { truncateEmbedder } from '../retrieve/providers/embedders/truncate.js';
import { loadWinkEmbedder } from '../retrieve/providers/embedders/wink.js';
import { Bm25Index } from '../retrieve/providers/indexes/bm25.js';
import { CommandIndex } from '../retrieve/providers/indexes/command.js';
import { ExactIndex } from '../retrieve/providers/indexes/exact.js';
import { PgvectorIndex } from '../retrieve/providers/pgvector/pgvector-index.js';
import { QdrantConnection } from '../retrieve/providers/qdrant/connection.js';
import { QdrantIndex } from '../retrieve/providers/qdrant/qdrant-index.js';
import { CommandReranker } from '../retrieve/providers/rerankers/command.js';
import { HttpReranker } from '../retrieve/providers/rerankers/http.js';
import { LexicalReranker } from '../retrieve/providers/rerankers/lexical.js';
import type { QueryVectors } from '../retrieve/run-system.js';
import type { CommandOptions } from '../retrieve/transport/json-lines-process.js';
import type { Embedder, Index, Reranker } from '../retrieve/types.js';
import type { BuildComponents, BuildContext, BuiltSystem } from './run.js';

/**
 * Builds each system's embedder, index and reranker from the config. In-process indexes are shared between
 * systems of one run (two systems on the same model and index embed the corpus once), and every embedding
 * goes through the on-disk cache, so a second run — or a run resumed after Ctrl-C — embeds nothing again.
 */
export interface ComponentOptions {
  /** Evaluate a system even when its model does not fit its index (recorded in the summary). */
  allowIncompatible?: boolean;
  /** Where API keys are read from (the variables the config names). */
  env?: NodeJS.ProcessEnv;
  /** Where command programs' stderr lines are copied, as "[alias] line" (default: this process's stderr). */
  stderr?: NodeJS.WritableStream;
}

export function createComponentFactory(options: ComponentOptions = {}): BuildComponents {
  const env = options.env ?? process.env;
  const shared = new Map<string, Promise<BuiltIndex>>();
  // The first system to build a shared index reports its embedding calls; the others reuse it for free.
  const once = async (key: string, make: () => Promise<BuiltIndex>) => {
    const entry = shared.get(key);
    if (entry)
      return { index: (await entry).index, calls: 0, tokens: 0, truncated: (await entry).truncated ?? [] };
    const made = make();
    shared.set(key, made);
    return made;
  };

  return async (system: SystemConfig, context: BuildContext): Promise<BuiltSystem> => {
    const embedder = system.model ? await createEmbedder(system.model, env, options.stderr) : undefined;
    const closers: (() => Promise<void>)[] = [];
    if (system.index.kind === 'qdrant' || system.index.kind === 'pgvector') {
      if (!system.model) throw new Error(`index '${system.index.alias}' needs a model`);
      const check = {
        systemId: system.id,
        model: system.model,
        dataset: context.dataset,
        allowIncompatible: options.allowIncompatible === true,
      };
      const live =
        system.index.kind === 'qdrant'
          ? await openQdrant(system.index, check, context, env)
          : await openPgvector(system.index, check, context, env);
      const reranker = await openReranker(system, context, env, options.stderr, async () => {
        await live.index.close?.();
      });
      return {
        index: live.index,
        ...(reranker ? { reranker } : {}),
        ...(embedder ? { embedQueries: queryEmbedding(embedder, context) } : {}),
        indexBuild: { embeddingCalls: 0, tokens: 0 },
        indexCheck: live.check,
        warnings: live.warnings,
        close: async () => {
          await reranker?.close?.();
          await live.index.close?.();
        },
      };
    }
    const {
      index,
      calls,
      tokens,
      truncated = [],
    } = await buildIndex(system.index, embedder, system.model, context, once, options.stderr);
    // Only processes are per system; shared in-process indexes live as long as the run.
    if (system.index.kind === 'command') closers.push(() => index.close?.() ?? Promise.resolve());
    const reranker = await openReranker(system, context, env, options.stderr, async () => {
      await Promise.all(closers.map((close) => close()));
    });
    if (reranker?.close) closers.push(() => reranker?.close?.() ?? Promise.resolve());
    return {
      index,
      ...(reranker ? { reranker } : {}),
      ...(embedder && system.model ? { embedQueries: queryEmbedding(embedder, context) } : {}),
      indexBuild: { embeddingCalls: calls, tokens },
      ...(truncated.length > 0
        ? {
            warnings: [
              `${truncated.length} documents were cut to the model's input limit: ${truncated.slice(0, 5).join(', ')}${truncated.length > 5 ? ', …' : ''}`,
            ],
          }
        : {}),
      close: async () => {
        await Promise.all(closers.map((close) => close()));
      },
    };
  };
}

/**
 * The embedder a model config describes; API keys are read from `env` by the variable the config names. A
 * remote embedder's one-line notices (a wait the server asked for) go to `stderr`: the command's own, so that
 * they pass its guard.
 */
export async function createEmbedder(
  model: ModelConfig,
  env: NodeJS.ProcessEnv,
  stderr?: NodeJS.WritableStream,
): Promise<Embedder> {
  const batch = model.batchSize === undefined ? {} : { batchSize: model.batchSize };
  switch (model.provider) {
    case 'hashing':
      // Feature hashing takes its size as a parameter: no truncation needed.
      return new HashingEmbedder({ dimensions: model.dimensions ?? 256, ...batch });
    case 'wink': {
      const base = await loadWinkEmbedder(batch);
      // Word vectors have a fixed size: fewer dimensions means Matryoshka-style truncation.
      return model.dimensions !== undefined && model.dimensions < base.dimensions
        ? truncateEmbedder(base, model.dimensions)
        : base;
    }
    case 'openai':
      return new OpenAiEmbedder(model, {
        ...apiKey(model.apiKeyEnv, env),
        ...(stderr ? { notify: (line: string) => stderr.write(`${line}\n`) } : {}),
      });
  }
}

/** The cache key part that names the model as configured (its alias's version label included). */
function modelKey(model: ModelConfig, embedder: Embedder): string {
  return `${embedder.id}@${embedder.version}/${model.model}@${model.version}/${embedder.dimensions}`;
}

/** An index and what embedding the corpus for it cost (nothing for indexes that hold no vectors of ours). */
interface BuiltIndex {
  index: Index;
  calls: number;
  tokens: number;
  /** Documents cut to the model's input limit. */
  truncated?: string[];
}

type Once = (key: string, make: () => Promise<BuiltIndex>) => Promise<BuiltIndex>;

async function buildIndex(
  config: IndexConfig,
  embedder: Embedder | undefined,
  model: ModelConfig | undefined,
  context: BuildContext,
  once: Once,
  stderr: NodeJS.WritableStream | undefined,
): Promise<BuiltIndex> {
  switch (config.kind) {
    case 'bm25':
      return once(`bm25:${config.alias}`, async () => ({
        index: new Bm25Index(context.corpus, { k1: config.k1, b: config.b }, config.batchSize),
        calls: 0,
        tokens: 0,
      }));
    case 'embedded': {
      if (!embedder || !model) throw new Error(`index '${config.alias}' needs a model`);
      const key = modelKey(model, embedder);
      const built = await once(`embedded:${config.alias}:${key}`, async () => {
        const result = await embedAll({
          embedder,
          texts: context.corpus.map((doc) => doc.text),
          names: context.corpus.map((doc) => `document ${doc.id}`),
          purpose: 'index-build',
          cacheDir: context.cacheDir,
        });
        const index = new ExactIndex(
          context.corpus.map((doc) => doc.id),
          result.vectors,
          embedder.dimensions,
          config.distance,
          `embedded:${key}:${config.distance}`,
          config.batchSize === undefined ? {} : { batchSize: config.batchSize },
        );
        return { index, calls: result.calls, tokens: result.tokens, truncated: result.truncated };
      });
      return built;
    }
    case 'command':
      return {
        index: await CommandIndex.start({
          ...commandOptions(config, context, stderr),
          needsVectors: config.vectors,
          ...(config.dimensions === undefined ? {} : { dimensions: config.dimensions }),
        }),
        calls: 0,
        tokens: 0,
      };
    case 'qdrant':
    case 'pgvector':
      throw new Error(`index '${config.alias}': a ${config.kind} index is opened per system`);
  }
}

/** What the check of a live index needs to know about the system. */
interface CheckContext {
  systemId: string;
  model: ModelConfig;
  dataset: Dataset;
  allowIncompatible: boolean;
}

/** A live index opened and checked against the system's model before any query is sent. */
interface LiveIndex {
  index: Index;
  check: IndexCheck;
  warnings: string[];
}

/**
 * Opens a Qdrant index (alias resolved, collection facts read) and checks it against the model: a mismatch
 * stops the system unless allowed; missing relevant documents are listed.
 */
async function openQdrant(
  config: QdrantIndexConfig,
  check: CheckContext,
  context: BuildContext,
  env: NodeJS.ProcessEnv,
): Promise<LiveIndex> {
  const key = apiKey(config.apiKeyEnv, env);
  const index = await QdrantIndex.open({ config, ...key, docIds: context.corpus.map((doc) => doc.id) });
  const connection = new QdrantConnection({
    url: config.url,
    ...key,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
  });
  return { index, ...(await checkQdrantIndex({ ...check, config, index, connection })) };
}

/** Opens a pgvector table (its database, the table's facts) and checks it as openQdrant does. */
async function openPgvector(
  config: PgvectorIndexConfig,
  check: CheckContext,
  context: BuildContext,
  env: NodeJS.ProcessEnv,
): Promise<LiveIndex> {
  const index = await PgvectorIndex.open(config, { dir: context.dir, env });
  try {
    return { index, ...(await checkPgvectorIndex({ ...check, config, index })) };
  } catch (error) {
    await index.close();
    throw error;
  }
}

/** The key from the variable the config names (checked to be set when the config was loaded). */
export function apiKey(variable: string | undefined, env: NodeJS.ProcessEnv): { apiKey?: string } {
  const value = variable === undefined ? undefined : env[variable];
  return value ? { apiKey: value } : {};
}

/** The system's reranker, if it has one; one that fails to start first releases what was already opened. */
async function openReranker(
  system: SystemConfig,
  context: BuildContext,
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream | undefined,
  release: () => Promise<void>,
): Promise<Reranker | undefined> {
  if (!system.reranker) return undefined;
  try {
    return await createReranker(system.reranker, context, env, stderr);
  } catch (error) {
    await release();
    throw error;
  }
}

async function createReranker(
  config: RerankerConfig,
  context: BuildContext,
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream | undefined,
): Promise<Reranker> {
  switch (config.kind) {
    case 'lexical':
      return new LexicalReranker(new Bm25Index(context.corpus, { k1: config.k1, b: config.b }));
    case 'command':
      return CommandReranker.start(commandOptions(config, context, stderr));
    case 'http':
      return new HttpReranker({
        api: config.api,
        ...(config.url === undefined ? {} : { url: config.url }),
        ...(config.model === undefined ? {} : { model: config.model }),
        // Checked at load; read only here so the key lives in memory and nowhere else.
        ...apiKey(config.apiKeyEnv, env),
        ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
        ...(config.maxRetries === undefined ? {} : { maxRetries: config.maxRetries }),
        ...(config.batchSize === undefined ? {} : { batchSize: config.batchSize }),
        ...(config.requestsPerMinute === undefined ? {} : { requestsPerMinute: config.requestsPerMinute }),
      });
  }
}

/** Embeds the queries through the cache; timings are those of this run's calls (null for cached vectors). */
function queryEmbedding(
  embedder: Embedder,
  context: BuildContext,
): (texts: string[], names: string[]) => Promise<QueryVectors> {
  return async (texts, names) => {
    const result = await embedAll({
      embedder,
      texts,
      names,
      purpose: 'query',
      cacheDir: context.cacheDir,
    });
    return {
      vectors: result.vectors,
      perQuery: result.perText,
      callMs: result.callMs,
      calls: result.calls,
      tokens: result.tokens,
      retries: result.retries,
      truncated: result.truncated,
    };
  };
}

/**
 * How a command index or reranker is started: its program in the config's folder, named by its alias, its
 * stderr lines ("[alias] line") to the stream the caller gave (else this process's stderr).
 */
function commandOptions(
  config: { alias: string; command: string[]; timeoutMs?: number; concurrency?: number },
  context: BuildContext,
  stderr: NodeJS.WritableStream | undefined,
): CommandOptions {
  return {
    command: config.command,
    name: config.alias,
    cwd: context.dir,
    ...(stderr ? { onStderrLine: (line: string) => stderr.write(`[${config.alias}] ${line}\n`) } : {}),
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.concurrency === undefined ? {} : { concurrency: config.concurrency }),
  };
}
