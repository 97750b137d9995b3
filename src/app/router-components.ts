import type { RouterConfig } from '../config/router-config.js';
import type { OpenAiSettings } from '../config/types.js';
import type { Route } from '../dataset/route-dataset.js';
import { tokenCounter } from '../retrieve/providers/embedders/token-count.js';
import { CommandRouter } from '../retrieve/providers/routers/command.js';
import { EmbeddingRouter } from '../retrieve/providers/routers/embedding.js';
import { HttpRouter } from '../retrieve/providers/routers/http.js';
import type { Router } from '../retrieve/types.js';
import { apiKey, createEmbedder } from './components.js';

export interface RouterContext {
  routes: readonly Route[];
  cacheDir: string;
  /** The config's folder: where a command router's program runs. */
  dir: string;
  env: NodeJS.ProcessEnv;
  stderr?: NodeJS.WritableStream;
}

/** The router a config entry describes, ready to route; embedding routers have their examples embedded. */
export async function createRouter(config: RouterConfig, context: RouterContext): Promise<Router> {
  const names = context.routes.map((route) => route.name);
  switch (config.kind) {
    case 'embedding':
      return EmbeddingRouter.create({
        id: config.id,
        embedder: await createEmbedder(config.model, context.env, context.stderr),
        routes: context.routes,
        method: config.method,
        k: config.k,
        threshold: config.threshold,
        cacheDir: context.cacheDir,
        ...(config.model.provider === 'openai'
          ? { countTokens: billedTokens(config.model.openai.tokenizer, config.model.openai.charsPerToken) }
          : {}),
      });
    case 'command': {
      const stderr = context.stderr;
      return CommandRouter.start({
        command: config.command,
        name: config.id,
        cwd: context.dir,
        routes: names,
        ...(config.threshold === undefined ? {} : { threshold: config.threshold }),
        ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
        ...(stderr ? { onStderrLine: (line: string) => stderr.write(`[${config.id}] ${line}\n`) } : {}),
      });
    }
    case 'http':
      return new HttpRouter({
        id: config.id,
        url: config.url,
        routes: names,
        timeoutMs: config.timeoutMs,
        ...(config.maxRetries === undefined ? {} : { maxRetries: config.maxRetries }),
        ...apiKey(config.apiKeyEnv, context.env),
        ...(config.threshold === undefined ? {} : { threshold: config.threshold }),
      });
  }
}

/** What a router is, for route-run.json and the report: never a key. */
export function describeRouter(config: RouterConfig): Record<string, unknown> {
  const common = {
    ...(config.threshold === undefined ? {} : { threshold: config.threshold }),
    ...(config.costPerCall > 0 ? { costPerCall: config.costPerCall } : {}),
  };
  switch (config.kind) {
    case 'embedding':
      return {
        model: config.model.alias,
        modelVersion: config.model.version,
        method: config.method,
        ...(config.method === 'knn' ? { k: config.k } : {}),
        ...common,
      };
    case 'command':
      return { command: config.command.join(' '), ...common };
    case 'http':
      return { url: config.url, ...common };
  }
}

/** Counts an utterance as the OpenAI-compatible provider bills it (its tokenizer, or length ÷ charsPerToken). */
function billedTokens(
  tokenizer: OpenAiSettings['tokenizer'],
  charsPerToken: number,
): (text: string) => number {
  const counter = tokenCounter(tokenizer, charsPerToken);
  return (text) => counter.count(text);
}
