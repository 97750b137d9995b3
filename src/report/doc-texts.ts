import type { DocumentRecord } from '../dataset/types.js';
import { cut } from './clip.js';
import type { ReportData } from './report-data.types.js';

/**
 * What the report keeps of a document's text: its start, enough to judge a hit by (the page shows less
 * until the reader expands it), without making a 10,000-query report carry whole documents.
 */
export const DOC_TEXT_KEPT = 300;

const TITLE_KEPT = 150;

/**
 * The title and start of the text of every document the report's hits show (`shown`: indexes into
 * `docIds`), aligned to `docIds`; null for the documents no hit shows and those the corpus lacks. Runs of
 * white space become one space: a hit's text is read on one line.
 */
export function reportDocTexts(
  docIds: readonly string[],
  shown: ReadonlySet<number>,
  corpus: ReadonlyMap<string, Pick<DocumentRecord, 'title' | 'text'>>,
): NonNullable<ReportData['docTexts']> {
  return docIds.map((id, i) => {
    const doc = shown.has(i) ? corpus.get(id) : undefined;
    if (!doc) return null;
    return [cut(oneLine(doc.title ?? ''), TITLE_KEPT), cut(oneLine(doc.text), DOC_TEXT_KEPT)];
  });
}

/** The doc indexes of every hit list of `systems`: theirs and their baselines'. */
export function shownDocs(systems: ReportData['systems']): Set<number> {
  const shown = new Set<number>();
  for (const system of systems) {
    for (const lists of [system.hits.docs, system.baselineHits?.docs ?? []]) {
      for (const list of lists) for (const doc of list) shown.add(doc);
    }
  }
  return shown;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
