import { resolve } from 'node:path';
import type { SourceConfig } from '../../../config/types.js';
import { jsonlSource } from './jsonl-source.js';
import { openPostgresSource } from './postgres-source.js';
import type { Source } from './source.js';

export interface OpenSourceOptions {
  /** The configuration file's folder: a jsonl source's path is relative to it. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The configuration file, for messages about a source's fields. */
  file?: string;
}

/** A `sources:` entry opened: a postgres source connects now, so a wrong URL fails before any work. */
export async function openSource(config: SourceConfig, options: OpenSourceOptions): Promise<Source> {
  switch (config.kind) {
    case 'postgres':
      return openPostgresSource(config, options);
    case 'jsonl':
      return jsonlSource(resolve(options.dir, config.path), `${config.path} (sources.${config.alias})`);
  }
}
