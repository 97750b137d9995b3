import { resolve } from 'node:path';
import type { PgvectorIndexConfig } from '../../../config/types.js';
import { openEmbedded } from './embedded.js';
import { openServer } from './server.js';
import type { SqlClient } from './sql-client.js';

export interface DatabaseOptions {
  /** The config file's folder: `dataDir` is relative to it. */
  dir: string;
  /** Where `urlEnv` is read (checked to be set when the config was loaded). */
  env: NodeJS.ProcessEnv;
  /** Create the embedded database if it is not there (index build); a search refuses a missing one. */
  create?: boolean;
}

/** The database a pgvector index names: its server (a pool of `concurrency`), or the embedded one. */
export function openDatabase(config: PgvectorIndexConfig, options: DatabaseOptions): Promise<SqlClient> {
  if (config.dataDir !== undefined) {
    return openEmbedded(resolve(options.dir, config.dataDir), {
      label: config.dataDir,
      create: options.create === true,
    });
  }
  const variable = config.urlEnv as string;
  return openServer(options.env[variable] ?? '', {
    variable,
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
  });
}
