import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { PgvectorIndexConfig, QdrantIndexConfig, RunConfig } from '../config/types.js';
import { UserError } from '../errors.js';
import type { IndexStore } from '../lifecycle/index-store.js';
import { openIndexStore } from '../lifecycle/stores/open-store.js';
import type { StoreRef } from '../results/cutovers.js';

/** A store reached through an index of a config, and how to reach it again (recorded with every switch). */
export interface OpenedStore {
  store: IndexStore;
  ref: StoreRef;
  config: RunConfig;
}

/**
 * Opens the store of the config's index `indexAlias` (a qdrant or pgvector index); the config is given as its
 * file, or already loaded when the caller opens several of its stores.
 */
export async function openConfigStore(
  configSource: string | RunConfig,
  indexAlias: string,
  env: NodeJS.ProcessEnv,
): Promise<OpenedStore> {
  const config = typeof configSource === 'string' ? loadConfig(configSource, env) : configSource;
  const configFile = config.file;
  const index = config.indexes.find((i) => i.alias === indexAlias);
  if (!index) {
    throw new UserError(
      `no index '${indexAlias}' in ${configFile} (it defines: ${config.indexes.map((i) => i.alias).join(', ') || 'none'})`,
    );
  }
  if (index.kind !== 'qdrant' && index.kind !== 'pgvector') {
    throw new UserError(
      `index '${indexAlias}' is a ${index.kind} index: aliases are switched on qdrant and pgvector indexes`,
    );
  }
  const store = await openIndexStore(index as QdrantIndexConfig | PgvectorIndexConfig, {
    dir: config.dir,
    env,
  });
  return {
    store,
    config,
    ref: { kind: index.kind, where: store.where, config: resolve(configFile), index: indexAlias },
  };
}

/** Runs `work` with the store open, and closes it whatever happens. */
export async function withConfigStore<T>(
  configSource: string | RunConfig,
  indexAlias: string,
  env: NodeJS.ProcessEnv,
  work: (opened: OpenedStore) => Promise<T>,
): Promise<T> {
  const opened = await openConfigStore(configSource, indexAlias, env);
  try {
    return await work(opened);
  } finally {
    await opened.store.close();
  }
}
