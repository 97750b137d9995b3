import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from '../../src/dataset/shards.js';

describe('shards', () => {
  it('puts an id in the shard its sha256 names, whatever else is in the set', () => {
    // Pinned: a change here moves queries between the shards of runs already under way.
    expect(['q01', 'q02', 'q03', 'd001', 'ü'].map((id) => shardOf(id, 4))).toEqual([3, 4, 4, 2, 3]);
    const expected = (createHash('sha256').update('q01').digest().readUInt32BE(0) % 7) + 1;
    expect(shardOf('q01', 7)).toBe(expected);
    const ids = Array.from({ length: 200 }, (_, i) => ({ id: `q${i}` }));
    const before = inShard(ids, { index: 2, count: 3 }).map((q) => q.id);
    const grown = inShard([...ids, { id: 'new-1' }, { id: 'new-2' }], { index: 2, count: 3 }).map(
      (q) => q.id,
    );
    expect(grown.filter((id) => !id.startsWith('new'))).toEqual(before);
  });

  it('splits a set into N disjoint slices that cover it, none empty on a few hundred ids', () => {
    const ids = Array.from({ length: 300 }, (_, i) => ({ id: `doc-${i}` }));
    const slices = [1, 2, 3, 4].map((index) => inShard(ids, { index, count: 4 }));
    expect(
      slices
        .flat()
        .map((d) => d.id)
        .sort(),
    ).toEqual(ids.map((d) => d.id).sort());
    expect(slices.every((slice) => slice.length > 40)).toBe(true);
  });

  it('reads I/N and refuses anything else, saying what it expects', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1.5/2', '2', '1/0', '-1/3', 'a/b']) {
      expect(() => parseShard(bad)).toThrow(`--shard '${bad}' is not a shard: write I/N with 1 ≤ I ≤ N`);
    }
  });
});
