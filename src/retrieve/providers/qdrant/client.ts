import { QdrantClient } from '@qdrant/js-client-rest';

export interface QdrantClientOptions {
  url: string;
  /** Passed in by the caller (read from the environment variable the config names); never logged. */
  apiKey?: string;
  /** Per request: the whole exchange, body included. */
  timeoutMs: number;
  /** Keep-alive connections the pool may hold: at least the calls the caller keeps in flight. */
  maxConnections?: number;
}

/**
 * A REST client for one Qdrant server. `checkCompatibility: false` because the client otherwise sends
 * `GET /` at construction and warns on stderr about version skew (the installed 1.18 client speaks the
 * 1.19 endpoints this tool uses), which would also hit test servers that do not serve `/`.
 */
export function createQdrantClient(options: QdrantClientOptions): QdrantClient {
  const url = new URL(options.url);
  // The client warns on every construction when a key goes over plain http; on loopback (a local server,
  // a port-forward) that warning is noise, so the key goes in the same `api-key` header by hand.
  const loopback = url.protocol === 'http:' && isLoopback(url.hostname);
  const prefix = url.pathname.replace(/\/+$/, '');
  return new QdrantClient({
    // The client ignores a path in `url` and puts port 6333 on a URL without one; the configured URL is
    // taken as written instead (a reverse proxy on 443 under /qdrant works).
    url: url.origin,
    port: null,
    ...(prefix === '' ? {} : { prefix }),
    timeout: options.timeoutMs,
    checkCompatibility: false,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.apiKey === undefined
      ? {}
      : loopback
        ? { headers: { 'api-key': options.apiKey } }
        : { apiKey: options.apiKey }),
  });
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}
