import { folderName, nameProblem, shownName } from '../files.js';
import type { Fail } from './fail.js';
import { expandMatrix } from './matrix.js';
import { searchSettingLabel } from './search-setting.js';
import type { IndexConfig, ModelConfig, RerankerConfig, SearchSetting, SystemConfig } from './types.js';

const DEFAULT_K = 100;

/** A `systems:` entry as written: its model, index and reranker named by alias. */
export interface RawSystem {
  id: string;
  model?: string;
  index: string;
  reranker?: string;
  k?: number;
  search?: SearchSetting[];
  annCheck?: { sample: number };
}

/** `matrix:` as written: aliases to combine (a null reranker: the combination without one). */
export interface RawMatrix {
  models?: string[];
  indexes: string[];
  rerankers?: (string | null)[];
  k?: number;
  search?: SearchSetting[];
  annCheck?: { sample: number };
}

/** The resolved sections, by alias. */
export interface Sections {
  models: Map<string, ModelConfig>;
  indexes: Map<string, IndexConfig>;
  rerankers: Map<string, RerankerConfig>;
}

/**
 * The systems to run: those of `systems:`, then those `matrix:` expands to, each alias replaced by its
 * section. An unknown alias, a combination that cannot work, no system at all and an id used twice are
 * refused.
 */
export function resolveSystems(
  raw: { systems?: RawSystem[]; matrix?: RawMatrix },
  { models, indexes, rerankers }: Sections,
  fail: Fail,
): SystemConfig[] {
  const lookup = <T>(kind: string, map: Map<string, T>, alias: string, path: (string | number)[]): T => {
    const found = map.get(alias);
    if (found === undefined)
      fail(`unknown ${kind} '${alias}'; defined: ${[...map.keys()].join(', ') || 'none'}`, path);
    return found as T;
  };

  // Where each system was written, for the message about an id used twice (a sweep makes several of one).
  const wherefrom: (string | number)[][] = [];
  const systems: SystemConfig[] = (raw.systems ?? []).flatMap((s, i) => {
    const system: SystemConfig = {
      id: s.id,
      index: lookup('index', indexes, s.index, ['systems', i, 'index']),
      k: s.k ?? DEFAULT_K,
      ...(s.model === undefined ? {} : { model: lookup('model', models, s.model, ['systems', i, 'model']) }),
      ...(s.reranker === undefined
        ? {}
        : { reranker: lookup('reranker', rerankers, s.reranker, ['systems', i, 'reranker']) }),
      ...(s.annCheck ? { annCheck: s.annCheck } : {}),
    };
    checkSystem(system, ['systems', i], fail);
    const swept = sweep(system, s.search, ['systems', i, 'search'], fail);
    wherefrom.push(...swept.map(() => ['systems', i, 'id']));
    return swept;
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
      const checked = matrix.annCheck ? { ...system, annCheck: matrix.annCheck } : system;
      systems.push(...sweep(checked, matrix.search, ['matrix', 'search'], fail));
    }
  }
  if (systems.length === 0) fail('no systems to run: add `systems:` or `matrix:`', []);
  const seen = new Set<string>();
  // Each system's files go to systems/<its id as a folder name>/ in the run folder: that name must be one
  // path component everywhere, and no two systems may share it.
  const folders = new Map<string, string>();
  systems.forEach((system, i) => {
    const where = wherefrom[i] ?? ['matrix'];
    if (seen.has(system.id)) fail(`system id '${shownName(system.id)}' is used twice`, where);
    seen.add(system.id);
    const folder = folderName(system.id);
    const problem = nameProblem(folder);
    if (problem) fail(`system id '${shownName(system.id)}' cannot name its folder: ${problem}`, where);
    const other = folders.get(folder);
    if (other !== undefined) {
      fail(
        `system ids '${shownName(other)}' and '${shownName(system.id)}' would share the folder systems/${folder} (characters other than A-Z a-z 0-9 . _ @ + - are written as _); rename one`,
        where,
      );
    }
    folders.set(folder, system.id);
  });
  return systems;
}

/** Combinations that cannot work are refused before anything runs. */
function checkSystem(system: SystemConfig, path: (string | number)[], fail: Fail): void {
  const { index, model } = system;
  const needsModel =
    index.kind === 'embedded' ||
    index.kind === 'qdrant' ||
    index.kind === 'pgvector' ||
    (index.kind === 'command' && index.vectors);
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

/** The search parameters a sweep may vary, by index kind (the config's own names). */
const SWEEPABLE: Partial<Record<IndexConfig['kind'], (keyof SearchSetting)[]>> = {
  pgvector: ['efSearch', 'probes', 'exact'],
  qdrant: ['hnswEf', 'exact'],
};

/**
 * A parameter sweep: one system per search setting, the setting applied to its index and named in its id
 * (`hash-512@docs[efSearch=64]`), so each point is measured, reported and gated like any system.
 */
function sweep(
  system: SystemConfig,
  settings: SearchSetting[] | undefined,
  path: (string | number)[],
  fail: Fail,
): SystemConfig[] {
  if (settings === undefined) return [system];
  const { index } = system;
  const allowed = SWEEPABLE[index.kind];
  if (!allowed)
    fail(
      `system '${system.id}': index '${index.alias}' (${index.kind}) has no search settings to sweep`,
      path,
    );
  return settings.map((setting, j) => {
    for (const key of Object.keys(setting) as (keyof SearchSetting)[]) {
      if (!allowed?.includes(key))
        fail(`${key} is not a search setting of a ${index.kind} index; it takes ${allowed?.join(', ')}`, [
          ...path,
          j,
          key,
        ]);
    }
    return {
      ...system,
      id: `${system.id}[${searchSettingLabel(setting)}]`,
      index: { ...index, ...setting } as IndexConfig,
      search: setting,
    };
  });
}
