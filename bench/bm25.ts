import { performance } from 'node:perf_hooks';
import { seededRandom } from '../src/metrics/random.js';
import { BM25_DEFAULTS, Bm25Index } from '../src/retrieve/providers/indexes/bm25.js';
import { tokenize } from '../src/retrieve/providers/text/tokenize.js';
import type { CorpusDocument, QueryInput } from '../src/retrieve/types.js';

/**
 * The in-process BM25 index on a synthetic corpus the size of a large evaluation set: 100,000 documents of
 * ~80 tokens over a 50,000-word Zipf vocabulary (s = 1, as natural text), and 1,000 queries of 3–6 words
 * drawn from the same distribution, so common words with long postings lists occur in queries as they do
 * in real ones. Times index build and top-100 search.
 */
export const name = 'bm25';

const DOCUMENTS = 100_000;
const VOCABULARY = 50_000;
const QUERIES = 1_000;
const K = 100;
const SEED = 42;

export async function run(): Promise<void> {
  const random = seededRandom(SEED);
  const words = zipfSampler(random, VOCABULARY);
  const corpus: CorpusDocument[] = Array.from({ length: DOCUMENTS }, (_, i) => ({
    id: `doc${i}`,
    text: Array.from({ length: 40 + Math.floor(random() * 81) }, words).join(' '),
  }));
  const queries: QueryInput[] = Array.from({ length: QUERIES }, (_, i) => ({
    id: `q${i}`,
    text: Array.from({ length: 3 + Math.floor(random() * 4) }, words).join(' '),
  }));
  const tokens = corpus.reduce((sum, doc) => sum + doc.text.split(' ').length, 0);

  const buildStart = performance.now();
  const index = new Bm25Index(corpus, BM25_DEFAULTS);
  const buildSeconds = (performance.now() - buildStart) / 1000;

  await index.search(queries.slice(0, 50), K); // warm-up
  const searchStart = performance.now();
  const hits = await index.search(queries, K);
  const searchSeconds = (performance.now() - searchStart) / 1000;
  const returned = hits.reduce((sum, list) => sum + list.length, 0);
  let postings = 0;
  for (const query of queries) {
    for (const term of new Set(tokenize(query.text))) postings += index.documentFrequency(term);
  }

  console.log(
    `${DOCUMENTS.toLocaleString('en')} documents, ${(tokens / DOCUMENTS).toFixed(0)} tokens each, ${index.vocabularySize.toLocaleString('en')} terms: build ${buildSeconds.toFixed(2)} s`,
  );
  console.log(
    `${QUERIES.toLocaleString('en')} queries × top-${K}: ${searchSeconds.toFixed(2)} s, ${(QUERIES / searchSeconds).toFixed(0)} queries/s (${(returned / QUERIES).toFixed(0)} hits and ${Math.round(postings / QUERIES).toLocaleString('en')} postings per query)`,
  );
}

/** Words "w<rank − 1>" (never a stopword) drawn with probability ∝ 1 / rank (inverse CDF by binary search). */
export function zipfSampler(random: () => number, vocabulary: number): () => string {
  const cumulative = new Float64Array(vocabulary);
  let total = 0;
  for (let rank = 1; rank <= vocabulary; rank++) {
    total += 1 / rank;
    cumulative[rank - 1] = total;
  }
  const names = Array.from({ length: vocabulary }, (_, i) => `w${i}`);
  return () => {
    const target = random() * total;
    let low = 0;
    let high = vocabulary - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return names[low] as string;
  };
}
