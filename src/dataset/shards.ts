import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';

/** Shard I of N (1-based, as CI matrices count: `--shard 1/4` … `--shard 4/4`). */
export interface Shard {
  index: number;
  count: number;
}

/** "I/N" → a shard; anything else (0/4, 5/4, 1.5/2, 2) is refused with the form expected. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new UserError(
      `${flag} '${text}' is not a shard: write I/N with 1 ≤ I ≤ N, e.g. ${flag} 1/4 … ${flag} 4/4`,
    );
  }
  return { index, count };
}

/**
 * The shard (1…count) an id belongs to: the first 4 bytes of its sha256, mod count. It depends on the id
 * alone, so adding queries or documents elsewhere never moves an id to another shard.
 */
export function shardOf(id: string, count: number): number {
  return (createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % count) + 1;
}

/** The ids of `items` that fall in `shard`, in their order. */
export function inShard<T extends { id: string }>(items: readonly T[], shard: Shard): T[] {
  return items.filter((item) => shardOf(item.id, shard.count) === shard.index);
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** The shards of 1…count not in `present`, in order. */
export function missingShards(present: ReadonlySet<number>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
}

/** "shard 2/3" or "shards 1/3, 2/3": shards of one count, as messages name them. */
export function shardsPhrase(indexes: readonly number[], count: number): string {
  const labels = indexes.map((index) => shardLabel({ index, count })).join(', ');
  return `shard${indexes.length > 1 ? 's' : ''} ${labels}`;
}
