import { compareCodePoints } from './order.js';
import { seededRandom } from './random.js';

/**
 * `size` of `ids` drawn without replacement by a seeded shuffle, returned in byte order: the same ids, size
 * and seed always give the same sample, whatever order the ids came in. All of them when size ≥ their number.
 */
export function seededSample(ids: readonly string[], size: number, seed: number): string[] {
  const pool = [...ids].sort(compareCodePoints);
  if (size >= pool.length) return pool;
  const random = seededRandom(seed);
  // A partial Fisher–Yates shuffle: the first `size` slots end up a uniform sample.
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, Math.max(0, size)).sort(compareCodePoints);
}
