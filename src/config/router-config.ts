import { dirname, isAbsolute, resolve } from 'node:path';
import { type Fail, readCheckedYaml } from './fail.js';
import { modelConfig, type RawModel } from './models.js';
import { checkApiKeyEnv } from './secrets.js';
import type { ModelConfig } from './types.js';

/** How an embedding router scores an utterance against a route's examples. */
export type RoutingMethod = 'centroid' | 'knn';

interface RouterCommon {
  /** Readable and unique: the alias, or `<model>:<method>@<threshold>` for a matrix entry. */
  id: string;
  /** Below this score the router falls back; a command or http router without one decides for itself. */
  threshold?: number;
  /** What a routing call costs beside its embedding tokens (a router service's price). */
  costPerCall: number;
  /** [lowest, highest] score the router gives. */
  scoreRange: [number, number];
}

export type RouterConfig =
  | (RouterCommon & {
      kind: 'embedding';
      model: ModelConfig;
      method: RoutingMethod;
      k: number;
      threshold: number;
    })
  | (RouterCommon & { kind: 'command'; command: string[]; timeoutMs?: number })
  | (RouterCommon & {
      kind: 'http';
      url: string;
      apiKeyEnv?: string;
      timeoutMs: number;
      maxRetries?: number;
    });

export interface RouterRunConfig {
  file: string;
  dir: string;
  dataset: string;
  cacheDir: string;
  routers: RouterConfig[];
  requiredAccuracy: number;
  /** Thresholds of the trade-off curve. */
  sweep: number[];
  bootstrap: { samples: number; confidence: number; seed: number };
}

type RawRouter = { kind: 'embedding' | 'command' | 'http'; [field: string]: unknown };

interface RawRouterConfig {
  dataset: string;
  cacheDir?: string;
  models?: Record<string, RawModel>;
  routers?: Record<string, RawRouter>;
  matrix?: { models: string[]; thresholds: number[]; method?: RoutingMethod; k?: number };
  requiredAccuracy?: number;
  sweep?: { from: number; to: number; step: number };
  bootstrap?: { samples?: number; confidence?: number; seed?: number };
}

/** Cosine similarity lies in [-1, 1]; a threshold outside can never, or always, fall back. */
const COSINE_RANGE: [number, number] = [-1, 1];
const DEFAULT_K = 5;
const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/**
 * Reads a router configuration (router.yaml): YAML → router-config.schema.json → references to models →
 * the matrix expanded → defaults. Every error names the file, the line and the field.
 */
export function loadRouterConfig(file: string, env: NodeJS.ProcessEnv = process.env): RouterRunConfig {
  const { value, fail } = readCheckedYaml(file, 'router-config');
  const raw = value as RawRouterConfig;
  const models = new Map(
    Object.entries(raw.models ?? {}).map(([alias, m]) => [alias, modelConfig(alias, m, env, fail)]),
  );
  const model = (alias: string, path: (string | number)[]): ModelConfig => {
    const found = models.get(alias);
    if (!found) fail(`unknown model '${alias}' (models: ${[...models.keys()].join(', ') || 'none'})`, path);
    return found as ModelConfig;
  };
  const routers = Object.entries(raw.routers ?? {}).map(([alias, r]) =>
    routerConfig(alias, r, model, env, fail),
  );
  raw.matrix?.models.forEach((alias, m) => {
    raw.matrix?.thresholds.forEach((threshold, t) => {
      const method = raw.matrix?.method ?? 'centroid';
      checkThreshold(threshold, COSINE_RANGE, ['matrix', 'thresholds', t], fail);
      routers.push({
        id: `${alias}:${method}@${threshold}`,
        kind: 'embedding',
        model: model(alias, ['matrix', 'models', m]),
        method,
        k: raw.matrix?.k ?? DEFAULT_K,
        threshold,
        costPerCall: 0,
        scoreRange: COSINE_RANGE,
      });
    });
  });
  if (routers.length === 0) fail('no routers: add `routers:` or `matrix:`', []);
  const seen = new Set<string>();
  for (const router of routers) {
    if (seen.has(router.id)) fail(`two routers have the id '${router.id}'`, ['routers']);
    seen.add(router.id);
  }
  const dir = dirname(resolve(file));
  const cacheDir = raw.cacheDir ?? '.cache/retrieval-gate';
  return {
    file,
    dir,
    dataset: raw.dataset,
    cacheDir: isAbsolute(cacheDir) ? cacheDir : resolve(dir, cacheDir),
    routers,
    requiredAccuracy: raw.requiredAccuracy ?? 0.9,
    sweep: sweepThresholds(raw.sweep ?? { from: 0, to: 1, step: 0.05 }, fail),
    bootstrap: {
      samples: raw.bootstrap?.samples ?? 1000,
      confidence: raw.bootstrap?.confidence ?? 0.95,
      seed: raw.bootstrap?.seed ?? 42,
    },
  };
}

