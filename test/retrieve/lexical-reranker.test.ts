import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/metrics/random.js';
import { Bm25Index } from '../../src/retrieve/providers/indexes/bm25.js';
import { LexicalReranker } from '../../src/retrieve/providers/rerankers/lexical.js';
import type { Candidate, CorpusDocument } from '../../src/retrieve/types.js';

const CORPUS: CorpusDocument[] = [
  { id: 'd1', text: 'Brake pads worn' },
  { id: 'd2', text: 'Brake cable, brake lever' },
  { id: 'd3', text: 'Chain lube' },
  { id: 'd4', text: 'The chain is on the cable' },
];
const TEXT = new Map(CORPUS.map((doc) => [doc.id, doc.text]));

/** Candidates as the runner hands them over: first-stage hits with the corpus text. */
function candidates(ids: string[]): Candidate[] {
  return ids.map((docid, i) => ({ docid, score: ids.length - i, text: TEXT.get(docid) ?? '' }));
}

describe('LexicalReranker', () => {
  it('names the scorer and its parameters', () => {
    expect(LexicalReranker.fromCorpus(CORPUS).id).toBe('lexical-bm25:k1=0.9,b=0.4');
    expect(LexicalReranker.fromCorpus(CORPUS, { k1: 1.2, b: 0.75 }).id).toBe('lexical-bm25:k1=1.2,b=0.75');
  });

  it('scores candidates in their given order, so the best goes first once sorted', async () => {
    const reranker = LexicalReranker.fromCorpus(CORPUS);
    const { scores } = await reranker.rerank({ id: 'q', text: 'brake' }, candidates(['d3', 'd1', 'd2']));
    expect(scores).toHaveLength(3);
    // d3 has no "brake"; d2 has it twice (4 terms), d1 once (3 terms).
    expect(scores[0]).toBe(0);
    expect(scores[2]).toBeGreaterThan(scores[1] as number);
    expect(scores[1]).toBeGreaterThan(0);
  });

  it('uses the whole corpus for idf and average length, not the candidate list', async () => {
    const reranker = LexicalReranker.fromCorpus(CORPUS);
    const { scores } = await reranker.rerank({ id: 'q', text: 'lube' }, candidates(['d3']));
    // idf over N = 4 with df = 1; d3 has 2 terms against avgdl 2.75.
    const idf = Math.log(1 + (4 - 1 + 0.5) / (1 + 0.5));
    expect(scores[0]).toBeCloseTo((idf * (0.9 + 1)) / (1 + 0.9 * (1 - 0.4 + (0.4 * 2) / 2.75)), 12);
  });

  it('gives exactly the scores the BM25 index gives the same documents', async () => {
    const index = new Bm25Index(CORPUS);
    const reranker = new LexicalReranker(index);
    const [hits = []] = await index.search([{ id: 'q', text: 'brake cable chain' }], 10);
    const { scores } = await reranker.rerank(
      { id: 'q', text: 'brake cable chain' },
      candidates(hits.map((h) => h.docid)),
    );
    expect(scores).toEqual(hits.map((h) => h.score));
  });

  it('agrees with a separately built index on a larger corpus, for every query', async () => {
    const random = seededRandom(3);
    const word = () => `w${Math.floor(80 * random() ** 2)}`;
    const corpus = Array.from({ length: 400 }, (_, i) => ({
      id: `doc${i}`,
      text: Array.from({ length: 1 + Math.floor(random() * 15) }, word).join(' '),
    }));
    const texts = new Map(corpus.map((doc) => [doc.id, doc.text]));
    const index = new Bm25Index(corpus);
    const reranker = LexicalReranker.fromCorpus(corpus);
    for (let q = 0; q < 25; q++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 5) }, word).join(' ');
      const [hits = []] = await index.search([{ id: `q${q}`, text }], 50);
      const list = hits.map((h) => ({ ...h, text: texts.get(h.docid) ?? '' }));
      const { scores } = await reranker.rerank({ id: `q${q}`, text }, list);
      expect(scores).toEqual(hits.map((h) => h.score));
    }
  });

  it('scores 0 for a query of stopwords and for a candidate with no text', async () => {
    const reranker = LexicalReranker.fromCorpus(CORPUS);
    expect((await reranker.rerank({ id: 'q', text: 'the is' }, candidates(['d1', 'd4']))).scores).toEqual([
      0, 0,
    ]);
    expect((await reranker.rerank({ id: 'q', text: 'brake' }, candidates(['unknown']))).scores).toEqual([0]);
    expect((await reranker.rerank({ id: 'q', text: 'brake' }, [])).scores).toEqual([]);
  });
});
