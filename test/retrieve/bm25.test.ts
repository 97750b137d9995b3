import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src/metrics/order.js';
import { seededRandom } from '../../src/metrics/random.js';
import {
  BM25_DEFAULTS,
  Bm25Index,
  inverseDocumentFrequency,
} from '../../src/retrieve/providers/indexes/bm25.js';
import { LexicalReranker } from '../../src/retrieve/providers/rerankers/lexical.js';
import type { Candidate, CorpusDocument, QueryInput } from '../../src/retrieve/types.js';

/**
 * Terms after tokenising (stopwords gone), lengths, N = 4, avgdl = (3 + 4 + 2 + 2) / 4 = 2.75.
 * df: brake 2, cable 2, chain 2, pads 1, worn 1, lever 1, lube 1.
 */
const CORPUS: CorpusDocument[] = [
  { id: 'd1', text: 'Brake pads worn' }, // brake pads worn (3)
  { id: 'd2', text: 'Brake cable, brake lever' }, // brake cable brake lever (4)
  { id: 'd3', text: 'Chain lube' }, // chain lube (2)
  { id: 'd4', text: 'The chain is on the cable' }, // chain cable (2)
];

/** Lucene's idf and the Okapi BM25 term score written out with k1 = 0.9, b = 0.4, N = 4, avgdl = 2.75. */
const idf = (df: number) => Math.log(1 + (4 - df + 0.5) / (df + 0.5));
const norm = (length: number) => 0.9 * (1 - 0.4 + (0.4 * length) / 2.75);
const term = (df: number, tf: number, length: number) => (idf(df) * tf * (0.9 + 1)) / (tf + norm(length));

const query = (text: string, id = 'q'): QueryInput => ({ id, text });

async function searchOne(index: Bm25Index, text: string, k = 10) {
  const [hits] = await index.search([query(text)], k);
  return hits ?? [];
}

