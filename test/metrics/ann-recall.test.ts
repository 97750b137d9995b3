import { describe, expect, it } from 'vitest';
import { annRecall, annRecallName } from '../../src/metrics/ann-recall.js';
import { seededSample } from '../../src/metrics/sample.js';

/** A ranking from "doc:score" pairs, best first. */
function ranking(...pairs: string[]) {
  return {
    docids: pairs.map((p) => p.split(':')[0] as string),
    scores: pairs.map((p) => Number(p.split(':')[1])),
  };
}

describe('ANNRecall@k', () => {
  const exact = ranking('a:0.9', 'b:0.8', 'c:0.7', 'd:0.6', 'e:0.5');

  it('is the share of the exact top k that the approximate top k holds', () => {
    expect(annRecall(exact, exact, 3)).toBe(1);
    expect(annRecall(ranking('a:0.9', 'c:0.7', 'e:0.5'), exact, 3)).toBeCloseTo(2 / 3, 12);
    expect(annRecall(ranking('x:0.4', 'y:0.3', 'z:0.2'), exact, 3)).toBe(0);
    // Order inside the top k does not matter; what lies below k does not count.
    expect(annRecall(ranking('c:0.7', 'b:0.8', 'a:0.9', 'd:0.6'), exact, 3)).toBe(1);
    expect(annRecall(ranking('x:0.4', 'y:0.3', 'z:0.2', 'a:0.9'), exact, 3)).toBe(0);
  });

  it('counts a document tied with the k-th exact score as a hit (ann-benchmarks)', () => {
    const tiedExact = ranking('a:0.9', 'b:0.8', 'c:0.7', 'c2:0.7');
    // c2 ties with c at the boundary: the exact search could as well have returned it.
    expect(annRecall(ranking('a:0.9', 'b:0.8', 'c2:0.7'), tiedExact, 3)).toBe(1);
    // The same distance from two code paths, apart in the last float bits, is still a tie.
    expect(annRecall(ranking('a:0.9', 'b:0.8', 'z:0.70000001'), tiedExact, 3)).toBe(1);
    expect(annRecall(ranking('a:0.9', 'b:0.8', 'z:0.69'), tiedExact, 3)).toBeCloseTo(2 / 3, 12);
  });

  it('counts missing results as misses, and a document listed twice once', () => {
    expect(annRecall(ranking('a:0.9'), exact, 3)).toBeCloseTo(1 / 3, 12);
    expect(annRecall(ranking('a:0.9', 'a:0.9', 'a:0.9'), exact, 3)).toBeCloseTo(1 / 3, 12);
    expect(annRecall(ranking(), exact, 3)).toBe(0);
  });

  it('takes a shorter exact answer as the whole answer, and nothing to find as nothing lost', () => {
    const two = ranking('a:0.9', 'b:0.8');
    expect(annRecall(ranking('a:0.9', 'b:0.8'), two, 10)).toBe(1);
    expect(annRecall(ranking('b:0.8'), two, 10)).toBe(0.5);
    expect(annRecall(ranking(), ranking(), 10)).toBe(1);
  });

  it('prints canonically', () => {
    expect(annRecallName(10)).toBe('ANNRecall@10');
  });
});

describe('seededSample', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `q${i}`);

  it('draws the same ids for the same seed whatever their order, in byte order', () => {
    const sample = seededSample(ids, 10, 42);
    expect(sample).toHaveLength(10);
    expect(new Set(sample).size).toBe(10);
    expect(seededSample([...ids].reverse(), 10, 42)).toEqual(sample);
    expect([...sample].sort()).toEqual(sample);
    expect(seededSample(ids, 10, 43)).not.toEqual(sample);
  });

  it('takes every id when the sample is as large as they are', () => {
    expect(seededSample(ids, 200, 1)).toEqual([...ids].sort());
  });
});
