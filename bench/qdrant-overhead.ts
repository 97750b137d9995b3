import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { seededRandom } from '../src/metrics/random.js';
import { QdrantConnection } from '../src/retrieve/providers/qdrant/connection.js';
import { QdrantIndex } from '../src/retrieve/providers/qdrant/qdrant-index.js';
import { createCollection, upsertPoints } from '../src/retrieve/providers/qdrant/write.js';
import { runSystem, type SystemQuery } from '../src/retrieve/run-system.js';
import { precomputedVectors } from '../test/helpers/precomputed-vectors.js';
import { QdrantTestServer } from '../test/servers/qdrant-server.js';

export const name = 'qdrant-overhead';

const QUERIES = 10_000;
const LATENCY_MS = 20;
const DOCS = 100;
const DIMS = 16;
const K = 10;
const FLOOR_CALLS = 21;
const SETTINGS = [
  { batchSize: 16, concurrency: 4 },
  { batchSize: 32, concurrency: 8 },
];

/** What the server's thread answers: its URL once, then counters after each request for them. */
interface Counters {
  url: string;
  requests: number;
  maxInFlight: number;
}

// This module doubles as the test server's thread: a real Qdrant computes on its own cores, and a server in
// the client's thread would add its search and contract checks to the wall time measured here.
if (!isMainThread && (workerData as { role?: string } | null)?.role === 'qdrant-server') {
  const server = await QdrantTestServer.start({ latencyMs: LATENCY_MS });
  const port = parentPort as NonNullable<typeof parentPort>;
  const counters = (): Counters => ({
    url: server.url,
    requests: server.queriesPerBatch.length,
    maxInFlight: server.maxInFlight,
  });
  port.on('message', (command: 'reset' | 'counters' | 'close') => {
    if (command === 'close') {
      void server.close().then(() => port.close());
      return;
    }
    if (command === 'reset') server.resetCounters();
    port.postMessage(counters());
  });
  port.postMessage(counters());
}

/**
 * What the Qdrant path costs beyond the server's own time: 10,000 queries through the runner and a
 * QdrantIndex against the local test server (on its own thread) answering each request after a fixed
 * 20 ms. With batches of batchSize and concurrency requests in flight, the ideal wall time is
 * ceil(queries ÷ (batchSize × concurrency)) × 20 ms; everything above it is client and runner work, and
 * the server's own search (the corpus is tiny so that stays small).
 */
export async function run(): Promise<void> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'qdrant-server' } });
  const ask = async (command: 'reset' | 'counters'): Promise<Counters> => {
    const answer = once(worker, 'message');
    worker.postMessage(command);
    return (await answer)[0] as Counters;
  };
  const server = ((await once(worker, 'message')) as [Counters])[0];
  try {
    const connection = new QdrantConnection({ url: server.url, timeoutMs: 30_000, maxRetries: 0 });
    const docIds = Array.from({ length: DOCS }, (_, i) => `doc${i}`);
    const random = seededRandom(42);
    await createCollection(connection, { name: 'bench', size: DIMS, distance: 'cosine' });
    await upsertPoints(
      connection,
      'bench',
      docIds.map((docid) => ({ docid, vector: vectorOf(random), contentSha256: '' })),
    );
    const vectors = new Float32Array(QUERIES * DIMS);
    for (let i = 0; i < vectors.length; i++) vectors[i] = random() * 2 - 1;
    const queries: SystemQuery[] = Array.from({ length: QUERIES }, (_, i) => ({
      id: `q${i}`,
      text: `query ${i}`,
    }));

    for (const setting of SETTINGS) {
      const index = await QdrantIndex.open({
        config: {
          url: server.url,
          collection: 'bench',
          exact: false,
          timeoutMs: 30_000,
          maxRetries: 0,
          ...setting,
        },
        docIds,
      });
      // One request at a time: the per-request floor (20 ms plus client and server work and timer slack)
      // that no scheduling can beat; the gap between it and the ideal is not the runner's.
      const probe = Array.from({ length: setting.batchSize }, (_, i) => ({
        id: `p${i}`,
        text: '',
        vector: vectors.subarray(i * DIMS, (i + 1) * DIMS),
      }));
      const floors: number[] = [];
      for (let i = 0; i < FLOOR_CALLS; i++) {
        const began = performance.now();
        await index.search(probe, K);
        floors.push(performance.now() - began);
      }
      const floor = floors.sort((a, b) => a - b)[FLOOR_CALLS >> 1] as number;

      await ask('reset');
      const start = performance.now();
      const result = await runSystem({
        system: { id: 'qdrant', index: { alias: 'qdrant', kind: 'bm25', k1: 0.9, b: 0.4 }, k: K },
        components: {
          index,
          embedQueries: precomputedVectors(vectors, queries.length),
        },
        queries,
        documentText: () => '',
        tracePath: join(tmpdir(), 'retrieval-gate-bench-qdrant-trace.jsonl'),
        prices: { queryTokenPrice: 0, rerankTokenPrice: 0, rerankSearchUnitPrice: 0 },
      });
      const wall = performance.now() - start;
      const rounds = Math.ceil(QUERIES / (setting.batchSize * setting.concurrency));
      const ideal = rounds * LATENCY_MS;
      const { requests, maxInFlight } = await ask('counters');
      const percent = (over: number) => `${((wall / over - 1) * 100).toFixed(1)} %`;
      console.log(
        `${QUERIES} queries, batchSize ${setting.batchSize} × concurrency ${setting.concurrency}, ${LATENCY_MS} ms/request: ` +
          `wall ${wall.toFixed(0)} ms, ideal ${ideal} ms, overhead ${percent(ideal)} ` +
          `(${requests} requests, max ${maxInFlight} in flight, ${result.run.queries.size} queries answered)`,
      );
      console.log(
        `  one request alone takes ${floor.toFixed(1)} ms: ${rounds} rounds of it = ${(rounds * floor).toFixed(0)} ms, overhead over that ${percent(rounds * floor)}`,
      );
      const bare = await bareFetchWall(server.url, probe, setting.concurrency, requests, K);
      console.log(
        `  bare fetch (the client's transport, nothing else) sending the same ${requests} requests, ${setting.concurrency} in flight: ` +
          `${bare.toFixed(0)} ms = ideal + ${((bare / ideal - 1) * 100).toFixed(1)} %; retrieval-gate's own share: ${percent(bare)}`,
      );
    }
    console.log('  target: within 5 % of ideal');
  } finally {
    worker.postMessage('close');
    await once(worker, 'exit');
  }
}

function vectorOf(random: () => number): number[] {
  return Array.from({ length: DIMS }, () => random() * 2 - 1);
}

/**
 * The wall time of the same number of query-batch requests sent with bare `fetch` (what the Qdrant client
 * uses) and no other work: the floor that HTTP on this machine sets, against which the runner, the index
 * adapter and the client's wrapper are measured.
 */
async function bareFetchWall(
  url: string,
  queries: { vector: Float32Array }[],
  concurrency: number,
  requests: number,
  k: number,
): Promise<number> {
  const body = JSON.stringify({
    searches: queries.map((q) => ({
      query: Array.from(q.vector),
      limit: k,
      with_payload: false,
      with_vector: false,
    })),
  });
  const endpoint = `${url}/collections/bench/points/query/batch`;
  let sent = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < requests) {
        sent++;
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await response.json();
      }
    }),
  );
  return performance.now() - began;
}
