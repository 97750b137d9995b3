import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalQrelsLines } from '../../src/dataset/canonical.js';

describe('canonical qrels lines (what the dataset digest hashes)', () => {
  it('are canonicalJson of each judgment, in byte order of query then document', () => {
    const qrels = new Map([
      [
        'q"2',
        new Map([
          ['é', 2],
          ['d\\1', -1],
        ]),
      ],
      [
        'q1',
        new Map([
          ['𝔸', 0],
          ['a', 3],
        ]),
      ],
    ]);
    // Byte order: '"' (0x22) before '1'; 'd' before 'é' (0xc3); 'a' before '𝔸'.
    const expected = [
      ['q"2', 'd\\1', -1],
      ['q"2', 'é', 2],
      ['q1', 'a', 3],
      ['q1', '𝔸', 0],
    ].map(([qid, docid, rel]) => canonicalJson({ qid, docid, rel }));
    expect(canonicalQrelsLines(qrels)).toEqual(expected);
  });
});

describe('canonicalJson', () => {
  it.each([
    [{ id: 'q1', text: 'a query' }, '{"id":"q1","text":"a query"}'],
    [{ text: 'a query', id: 'q1' }, '{"id":"q1","text":"a query"}'],
    [{ id: 'q1', text: 'x', skipped: undefined }, '{"id":"q1","text":"x"}'],
    [{ '\uffff': 1, 𝔸: 2 }, '{"\uffff":1,"𝔸":2}'],
    [{ 𝔸: 2, '\uffff': 1 }, '{"\uffff":1,"𝔸":2}'],
    [{ b: 1, a: { d: [{ f: 1, e: 2 }], c: null } }, '{"a":{"c":null,"d":[{"e":2,"f":1}]},"b":1}'],
    [{ '9': 'x', '10': 'y' }, '{"9":"x","10":"y"}'],
  ])('spells %j with its keys in code-point order at every level', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});
