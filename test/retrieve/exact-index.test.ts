import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src/metrics/order.js';
import { seededRandom } from '../../src/metrics/random.js';
import { ExactIndex } from '../../src/retrieve/providers/indexes/exact.js';
import { TopK } from '../../src/retrieve/providers/indexes/topk.js';
import type { Distance, Hit, QueryInput } from '../../src/retrieve/types.js';

const DISTANCES: Distance[] = ['cosine', 'dot', 'euclidean'];

/** Brute force in float64: every document scored, sorted by score descending, then id descending in byte order. */
function reference(
  ids: string[],
  corpus: Float32Array,
  query: Float32Array,
  d: number,
  distance: Distance,
  k: number,
): Hit[] {
  const qNorm = Math.hypot(...query);
  const hits = ids.map((docid, i) => {
    const x = corpus.subarray(i * d, (i + 1) * d);
    let score = 0;
    if (distance === 'euclidean') {
      for (let j = 0; j < d; j++) score -= ((query[j] as number) - (x[j] as number)) ** 2;
    } else {
      for (let j = 0; j < d; j++) score += (query[j] as number) * (x[j] as number);
      if (distance === 'cosine') {
        const xNorm = Math.hypot(...x);
        score = qNorm > 0 && xNorm > 0 ? score / (qNorm * xNorm) : 0;
      }
    }
    return { docid, score };
  });
  hits.sort((a, b) => b.score - a.score || compareCodePoints(b.docid, a.docid));
  return hits.slice(0, k);
}

function randomMatrix(rows: number, d: number, random: () => number): Float32Array {
  return Float32Array.from({ length: rows * d }, () => random() * 2 - 1);
}

const asQueries = (matrix: Float32Array, d: number): QueryInput[] =>
  Array.from({ length: matrix.length / d }, (_, q) => ({
    id: `q${q}`,
    text: '',
    vector: matrix.slice(q * d, (q + 1) * d),
  }));

