import { compareCodePoints } from '../../../metrics/order.js';
import type { CorpusDocument, Hit, Index, QueryInput } from '../../types.js';
import { tokenize } from '../text/tokenize.js';
import { batchSizeOf } from './batch-size.js';
import { buildPostings } from './postings.js';

export interface Bm25Options {
  /** Term-frequency saturation, ≥ 0 (0: a term counts once however often it occurs). */
  k1: number;
  /** Length normalisation, 0 (none) to 1 (full). */
  b: number;
}

/**
 * Pyserini's and Anserini's defaults. They were tuned on MS MARCO passages and hold up on short passages
 * generally, which is what retrieval evaluation sets mostly hold; Lucene's own defaults (1.2, 0.75) suit
 * longer documents. Using Pyserini's values makes this index a baseline people can reproduce.
 */
export const BM25_DEFAULTS: Readonly<Bm25Options> = { k1: 0.9, b: 0.4 };

/**
 * Queries per runner batch. Queries are scored one after the other either way; a batch spares the runner's
 * per-call work (a promise, a turn of the event loop) while keeping each call short (~0.1 s at 100,000
 * documents), so progress and signals are still handled.
 */
export const BM25_BATCH_SIZE = 64;

/** A query term present in the corpus: its id and its weight (occurrences in the query × idf × (k1 + 1)). */
interface QueryTerm {
  term: string;
  id: number;
  weight: number;
}

/**
 * In-process Okapi BM25 over the corpus texts:
 *
 *   score(q, d) = Σ_{t ∈ q} qtf(t) · idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 − b + b · |d| / avgdl))
 *   idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
 *
 * - N is the number of documents, df(t) the number containing t, tf(t, d) the occurrences of t in d, |d|
 *   the number of terms of d after stopwords are dropped, avgdl the mean |d| over the corpus.
 * - idf is Lucene's: always positive, so every document that shares a term with the query scores above 0
 *   and documents sharing none are not hits.
 * - qtf(t) is how often t occurs in the query: a repeated query word counts that many times, as Lucene's
 *   query parser (one clause per occurrence) and Anserini's bag-of-words query (boost = count) both do.
 * - The numerator keeps Okapi's (k1 + 1). Lucene dropped it in 8.0 (it scales every score alike), so
 *   Pyserini's scores are these divided by k1 + 1; rankings are the same. Keeping it reproduces the
 *   example dataset's run (datasets/bike-repair/1.0.0/runs/bm25.trec) score for score.
 * - Unlike Lucene, document lengths are exact (Lucene stores them in one lossy byte) and arithmetic is in
 *   64-bit floats, so scores can differ slightly from Pyserini's beyond that factor.
 *
 * Terms come from `tokenize` (../text/tokenize.ts). Postings (postings.ts) are typed arrays sorted by
 * document; a query accumulates scores per document and keeps the best k in a bounded heap. Equal scores
 * rank by document id, descending in byte order, as trec_eval breaks ties, so the run file evaluates as it
 * was ranked.
 */
export class Bm25Index implements Index {
  readonly needsVectors = false;
  readonly batchSize: number;
  /** One thread: batches run one after the other. */
  readonly concurrency = 1;
  readonly inProcess = true;
  readonly resolved: string;
  readonly k1: number;
  readonly b: number;
  /** Number of documents. */
  readonly size: number;
  /** Mean document length in terms. */
  readonly averageLength: number;

  private readonly ids: string[];
  /** Document id → its index (the first, should ids repeat). */
  private readonly documentIndex = new Map<string, number>();
  private readonly terms: Map<string, number>;
  /** Per term: idf. */
  private readonly idf: Float64Array;
  /** Per term: where its postings start in `postingDocs`/`postingTfs` (length = terms + 1). */
  private readonly postingStart: Int32Array;
  /** Document indexes, ascending within each term. */
  private readonly postingDocs: Int32Array;
  private readonly postingTfs: Uint16Array | Uint32Array;
  /** Per document: k1 · (1 − b + b · |d| / avgdl), the tf saturation point. */
  private readonly lengthNorms: Float64Array;
  /** Per document: its id's position in byte order, to break score ties without comparing strings. */
  private readonly idRanks: Int32Array;
  /** Reused by every query: scores per document, and the documents touched. */
  private readonly accumulator: Float64Array;
  private readonly touched: Int32Array;

