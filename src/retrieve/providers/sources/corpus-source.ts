import { UserError } from '../../../errors.js';
import type { CorpusDocument } from '../../types.js';
import { contentDigest, visitInPages } from './records.js';
import type { Source } from './source.js';

/**
 * The dataset's corpus as a source: each document's text as `index build` embeds it (title and text
 * joined, see corpusDocuments), with no change times and nothing soft-deleted.
 */
export function corpusSource(
  documents: readonly CorpusDocument[],
  description = 'the dataset corpus',
): Source {
  return {
    description,
    async records(visit) {
      const seen = new Set<string>();
      const records = documents.map(({ id, text }) => {
        if (seen.has(id)) throw new UserError(`${description}: document id '${id}' appears twice`);
        seen.add(id);
        return { id, digest: contentDigest(text), updatedAt: null, deleted: false };
      });
      return visitInPages(records, visit);
    },
    async contents(ids) {
      const wanted = new Set(ids);
      return new Map(documents.filter((doc) => wanted.has(doc.id)).map((doc) => [doc.id, doc.text]));
    },
    async close() {},
  };
}
