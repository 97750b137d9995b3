import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import {
  type CacheStats,
  cacheStats,
  type PruneOptions,
  type PruneReport,
  pruneCache,
} from '../retrieve/cache/maintenance.js';

/** The embedding cache: a folder given as such, or the one a run configuration names. */
export type CacheLocation = { dir: string } | { config: string };

/** `cache stats`: per namespace entries, size and damaged records (every checksum with `verify`). */
export function inspectCache(location: CacheLocation, verify: boolean): CacheStats {
  return cacheStats(cacheFolder(location), { verify });
}

/** `cache prune`: removes what no run will read again and compacts the rest. */
export function pruneCacheAt(location: CacheLocation, options: PruneOptions): PruneReport {
  return pruneCache(cacheFolder(location), options);
}

function cacheFolder(location: CacheLocation): string {
  if ('dir' in location) return resolve(location.dir);
  // The cache commands call no service: API key variables need not be set.
  const anyKey = new Proxy({}, { get: () => 'unused' }) as NodeJS.ProcessEnv;
  return loadConfig(location.config, anyKey).cacheDir;
}
