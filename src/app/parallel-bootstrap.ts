import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type BootstrapOptions,
  bootstrapMeanIntervals,
  bootstrapPlan,
  type Interval,
  type MeanIntervals,
  planIntervals,
} from '../metrics/bootstrap.js';
import { PACKAGE_ROOT } from '../package-root.js';
import {
  makeChunk,
  makeFreeChunks,
  sharedBootstrap,
  unfinishedChunks,
  waitForChunks,
} from './bootstrap-chunks.js';

/**
 * Below this many draws (queries × resamples) a bootstrap takes no longer than a thread's start (~50 ms):
 * it is made on the calling thread alone. 100,000 queries × 1,000 resamples, about a second on one core,
 * is shared.
 */
const SHARED_FROM_DRAWS = 20_000_000;
/** Threads beyond the caller's: the bootstrap gains little past four, and each costs its own heap. */
const MAX_WORKERS = 3;
/** Chunks per thread: enough that a late or busy thread leaves its share to the others. */
const CHUNKS_PER_THREAD = 16;
/** How long a chunk a thread took may go unfinished before the caller makes it itself. */
const PATIENCE_MS = 10_000;

let pool: Worker[] | undefined;

/**
 * bootstrapMeanIntervals, its resamples shared with worker threads when the machine has cores to spare and
 * the bootstrap is large enough to gain: the same intervals, bit for bit. Synchronous, as its callers are:
 * this thread makes chunks too, then waits for the rest.
 */
export const parallelMeanIntervals: MeanIntervals = (columns, options) => {
  const draws = (columns[0]?.length ?? 0) * options.samples;
  const workers = draws >= SHARED_FROM_DRAWS ? bootstrapWorkers() : [];
  if (workers.length === 0) return bootstrapMeanIntervals(columns, options);
  return sharedMeanIntervals(columns, options, workers).intervals;
};

/**
 * Starts the workers a bootstrap of this many queries and resamples will be shared with (when it will be),
 * so that they are ready when it begins: a caller that knows the size early (the judged queries) hides
 * their start behind its own reading.
 */
export function prepareSharedBootstrap(queries: number, samples: number): void {
  if (queries * samples >= SHARED_FROM_DRAWS) bootstrapWorkers();
}

/**
 * The bootstrap made by these workers and (unless `callerWorks` is false) this thread; `madeHere` is how
 * many resamples this thread made, its own share and any a stalled worker left.
 */
export function sharedMeanIntervals(
  columns: Float64Array[],
  options: BootstrapOptions,
  workers: Worker[],
  callerWorks = true,
): { intervals: (Interval | undefined)[]; madeHere: number } {
  const plan = bootstrapPlan(columns, options, sharedFloats);
  if (plan === undefined) return { intervals: columns.map(() => undefined), madeHere: 0 };
  const shared = sharedBootstrap(plan, CHUNKS_PER_THREAD * (workers.length + 1));
  for (const worker of workers) worker.postMessage(shared);
  let madeHere = callerWorks ? makeFreeChunks(shared) : 0;
  if (!waitForChunks(shared, PATIENCE_MS)) {
    // A worker stopped or stalled on the chunks it took: they are made here, and no worker is asked again.
    retire(workers);
    for (const c of unfinishedChunks(shared)) madeHere += makeChunk(shared, c);
  }
  return { intervals: planIntervals(plan, columns.length, options.confidence), madeHere };
}

/**
 * A bootstrap worker thread, started now, or undefined when its script is not there (the sources run
 * unbuilt). It never keeps the process alive, and one that fails to start is left out of the pool.
 */
export function startBootstrapWorker(): Worker | undefined {
  const script = workerScript();
  if (script === undefined) return undefined;
  const worker = new Worker(script);
  worker.unref();
  worker.on('error', () => {
    pool = pool?.filter((w) => w !== worker);
  });
  return worker;
}

function bootstrapWorkers(): Worker[] {
  pool ??= Array.from(
    { length: Math.min(MAX_WORKERS, availableParallelism() - 1) },
    startBootstrapWorker,
  ).filter((worker): worker is Worker => worker !== undefined);
  return pool;
}

function retire(workers: Worker[]): void {
  for (const worker of workers) void worker.terminate();
  pool = pool?.filter((worker) => !workers.includes(worker));
}

/**
 * The worker's script: beside this module when built; the tests run the sources, and `npm test` builds
 * first, so there it is the built one.
 */
function workerScript(): string | undefined {
  const beside = fileURLToPath(new URL('./bootstrap-worker.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = join(PACKAGE_ROOT, 'dist', 'src', 'app', 'bootstrap-worker.js');
  return existsSync(built) ? built : undefined;
}

function sharedFloats(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}
