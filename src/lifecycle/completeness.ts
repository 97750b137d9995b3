import type { CompletenessFigures } from '../results/review.js';
import { contentDigest } from '../retrieve/providers/sources/records.js';
import type { CorpusDocument } from '../retrieve/types.js';

/** Ids of each kind kept as examples. */
const EXAMPLES = 20;

/**
 * The candidate index against the corpus it should hold: documents missing, extra, and stale (indexed from
 * another text than the corpus's, by the digest `index build` stores with each vector).
 */
export function completeness(
  corpus: readonly CorpusDocument[],
  stored: ReadonlyMap<string, string>,
): CompletenessFigures {
  const ids = new Set<string>();
  const missing: string[] = [];
  const stale: string[] = [];
  let unknownDigest = 0;
  for (const doc of corpus) {
    ids.add(doc.id);
    const digest = stored.get(doc.id);
    if (digest === undefined) missing.push(doc.id);
    else if (digest === '') unknownDigest++;
    else if (digest !== contentDigest(doc.text)) stale.push(doc.id);
  }
  const extra = [...stored.keys()].filter((id) => !ids.has(id)).sort();
  return {
    corpus: corpus.length,
    indexed: stored.size,
    missing: missing.length,
    extra: extra.length,
    stale: stale.length,
    unknownDigest,
    examples: {
      missing: missing.slice(0, EXAMPLES),
      extra: extra.slice(0, EXAMPLES),
      stale: stale.slice(0, EXAMPLES),
    },
  };
}
