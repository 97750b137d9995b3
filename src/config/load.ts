import { dirname, isAbsolute, resolve } from 'node:path';
import { parseMeasure } from '../metrics/registry.js';
import { readCheckedYaml } from './fail.js';
import { indexConfig, type RawIndex } from './indexes.js';
import { modelConfig, type RawModel } from './models.js';
import { type RawReranker, rerankerConfig } from './rerankers.js';
import { type RawSource, sourceConfig } from './sources.js';
import { type RawMatrix, type RawSystem, resolveSystems } from './systems.js';
import type { RunConfig } from './types.js';

export const DEFAULT_MEASURES = ['R@5', 'R@10', 'P@5', 'RR', 'nDCG@10', 'AP'];

/** The YAML as written, after schema validation (optional fields may be absent). */
interface RawConfig {
  dataset: string;
  measures?: string[];
  cacheDir?: string;
  models?: Record<string, RawModel>;
  indexes?: Record<string, RawIndex>;
  rerankers?: Record<string, RawReranker>;
  systems?: RawSystem[];
  matrix?: RawMatrix;
  sources?: Record<string, RawSource>;
}

/**
 * Reads retrieval-gate.yaml: YAML → JSON Schema (config.schema.json) → references between sections →
 * defaults. Every error names the file, the line and the field; secrets are only ever named by their
 * environment variable, which must be set.
 *
 * Each section gets its defaults in models.ts, indexes.ts, rerankers.ts and sources.ts; systems.ts resolves the
 * systems' references to them and expands the matrix.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const { value, fail } = readCheckedYaml(file, 'config');
  const raw = value as RawConfig;
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

  const systems = resolveSystems(raw, { models, indexes, rerankers }, fail);
  const sources = Object.entries(raw.sources ?? {}).map(([alias, s]) => sourceConfig(alias, s, env, fail));

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
    sources,
  };
}

function resolvePath(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}
