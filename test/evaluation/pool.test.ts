import { describe, expect, it } from 'vitest';
import { disagreementOf, poolPairs } from '../../src/evaluation/pool.js';
import type { Qrels, Run } from '../../src/metrics/types.js';

/** A run from `qid → [docid, score][]`, in a shuffled file order: pooling ranks by score as trec_eval does. */
function run(runId: string, lists: Record<string, [string, number][]>): Run {
  const queries = new Map(
    Object.entries(lists).map(([qid, hits]) => {
      const shuffled = [...hits].reverse();
      return [qid, { docids: shuffled.map(([d]) => d), scores: shuffled.map(([, s]) => s) }];
    }),
  );
  return { runId, queries };
}

const a = run('a', {
  q1: [
    ['d1', 3],
    ['d2', 2],
    ['d3', 1],
  ],
  q2: [
    ['d5', 2],
    ['d6', 1],
  ],
  q3: [['d8', 1]],
});
const b = run('b', {
  q1: [
    ['d2', 3],
    ['d4', 2],
    ['d1', 1],
  ],
  q2: [
    ['d6', 2],
    ['d5', 1],
  ],
});
const qrels: Qrels = new Map([['q1', new Map([['d1', 0]])]]);

describe('poolPairs (TREC pooling)', () => {
  it('is the union of the top-depth lists minus the judged pairs, most useful first', () => {
    const pool = poolPairs(
      [
        { system: 'a', run: a },
        { system: 'b', run: b },
      ],
      qrels,
      2,
    );
    // q1/d1 is judged (0 counts); q1/d3 lies below the depth of 2.
    expect(pool.map((p) => `${p.qid}/${p.docid}`)).toEqual([
      'q1/d2', // both systems, rank 1, and q1's top sets differ most (Jaccard 1/3)
      'q2/d5', // both systems, rank 1, the systems agree on q2's set
      'q2/d6',
      'q3/d8', // one system, rank 1
      'q1/d4', // one system, rank 2
    ]);
    expect(pool[0]).toMatchObject({ qid: 'q1', docid: 'd2', systems: ['a', 'b'], bestRank: 1 });
    expect(pool[0]?.disagreement).toBeCloseTo(2 / 3, 12);
    expect(pool[1]?.disagreement).toBe(0);
    expect(pool[4]).toMatchObject({ systems: ['b'], bestRank: 2 });
  });

  it('reaches deeper with a larger depth, and keeps to the queries asked for', () => {
    const deep = poolPairs([{ system: 'a', run: a }], qrels, 3);
    expect(deep.map((p) => `${p.qid}/${p.docid}`)).toEqual(['q2/d5', 'q3/d8', 'q1/d2', 'q2/d6', 'q1/d3']);
    expect(poolPairs([{ system: 'a', run: a }], qrels, 3, new Set(['q3']))).toHaveLength(1);
  });

  it('measures disagreement as 1 − the mean pairwise Jaccard overlap', () => {
    expect(disagreementOf([['x', 'y']])).toBe(0);
    expect(
      disagreementOf([
        ['x', 'y'],
        ['y', 'x'],
      ]),
    ).toBe(0);
    expect(disagreementOf([['x'], ['y']])).toBe(1);
    // pairs: {x,y}/{y,z} 1/3, {x,y}/{x,y} 1, {y,z}/{x,y} 1/3 → mean overlap 5/9
    expect(
      disagreementOf([
        ['x', 'y'],
        ['y', 'z'],
        ['x', 'y'],
      ]),
    ).toBeCloseTo(4 / 9, 12);
  });
});