describe('ExactIndex', () => {
  it('matches a brute-force reference on random data, for every distance', async () => {
    const random = seededRandom(11);
    // 97 dimensions: not a multiple of 4 (rows are padded); 1,500 documents: three blocks of 655 (256 KiB);
    // 67 queries: more than a query block, with a remainder that is not a whole tile.
    const d = 97;
    const ids = Array.from({ length: 1500 }, (_, i) => `doc${i}`);
    const corpus = randomMatrix(ids.length, d, random);
    const queries = asQueries(randomMatrix(67, d, random), d);
    for (const distance of DISTANCES) {
      const index = new ExactIndex(ids, corpus, d, distance);
      const results = await index.search(queries, 10);
      results.forEach((hits, q) => {
        const expected = reference(ids, corpus, queries[q]?.vector as Float32Array, d, distance, 10);
        expect(hits.map((hit) => hit.docid)).toEqual(expected.map((hit) => hit.docid));
        hits.forEach((hit, i) => {
          expect(hit.score).toBeCloseTo(expected[i]?.score as number, 4);
        });
      });
    }
  });

  it('breaks ties by document id, descending in byte order, for every distance', async () => {
    // Small integers: every dot product and squared distance is exact in float32, and many are equal.
    // Duplicated and doubled rows tie under cosine too (doubling scales exactly).
    const random = seededRandom(5);
    const d = 6;
    const base = Float32Array.from({ length: 40 * d }, () => Math.floor(random() * 3) - 1);
    const rows = new Float32Array(120 * d);
    rows.set(base, 0);
    rows.set(base, 40 * d);
    rows.set(
      base.map((x) => 2 * x),
      80 * d,
    );
    // Ids whose byte order differs from UTF-16 order (an astral character against U+FF5E) and from length order.
    const ids = Array.from({ length: 120 }, (_, i) =>
      i % 3 === 0 ? `d${i}\u{1F600}` : i % 3 === 1 ? `d${i}\uFF5E` : `d${String(i).padStart(4, '0')}`,
    );
    const queries = asQueries(
      Float32Array.from({ length: 9 * d }, () => Math.floor(random() * 5) - 2),
      d,
    );
    for (const distance of DISTANCES) {
      const index = new ExactIndex(ids, rows, d, distance);
      const results = await index.search(queries, 25);
      results.forEach((hits, q) => {
        const expected = reference(ids, rows, queries[q]?.vector as Float32Array, d, distance, 25);
        if (distance === 'cosine') {
          // Normalised rows are rounded to float32, so different rows with mathematically equal cosines may
          // differ in the last bit: only copies of one row are sure to tie. Scores must still agree.
          hits.forEach((hit, i) => {
            expect(hit.score).toBeCloseTo(expected[i]?.score as number, 6);
          });
        } else {
          expect(hits).toEqual(expected);
        }
        for (let i = 1; i < hits.length; i++) {
          const [before, after] = [hits[i - 1] as Hit, hits[i] as Hit];
          expect(before.score).toBeGreaterThanOrEqual(after.score);
          if (before.score === after.score)
            expect(compareCodePoints(before.docid, after.docid)).toBeGreaterThan(0);
        }
      });
      const tied = results.flat().filter((hit, i, all) => i > 0 && hit.score === all[i - 1]?.score);
      expect(tied.length).toBeGreaterThan(20);
    }
  });

  it('gives a query the same scores alone or in any batch, and the same through searchVectors', async () => {
    const random = seededRandom(3);
    const d = 64;
    const ids = Array.from({ length: 300 }, (_, i) => `doc${i}`);
    const index = new ExactIndex(ids, randomMatrix(ids.length, d, random), d, 'dot');
    const queries = asQueries(randomMatrix(13, d, random), d);
    const batch = await index.search(queries, 20);
    for (const q of [0, 6, 12]) {
      const [alone] = await index.search([queries[q] as QueryInput], 20);
      expect(alone).toEqual(batch[q]);
    }
    const matrix = new Float32Array(13 * d);
    queries.forEach((query, q) => {
      matrix.set(query.vector as Float32Array, q * d);
    });
    const ranked = await index.searchVectors(matrix, 20);
    expect(ranked[4]?.docs).toHaveLength(20);
    expect(Array.from(ranked[4]?.scores ?? [])).toEqual(batch[4]?.map((hit) => hit.score));
    expect(Array.from(ranked[4]?.docs ?? [], (doc) => ids[doc])).toEqual(batch[4]?.map((hit) => hit.docid));
  });

  it('searches a corpus split over several memories exactly as one', async () => {
    const random = seededRandom(8);
    const d = 20;
    const ids = Array.from({ length: 500 }, (_, i) => `doc${i}`);
    const corpus = randomMatrix(ids.length, d, random);
    const queries = asQueries(randomMatrix(7, d, random), d);
    for (const distance of DISTANCES) {
      const whole = await new ExactIndex(ids, corpus, d, distance).search(queries, 30);
      // 80 bytes per row: 1,000 bytes hold 12 documents, so 42 shards.
      const sharded = new ExactIndex(ids, corpus, d, distance, 'sharded', { maxShardBytes: 1000 });
      expect(await sharded.search(queries, 30)).toEqual(whole);
    }
  });

  it('returns at most the corpus, nothing for k ≤ 0, and scores zero vectors 0 under cosine', async () => {
    const index = new ExactIndex(['a', 'b', 'c'], new Float32Array([1, 0, 0, 1, 0, 0]), 2, 'cosine');
    const query: QueryInput = { id: 'q', text: '', vector: new Float32Array([1, 0]) };
    expect(await index.search([query], 10)).toEqual([
      [
        { docid: 'a', score: 1 },
        { docid: 'c', score: 0 },
        { docid: 'b', score: 0 },
      ],
    ]);
    expect(await index.search([query], 0)).toEqual([[]]);
    const zero = { id: 'z', text: '', vector: new Float32Array([0, 0]) };
    expect((await index.search([zero], 3))[0]?.map((hit) => hit.score)).toEqual([0, 0, 0]);
    expect(await new ExactIndex([], new Float32Array(0), 2).search([query], 5)).toEqual([[]]);
  });

  it('describes itself and refuses inconsistent input', async () => {
    const index = new ExactIndex(['a'], new Float32Array([1, 2]), 2, 'euclidean');
    expect(index.needsVectors).toBe(true);
    expect(index.resolved).toBe('embedded:exact:euclidean');
    expect(index.size).toBe(1);
    expect(new ExactIndex(['a'], new Float32Array([1, 2]), 2, 'dot', 'embedded:x').resolved).toBe(
      'embedded:x',
    );
    expect(() => new ExactIndex(['a', 'b'], new Float32Array(3), 2)).toThrow(/need 4 numbers, got 3/);
    expect(() => new ExactIndex(['a'], new Float32Array([1, Number.NaN]), 2)).toThrow(/document 'a'/);
    await expect(index.search([{ id: 'q', text: 'no vector' }], 1)).rejects.toThrow(
      /query 'q' has no vector/,
    );
    await expect(index.search([{ id: 'q', text: '', vector: new Float32Array(3) }], 1)).rejects.toThrow(
      /3 dimensions; the index has 2/,
    );
    await expect(
      index.search([{ id: 'q', text: '', vector: new Float32Array([Number.POSITIVE_INFINITY, 0]) }], 1),
    ).rejects.toThrow(/non-finite/);
  });
});

describe('TopK', () => {
  it('keeps the k best, best first, ties by rank', () => {
    const ranks = Int32Array.from([5, 1, 4, 0, 3, 2]);
    const top = new TopK(3, ranks);
    [
      [0.5, 0],
      [0.9, 1],
      [0.5, 2],
      [0.1, 3],
      [0.9, 4],
      [0.5, 5],
    ].forEach(([score, doc]) => {
      if ((score as number) >= top.threshold) top.offer(score as number, doc as number);
    });
    const { docs, scores } = top.drain();
    // 0.9: docs 4 (rank 3) before 1 (rank 1); 0.5: doc 0 (rank 5) beats 2 (rank 4) and 5 (rank 2).
    expect(Array.from(docs)).toEqual([4, 1, 0]);
    expect(Array.from(scores)).toEqual([0.9, 0.9, 0.5]);
    expect(top.length).toBe(0);
  });
});
