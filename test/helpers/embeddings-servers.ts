import { afterEach } from 'vitest';
import {
  type EmbeddingsServer,
  type EmbeddingsServerOptions,
  startEmbeddingsServer,
} from '../servers/openai-embeddings-server.js';

/** Starts local OpenAI-compatible servers for a test file's tests; each is closed after the test that made it. */
export function useEmbeddingsServers(): (options?: EmbeddingsServerOptions) => Promise<EmbeddingsServer> {
  const servers: EmbeddingsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (options = {}) => {
    const server = await startEmbeddingsServer(options);
    servers.push(server);
    return server;
  };
}
