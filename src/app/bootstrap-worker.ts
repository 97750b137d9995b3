/**
 * A bootstrap thread (parallel-bootstrap.ts starts it): it takes chunks of each bootstrap it is sent until
 * none is left, beside the thread that sent it, which waits for the last one.
 */
import { parentPort } from 'node:worker_threads';
import { makeFreeChunks, type SharedBootstrap } from './bootstrap-chunks.js';

parentPort?.on('message', (shared: SharedBootstrap) => {
  makeFreeChunks(shared);
});
