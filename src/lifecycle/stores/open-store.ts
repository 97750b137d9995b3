import type { PgvectorIndexConfig, QdrantIndexConfig } from '../../config/types.js';
import { openDatabase } from '../../retrieve/providers/pgvector/database.js';
import { QdrantConnection } from '../../retrieve/providers/qdrant/connection.js';
import type { IndexStore } from '../index-store.js';
import { PgvectorStore } from './pgvector-store.js';
import { QdrantStore } from './qdrant-store.js';

/**
 * The store a live index's config names. An embedded database must already exist (create: false): a
 * migration works on indexes that `index build` made, never on an empty folder it would create.
 */
export async function openIndexStore(
  config: QdrantIndexConfig | PgvectorIndexConfig,
  options: { dir: string; env: NodeJS.ProcessEnv },
): Promise<IndexStore> {
  if (config.kind === 'pgvector') {
    return new PgvectorStore(await openDatabase(config, { ...options, create: false }), config);
  }
  // Checked to be set when the config was loaded; read only here, so the key lives in the connection alone.
  const apiKey = config.apiKeyEnv === undefined ? undefined : options.env[config.apiKeyEnv];
  return new QdrantStore(
    new QdrantConnection({
      url: config.url,
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
    }),
    config,
  );
}