describe('Bm25Index', () => {
  const index = new Bm25Index(CORPUS, { k1: 0.9, b: 0.4 });

  it('describes itself with its parameters and needs no vectors', () => {
    expect(index.resolved).toBe('bm25:k1=0.9,b=0.4,docs=4');
    expect(index.needsVectors).toBe(false);
    expect(new Bm25Index(CORPUS, { k1: 1.2, b: 0.75 }).resolved).toBe('bm25:k1=1.2,b=0.75,docs=4');
    expect(new Bm25Index(CORPUS).resolved).toBe(new Bm25Index(CORPUS, BM25_DEFAULTS).resolved);
    expect(index.averageLength).toBe(2.75);
    expect(index.documentFrequency('brake')).toBe(2);
    expect(index.documentFrequency('the')).toBe(0);
  });

  it('scores with Lucene idf, k1 saturation and b length normalisation', async () => {
    const hits = await searchOne(index, 'brake cable');
    const expected = {
      d2: term(2, 2, 4) + term(2, 1, 4), // brake ×2, cable ×1, length 4
      d4: term(2, 1, 2), // cable, length 2
      d1: term(2, 1, 3), // brake, length 3
    };
    expect(hits.map((h) => h.docid)).toEqual(['d2', 'd4', 'd1']);
    for (const hit of hits) expect(hit.score).toBeCloseTo(expected[hit.docid as keyof typeof expected], 12);
    // The same numbers as literals, in case the helpers above and the index share a mistake.
    expect(hits.map((h) => h.score)).toEqual([
      expect.closeTo(1.497933289886, 10),
      expect.closeTo(0.7309170572, 10),
      expect.closeTo(0.681409975245, 10),
    ]);
  });

  it('gives rare terms a higher idf, and a term in every document a small positive one', async () => {
    expect(inverseDocumentFrequency(4, 1)).toBeCloseTo(Math.log(1 + 3.5 / 1.5), 12);
    expect(inverseDocumentFrequency(4, 4)).toBeCloseTo(Math.log(1 + 0.5 / 4.5), 12);
    expect(inverseDocumentFrequency(4, 4)).toBeGreaterThan(0);
    const [lube] = await searchOne(index, 'lube');
    expect(lube).toEqual({ docid: 'd3', score: expect.closeTo(term(1, 1, 2), 12) });
  });

  it('counts a repeated query word as many times as it occurs (as Lucene does)', async () => {
    const once = await searchOne(index, 'lube');
    const twice = await searchOne(index, 'lube LUBE');
    expect(twice[0]?.score).toBeCloseTo(2 * (once[0]?.score as number), 12);
  });

  it('returns only the documents that share a term when k is larger', async () => {
    const hits = await searchOne(index, 'lube pads', 100);
    // Both terms have df 1; d3 is the shorter document (2 terms against 3), so it comes first.
    expect(hits).toEqual([
      { docid: 'd3', score: expect.closeTo(term(1, 1, 2), 12) },
      { docid: 'd1', score: expect.closeTo(term(1, 1, 3), 12) },
    ]);
  });

  it('cuts the list at k', async () => {
    expect((await searchOne(index, 'brake cable', 2)).map((h) => h.docid)).toEqual(['d2', 'd4']);
    expect(await searchOne(index, 'brake cable', 0)).toEqual([]);
  });

  it('returns no hits, not an error, for stopword-only, unknown-word and empty queries', async () => {
    const hits = await index.search(
      [query('the is on', 'a'), query('xyzzy frobnicate', 'b'), query('', 'c')],
      10,
    );
    expect(hits).toEqual([[], [], []]);
  });

  it('answers several queries in their order, each independent of the others', async () => {
    const hits = await index.search([query('lube'), query('brake cable'), query('lube')], 10);
    expect(hits.map((list) => list.map((h) => h.docid))).toEqual([['d3'], ['d2', 'd4', 'd1'], ['d3']]);
    expect(hits[2]).toEqual(hits[0]);
  });

  it('breaks score ties by document id, descending in byte order (as trec_eval)', async () => {
    // U+1F600 sorts before U+FF5E in UTF-16 units but after it in bytes: byte order puts it first.
    const ids = ['a', 'b', '\u{1F600}', '\uFF5E', 'B', 'aa'];
    const tied = new Bm25Index(ids.map((id) => ({ id, text: 'same words here' })));
    const hits = await searchOne(tied, 'words', 10);
    expect(new Set(hits.map((h) => h.score)).size).toBe(1);
    expect(hits.map((h) => h.docid)).toEqual(['\u{1F600}', '\uFF5E', 'b', 'aa', 'a', 'B']);
    expect((await searchOne(tied, 'words', 2)).map((h) => h.docid)).toEqual(['\u{1F600}', '\uFF5E']);
  });

  it('matches accented and CJK text whatever its Unicode form', async () => {
    const unicode = new Bm25Index([
      { id: 'fr', text: 'Réglage du dérailleur' },
      { id: 'zh', text: '自行车刹车调整' },
      { id: 'ja', text: 'ブレーキの調整' },
      { id: 'en', text: 'derailleur adjustment' },
    ]);
    expect((await searchOne(unicode, 'DE\u0301RAILLEUR')).map((h) => h.docid)).toEqual(['fr']);
    expect((await searchOne(unicode, '刹车')).map((h) => h.docid)).toEqual(['zh']);
    expect((await searchOne(unicode, 'ブレーキ')).map((h) => h.docid)).toEqual(['ja']);
    // 調整 / 调整 share 整 only: both documents match, the one with both characters first.
    expect((await searchOne(unicode, '调整')).map((h) => h.docid)).toEqual(['zh', 'ja']);
  });

  it('ranks like a full sort of every document scored (heap top-k is exact)', async () => {
    const corpus = randomCorpus(500, 7);
    const big = new Bm25Index(corpus);
    const random = seededRandom(11);
    for (let q = 0; q < 20; q++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 4) }, () => word(random)).join(' ');
      const all = big.scoreDocuments(
        text,
        corpus.map((doc) => doc.id),
      );
      const expected = corpus
        .map((doc, i) => ({ docid: doc.id, score: all[i] as number }))
        .filter((hit) => hit.score > 0)
        .sort((x, y) => y.score - x.score || compareCodePoints(y.docid, x.docid))
        .slice(0, 25);
      expect(await searchOne(big, text, 25)).toEqual(expected);
    }
  });

  it("reproduces the example dataset's BM25 run (bike-repair 1.0.0, k1 = 0.9, b = 0.4)", async () => {
    const dir = new URL('../../datasets/bike-repair/1.0.0/', import.meta.url);
    const lines = (file: string) => readFileSync(new URL(file, dir), 'utf8').trim().split('\n');
    const corpus = lines('corpus.jsonl')
      .map((line) => JSON.parse(line) as { id: string; title: string; text: string })
      .map((doc) => ({ id: doc.id, text: `${doc.title} ${doc.text}` }));
    const queries = lines('queries.jsonl').map((line) => JSON.parse(line) as QueryInput);
    // The run prints 4 decimals and breaks ties by docid ascending (we break them descending, as
    // trec_eval): the scores come in the same order, and each document has the run's score, except
    // where a tie straddles the cut at 100, whose other side each list keeps.
    const expected = new Map<string, { docid: string; score: string }[]>();
    for (const line of lines('runs/bm25.trec')) {
      const [qid = '', , docid = '', , score = ''] = line.split(/\s+/);
      expected.set(qid, [...(expected.get(qid) ?? []), { docid, score }]);
    }
    const runs = await new Bm25Index(corpus).search(queries, 100);
    let compared = 0;
    queries.forEach((q, i) => {
      const hits = (runs[i] ?? []).map((h) => ({ docid: h.docid, score: h.score.toFixed(4) }));
      const reference = expected.get(q.id) ?? [];
      expect(
        hits.map((h) => h.score),
        q.id,
      ).toEqual(reference.map((h) => h.score));
      const referenceScore = new Map(reference.map((h) => [h.docid, h.score]));
      const cut = reference.at(-1)?.score;
      for (const hit of hits) {
        expect(referenceScore.get(hit.docid) ?? (reference.length === 100 ? cut : 'missing'), q.id).toBe(
          hit.score,
        );
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(5000);
  });

  it('handles an empty corpus and empty documents', async () => {
    expect(await searchOne(new Bm25Index([]), 'brake')).toEqual([]);
    const withEmpty = new Bm25Index([
      { id: 'empty', text: '' },
      { id: 'x', text: 'brake' },
    ]);
    expect((await searchOne(withEmpty, 'brake')).map((h) => h.docid)).toEqual(['x']);
  });

  it('rejects parameters outside their range', () => {
    expect(() => new Bm25Index(CORPUS, { k1: -1, b: 0.4 })).toThrow(/k1/);
    expect(() => new Bm25Index(CORPUS, { k1: Number.POSITIVE_INFINITY, b: 0.4 })).toThrow(/k1/);
    expect(() => new Bm25Index(CORPUS, { k1: 0.9, b: 1.5 })).toThrow(/b must/);
    expect(() => new Bm25Index(CORPUS, { k1: 0.9, b: Number.NaN })).toThrow(/b must/);
  });
});

describe('Bm25Index.scoreDocuments', () => {
  const index = new Bm25Index(CORPUS, { k1: 0.9, b: 0.4 });

  it('scores the given documents in their order, 0 for unknown ids and documents sharing no term', () => {
    expect(index.scoreDocuments('brake cable', ['d1', 'nope', 'd3', 'd2'])).toEqual([
      expect.closeTo(term(2, 1, 3), 12),
      0,
      0,
      expect.closeTo(term(2, 2, 4) + term(2, 1, 4), 12),
    ]);
    expect(index.scoreDocuments('the is', ['d1', 'd4'])).toEqual([0, 0]);
    expect(index.scoreDocuments('brake', [])).toEqual([]);
  });

  it('gives exactly the scores search gives', async () => {
    const hits = await searchOne(index, 'brake cable chain lube lube');
    const scores = index.scoreDocuments(
      'brake cable chain lube lube',
      hits.map((h) => h.docid),
    );
    expect(scores).toEqual(hits.map((h) => h.score));
  });
});

describe('LexicalReranker', () => {
  const index = new Bm25Index(CORPUS, { k1: 0.9, b: 0.4 });
  const reranker = new LexicalReranker(index);
  const text = new Map(CORPUS.map((doc) => [doc.id, doc.text]));
  /** First-stage hits in a deliberately wrong order, with their texts. */
  const candidates = (ids: string[]): Candidate[] =>
    ids.map((docid, i) => ({ docid, score: ids.length - i, text: text.get(docid) ?? '' }));

  it('is named after the scorer and its parameters', () => {
    expect(reranker.id).toBe('lexical-bm25:k1=0.9,b=0.4');
    expect(new LexicalReranker(new Bm25Index(CORPUS, { k1: 1.2, b: 0.75 })).id).toBe(
      'lexical-bm25:k1=1.2,b=0.75',
    );
  });

  it("scores candidates with the index's scoreDocuments and so reorders them", async () => {
    const order = ['d3', 'd1', 'd4', 'd2'];
    const { scores } = await reranker.rerank({ id: 'q', text: 'brake cable' }, candidates(order));
    expect(scores).toEqual(index.scoreDocuments('brake cable', order));
    const reranked = order
      .map((docid, i) => ({ docid, score: scores[i] as number }))
      .sort((x, y) => y.score - x.score)
      .map((c) => c.docid);
    // The same order as the BM25 search: d2 (brake ×2, cable), d4 (cable, short), d1 (brake), d3 (none).
    expect(reranked).toEqual(['d2', 'd4', 'd1', 'd3']);
    expect(scores[0]).toBe(0);
  });
});

/** A few hundred short documents over a 60-word vocabulary skewed to the first words, so ties occur. */
function randomCorpus(size: number, seed: number): CorpusDocument[] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, (_, i) => ({
    id: `doc${(i * 7919) % size}`,
    text: Array.from({ length: 1 + Math.floor(random() * 12) }, () => word(random)).join(' '),
  }));
}

function word(random: () => number): string {
  return `w${Math.floor(60 * random() ** 2)}`;
}
