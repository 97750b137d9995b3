import type { Candidate, CorpusDocument, Reranker, RerankResult } from '../../types.js';
import { BM25_DEFAULTS, Bm25Index, type Bm25Options } from '../indexes/bm25.js';

/**
 * Reorders candidates by their BM25 score against the query. Statistics (document count, document
 * frequencies, average length) are the whole corpus's, not the candidate list's, so a candidate scores
 * exactly what a BM25 index over the same corpus gives it: a vector search reranked lexically can be read
 * against plain BM25. The scoring is the index's own (`Bm25Index.scoreDocuments`), never a second copy:
 * candidates are scored by document id, so a candidate whose id is not in the corpus scores 0.
 */
export class LexicalReranker implements Reranker {
  readonly id: string;

  /** Scores with the statistics of `index`, which may be shared with a first-stage BM25 index. */
  constructor(private readonly index: Bm25Index) {
    this.id = `lexical-bm25:k1=${index.k1},b=${index.b}`;
  }

  /** Builds the BM25 statistics of `corpus` (the same documents the candidates come from). */
  static fromCorpus(
    corpus: readonly CorpusDocument[],
    options: Bm25Options = BM25_DEFAULTS,
  ): LexicalReranker {
    return new LexicalReranker(new Bm25Index(corpus, options));
  }

  async rerank(query: { id: string; text: string }, candidates: Candidate[]): Promise<RerankResult> {
    return {
      scores: this.index.scoreDocuments(
        query.text,
        candidates.map((candidate) => candidate.docid),
      ),
    };
  }
}