  constructor(
    corpus: readonly CorpusDocument[],
    options: Bm25Options = BM25_DEFAULTS,
    batchSize: number = BM25_BATCH_SIZE,
  ) {
    const { k1, b } = options;
    this.batchSize = batchSizeOf(batchSize);
    if (!(Number.isFinite(k1) && k1 >= 0)) throw new RangeError(`BM25 k1 must be a number ≥ 0, got ${k1}`);
    if (!(b >= 0 && b <= 1)) throw new RangeError(`BM25 b must be between 0 and 1, got ${b}`);
    this.k1 = k1;
    this.b = b;
    this.resolved = `bm25:k1=${k1},b=${b},docs=${corpus.length}`;
    this.size = corpus.length;
    this.ids = corpus.map((doc) => doc.id);
    this.ids.forEach((id, d) => {
      if (!this.documentIndex.has(id)) this.documentIndex.set(id, d);
    });

    const postings = buildPostings(corpus);
    this.terms = postings.terms;
    this.postingStart = postings.start;
    this.postingDocs = postings.docs;
    this.postingTfs = postings.tfs;
    const { df, lengths } = postings;
    const termCount = this.terms.size;
    let totalLength = 0;
    for (const length of lengths) totalLength += length;
    this.averageLength = corpus.length === 0 ? 0 : totalLength / corpus.length;

    this.idf = new Float64Array(termCount);
    for (let t = 0; t < termCount; t++) this.idf[t] = inverseDocumentFrequency(this.size, df[t] as number);
    this.lengthNorms = new Float64Array(corpus.length);
    for (let d = 0; d < corpus.length; d++) this.lengthNorms[d] = this.lengthNorm(lengths[d] as number);

    this.idRanks = new Int32Array(corpus.length);
    const byId = Array.from({ length: corpus.length }, (_, d) => d);
    byId.sort((x, y) => compareCodePoints(this.ids[x] as string, this.ids[y] as string));
    byId.forEach((d, rank) => {
      this.idRanks[d] = rank;
    });

    this.accumulator = new Float64Array(corpus.length);
    this.touched = new Int32Array(corpus.length);
  }

  /** Number of distinct terms in the corpus. */
  get vocabularySize(): number {
    return this.terms.size;
  }

  /** Documents containing `term` (after normalisation: pass a token from `tokenize`). */
  documentFrequency(term: string): number {
    const id = this.terms.get(term);
    return id === undefined ? 0 : (this.postingStart[id + 1] as number) - (this.postingStart[id] as number);
  }

  async search(queries: QueryInput[], k: number): Promise<Hit[][]> {
    return queries.map((query) => this.searchOne(query.text, k));
  }

  /** The top k documents for one query text, best first; fewer when fewer documents share a term with it. */
  searchOne(text: string, k: number): Hit[] {
    const limit = Math.min(Math.floor(k), this.size);
    if (!(limit > 0)) return [];
    const { accumulator: scores, touched, postingDocs, postingTfs, lengthNorms } = this;
    let touchedCount = 0;
    for (const { id, weight } of this.queryTerms(text)) {
      const end = this.postingStart[id + 1] as number;
      for (let p = this.postingStart[id] as number; p < end; p++) {
        const d = postingDocs[p] as number;
        // Every contribution is > 0, so a score of 0 means "not yet touched by this query".
        if (scores[d] === 0) touched[touchedCount++] = d;
        scores[d] =
          (scores[d] as number) + termScore(weight, postingTfs[p] as number, lengthNorms[d] as number);
      }
    }
    const best = this.topK(touchedCount, limit);
    const hits = best.map((d): Hit => ({ docid: this.ids[d] as string, score: scores[d] as number }));
    for (let i = 0; i < touchedCount; i++) scores[touched[i] as number] = 0;
    return hits;
  }

