import { describe, expect, it } from 'vitest';
import { agreement } from '../../src/lifecycle/agreement.js';
import { completeness } from '../../src/lifecycle/completeness.js';
import type { Run } from '../../src/metrics/types.js';
import { contentDigest } from '../../src/retrieve/providers/sources/records.js';

/** A run from ranked lists (first = best). */
function run(runId: string, lists: Record<string, string[]>): Run {
  return {
    runId,
    queries: new Map(
      Object.entries(lists).map(([qid, docids]) => [qid, { docids, scores: docids.map((_, i) => 100 - i) }]),
    ),
  };
}

describe('agreement of two systems’ top k', () => {
  const live = run('live', { q1: ['a', 'b', 'c', 'd'], q2: ['a', 'b', 'c', 'd'], q3: ['x', 'y'] });
  const candidate = run('cand', { q1: ['a', 'b', 'c', 'd'], q2: ['d', 'e', 'f', 'a'], q3: ['y', 'x'] });

  it('measures the share of the top k both return, and whether the first document is the same', () => {
    const figures = agreement('judged', 4, live, candidate, (qid) => `text of ${qid}`);
    expect(figures.queries).toBe(3);
    // q1: 4/4, q2: {a, d} = 2/4, q3: both lists hold 2 documents, both shared = 2/2.
    expect(figures.meanOverlap).toBeCloseTo((1 + 0.5 + 1) / 3, 10);
    expect(figures.top1Match).toBeCloseTo(1 / 3, 10);
    expect(figures.worst[0]).toMatchObject({ qid: 'q2', overlap: 0.5, top1: false, text: 'text of q2' });
    expect(figures.worst[0]?.candidate).toEqual(['d', 'e', 'f', 'a']);
  });

  it('cuts at k, ranks by score as trec_eval does, and skips queries only one system answered', () => {
    const shuffled: Run = {
      runId: 'cand',
      queries: new Map([
        ['q1', { docids: ['z', 'a'], scores: [1, 5] }],
        ['q9', { docids: ['a'], scores: [1] }],
      ]),
    };
    const figures = agreement('sample', 1, live, shuffled, () => '');
    expect(figures).toMatchObject({ set: 'sample', k: 1, queries: 1, meanOverlap: 1, top1Match: 1 });
  });
});

describe('completeness of an index against the corpus', () => {
  const corpus = [
    { id: 'd1', text: 'one' },
    { id: 'd2', text: 'two' },
    { id: 'd3', text: 'three' },
    { id: 'd4', text: 'four' },
  ];

  it('counts missing, extra, stale (by text digest) and unknown-digest documents', () => {
    const stored = new Map([
      ['d1', contentDigest('one')],
      ['d2', contentDigest('two, edited since')],
      ['d3', ''],
      ['old', contentDigest('gone')],
    ]);
    expect(completeness(corpus, stored)).toEqual({
      corpus: 4,
      indexed: 4,
      missing: 1,
      extra: 1,
      stale: 1,
      unknownDigest: 1,
      examples: { missing: ['d4'], extra: ['old'], stale: ['d2'] },
    });
  });

  it('finds nothing wrong with an index built from this corpus', () => {
    const stored = new Map(corpus.map((doc) => [doc.id, contentDigest(doc.text)]));
    expect(completeness(corpus, stored)).toMatchObject({ missing: 0, extra: 0, stale: 0, unknownDigest: 0 });
  });
});
