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
