import type { CorpusDocument } from '../../types.js';
import { tokenize } from '../text/tokenize.js';

/**
 * The corpus as an inverted index, built in two passes: every document is tokenised once into its distinct
 * term ids and their counts, then the postings are counted per term and filled in document order.
 */
export interface Postings {
  /** Term → id, in order of first occurrence. */
  terms: Map<string, number>;
  /** Per term: where its postings start in `docs`/`tfs` (length = terms + 1). */
  start: Int32Array;
  /** Document indexes, ascending within each term. */
  docs: Int32Array;
  /** Occurrences of the term in each posting's document. */
  tfs: Uint16Array | Uint32Array;
  /** Per term: the number of documents containing it. */
  df: Int32Array;
  /** Per document: its number of terms. */
  lengths: Int32Array;
}

export function buildPostings(corpus: readonly CorpusDocument[]): Postings {
  const terms = new Map<string, number>();
  const forward = readDocuments(corpus, terms);
  const termCount = terms.size;

  // Postings: count per term, prefix sums, then fill in document order (so each list is ascending).
  const df = new Int32Array(termCount);
  const docTerms = forward.termIds.view();
  const docTfs = forward.tfs.view();
  for (const id of docTerms) df[id] = (df[id] as number) + 1;
  const start = new Int32Array(termCount + 1);
  for (let t = 0; t < termCount; t++) {
    start[t + 1] = (start[t] as number) + (df[t] as number);
  }
  const docs = new Int32Array(docTerms.length);
  const tfs = forward.maxTf <= 0xffff ? new Uint16Array(docTerms.length) : new Uint32Array(docTerms.length);
  const fill = start.slice(0, termCount);
  for (let d = 0; d < corpus.length; d++) {
    for (let p = forward.starts[d] as number; p < (forward.starts[d + 1] as number); p++) {
      const t = docTerms[p] as number;
      const at = fill[t] as number;
      docs[at] = d;
      tfs[at] = docTfs[p] as number;
      fill[t] = at + 1;
    }
  }
  return { terms, start, docs, tfs, df, lengths: forward.lengths };
}

/** Tokenises every document once: its distinct term ids with their counts, and its length. */
function readDocuments(
  corpus: readonly CorpusDocument[],
  terms: Map<string, number>,
): {
  termIds: GrowableInt32;
  tfs: GrowableInt32;
  starts: Int32Array;
  lengths: Int32Array;
  maxTf: number;
} {
  const termIds = new GrowableInt32();
  const tfs = new GrowableInt32();
  const starts = new Int32Array(corpus.length + 1);
  const lengths = new Int32Array(corpus.length);
  let maxTf = 0;
  let docTerms = new Int32Array(256);
  corpus.forEach((doc, d) => {
    const tokens = tokenize(doc.text);
    if (tokens.length > docTerms.length) docTerms = new Int32Array(tokens.length * 2);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      let id = terms.get(token);
      if (id === undefined) {
        id = terms.size;
        terms.set(token, id);
      }
      docTerms[i] = id;
    }
    // Sorting the ids groups repeats: each run is one distinct term and its tf.
    const sorted = docTerms.subarray(0, tokens.length).sort();
    let i = 0;
    while (i < sorted.length) {
      const id = sorted[i] as number;
      let j = i + 1;
      while (j < sorted.length && sorted[j] === id) j++;
      termIds.push(id);
      tfs.push(j - i);
      if (j - i > maxTf) maxTf = j - i;
      i = j;
    }
    lengths[d] = tokens.length;
    starts[d + 1] = termIds.length;
  });
  return { termIds, tfs, starts, lengths, maxTf };
}

/** An Int32Array that doubles when full, for building postings without knowing their number. */
class GrowableInt32 {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}
