import { type BootstrapPlan, resampleMeans } from '../metrics/bootstrap.js';

/**
 * A bootstrap shared among threads: its plan in shared memory and its resamples in chunks, each taken by
 * whichever thread is free (a busy or late thread takes fewer). A resample's means depend on its number
 * alone, so who makes which chunk never changes a bit of the result, and a chunk made twice is harmless.
 */
export interface SharedBootstrap {
  plan: BootstrapPlan;
  /** Resamples per chunk. */
  chunk: number;
  /** [next chunk to take, chunks done (what waiting threads watch), then each chunk's state]. */
  control: Int32Array;
}

const NEXT = 0;
const DONE = 1;
const STATES = 2;
const CHUNK_DONE = 1;

/** The shared state of a bootstrap of this plan, cut into `chunks` parts (fewer when it has fewer resamples). */
export function sharedBootstrap(plan: BootstrapPlan, chunks: number): SharedBootstrap {
  const chunk = Math.max(1, Math.ceil(plan.samples / chunks));
  const count = Math.ceil(plan.samples / chunk);
  return { plan, chunk, control: new Int32Array(new SharedArrayBuffer((STATES + count) * 4)) };
}

/** How many chunks the bootstrap has. */
export function chunkCount(shared: SharedBootstrap): number {
  return shared.control.length - STATES;
}

/** Takes and makes chunks until none is left to take; returns how many resamples this thread made. */
export function makeFreeChunks(shared: SharedBootstrap): number {
  let made = 0;
  for (
    let c = Atomics.add(shared.control, NEXT, 1);
    c < chunkCount(shared);
    c = Atomics.add(shared.control, NEXT, 1)
  ) {
    made += makeChunk(shared, c);
  }
  return made;
}

/** Makes chunk c (again, if another thread made it or is making it: the same bits), marks it, wakes waiters. */
export function makeChunk(shared: SharedBootstrap, c: number): number {
  const { plan, chunk, control } = shared;
  const from = c * chunk;
  const to = Math.min(plan.samples, from + chunk);
  resampleMeans(plan, from, to);
  Atomics.store(control, STATES + c, CHUNK_DONE);
  Atomics.add(control, DONE, 1);
  Atomics.notify(control, DONE);
  return to - from;
}

/** The chunks not marked done yet. */
export function unfinishedChunks(shared: SharedBootstrap): number[] {
  const left: number[] = [];
  for (let c = 0; c < chunkCount(shared); c++) {
    if (Atomics.load(shared.control, STATES + c) !== CHUNK_DONE) left.push(c);
  }
  return left;
}

/**
 * Waits until every chunk is done or `patienceMs` pass with none finishing; returns whether all are done
 * (false: a thread that took chunks has stopped or stalled, and the caller makes what it left).
 */
export function waitForChunks(shared: SharedBootstrap, patienceMs: number): boolean {
  const { control } = shared;
  // Until the caller makes a stalled thread's chunks, each chunk is taken, so made, once: the count says it.
  for (
    let done = Atomics.load(control, DONE);
    done < chunkCount(shared);
    done = Atomics.load(control, DONE)
  ) {
    if (Atomics.wait(control, DONE, done, patienceMs) === 'timed-out') return false;
  }
  return true;
}