function routerConfig(
  alias: string,
  raw: RawRouter,
  model: (alias: string, path: (string | number)[]) => ModelConfig,
  env: NodeJS.ProcessEnv,
  fail: Fail,
): RouterConfig {
  const at = (field: string) => ['routers', alias, field];
  const costPerCall = (raw.costPerCall as number | undefined) ?? 0;
  if (raw.kind === 'embedding') {
    const threshold = raw.threshold as number;
    checkThreshold(threshold, COSINE_RANGE, at('threshold'), fail);
    return {
      id: alias,
      kind: 'embedding',
      model: model(raw.model as string, at('model')),
      method: (raw.method as RoutingMethod | undefined) ?? 'centroid',
      k: (raw.k as number | undefined) ?? DEFAULT_K,
      threshold,
      costPerCall,
      scoreRange: COSINE_RANGE,
    };
  }
  const range = (raw.scoreRange as [number, number] | undefined) ?? [0, 1];
  if (range[0] >= range[1]) fail('the lowest score must be below the highest', at('scoreRange'));
  const threshold = raw.threshold as number | undefined;
  if (threshold !== undefined) checkThreshold(threshold, range, at('threshold'), fail);
  const common = {
    id: alias,
    costPerCall,
    scoreRange: range,
    ...(threshold === undefined ? {} : { threshold }),
  };
  if (raw.kind === 'command')
    return {
      ...common,
      kind: 'command',
      command: raw.command as string[],
      ...(raw.timeoutMs === undefined ? {} : { timeoutMs: raw.timeoutMs as number }),
    };
  const apiKeyEnv = raw.apiKeyEnv as string | undefined;
  checkApiKeyEnv(apiKeyEnv, 'router', at('apiKeyEnv'), env, fail);
  return {
    ...common,
    kind: 'http',
    url: raw.url as string,
    ...(apiKeyEnv === undefined ? {} : { apiKeyEnv }),
    timeoutMs: (raw.timeoutMs as number | undefined) ?? DEFAULT_HTTP_TIMEOUT_MS,
    ...(raw.maxRetries === undefined ? {} : { maxRetries: raw.maxRetries as number }),
  };
}

function checkThreshold(
  threshold: number,
  [low, high]: [number, number],
  path: (string | number)[],
  fail: Fail,
): void {
  if (threshold < low || threshold > high)
    fail(`threshold ${threshold} is outside the router's score range [${low}, ${high}]`, path);
}

function sweepThresholds(sweep: { from: number; to: number; step: number }, fail: Fail): number[] {
  if (sweep.to < sweep.from) fail("'to' must not be below 'from'", ['sweep', 'to']);
  const count = Math.floor((sweep.to - sweep.from) / sweep.step + 1e-9) + 1;
  if (count > 1000) fail('more than 1000 thresholds: take a larger step', ['sweep', 'step']);
  // Rounded so that 0.1 + 0.2 prints as 0.3 in the curve.
  return Array.from({ length: count }, (_, i) => Number((sweep.from + i * sweep.step).toFixed(10)));
}