  /**
   * BM25 scores of the query against the given documents (by id, in their order; an id not in the corpus
   * scores 0). A document scores exactly what `search` gives it: the same term contributions added in the
   * same order. This is the lexical reranker's scorer, so reranking and first-stage BM25 never disagree.
   */
  scoreDocuments(queryText: string, docids: readonly string[]): number[] {
    const queryTerms = this.queryTerms(queryText);
    return docids.map((docid) => {
      const d = this.documentIndex.get(docid);
      if (d === undefined) return 0;
      const norm = this.lengthNorms[d] as number;
      let score = 0;
      for (const { id, weight } of queryTerms) {
        const tf = this.termFrequency(id, d);
        if (tf > 0) score += termScore(weight, tf, norm);
      }
      return score;
    });
  }

  /** Occurrences of term `id` in document `d`: a binary search of the term's postings (sorted by document). */
  private termFrequency(id: number, d: number): number {
    let low = this.postingStart[id] as number;
    let high = (this.postingStart[id + 1] as number) - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const doc = this.postingDocs[mid] as number;
      if (doc === d) return this.postingTfs[mid] as number;
      if (doc < d) low = mid + 1;
      else high = mid - 1;
    }
    return 0;
  }

  /** The query's distinct corpus terms in order of first occurrence, weighted by occurrences × idf × (k1 + 1). */
  private queryTerms(text: string): QueryTerm[] {
    const counts = new Map<string, number>();
    for (const term of tokenize(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const terms: QueryTerm[] = [];
    for (const [term, count] of counts) {
      const id = this.terms.get(term);
      if (id !== undefined)
        terms.push({ term, id, weight: count * (this.idf[id] as number) * (this.k1 + 1) });
    }
    return terms;
  }

  private lengthNorm(length: number): number {
    return this.averageLength === 0
      ? this.k1
      : this.k1 * (1 - this.b + (this.b * length) / this.averageLength);
  }

  /**
   * The `limit` best of the touched documents, best first: a min-heap of size `limit` whose root is the
   * worst kept document, so each further document costs one comparison unless it beats the root.
   */
  private topK(touchedCount: number, limit: number): number[] {
    const scores = this.accumulator;
    const ranks = this.idRanks;
    // a ranks below b: lower score, or the same score and an id earlier in byte order.
    const worse = (a: number, b: number): boolean => {
      const sa = scores[a] as number;
      const sb = scores[b] as number;
      return sa < sb || (sa === sb && (ranks[a] as number) < (ranks[b] as number));
    };
    const heap = new Int32Array(Math.min(limit, touchedCount));
    let size = 0;
    const siftDown = (from: number): void => {
      let i = from;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) return;
        const right = left + 1;
        const child = right < size && worse(heap[right] as number, heap[left] as number) ? right : left;
        if (!worse(heap[child] as number, heap[i] as number)) return;
        const swap = heap[i] as number;
        heap[i] = heap[child] as number;
        heap[child] = swap;
        i = child;
      }
    };
    for (let i = 0; i < touchedCount; i++) {
      const d = this.touched[i] as number;
      if (size < heap.length) {
        heap[size] = d;
        let j = size++;
        while (j > 0) {
          const parent = (j - 1) >> 1;
          if (!worse(heap[j] as number, heap[parent] as number)) break;
          const swap = heap[j] as number;
          heap[j] = heap[parent] as number;
          heap[parent] = swap;
          j = parent;
        }
      } else if (worse(heap[0] as number, d)) {
        heap[0] = d;
        siftDown(0);
      }
    }
    // Pop the worst each time, filling the result from the back.
    const best = new Array<number>(size);
    while (size > 0) {
      best[size - 1] = heap[0] as number;
      heap[0] = heap[--size] as number;
      siftDown(0);
    }
    return best;
  }
}

/** Lucene's BM25 idf: always positive, even for a term in every document. */
export function inverseDocumentFrequency(documents: number, documentFrequency: number): number {
  return Math.log(1 + (documents - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/** One term's contribution: weight (qtf · idf · (k1 + 1)) × tf saturated at the document's length norm. */
function termScore(weight: number, tf: number, lengthNorm: number): number {
  return (weight * tf) / (tf + lengthNorm);
}
