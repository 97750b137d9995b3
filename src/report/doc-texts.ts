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
 * Characters of titles and texts a report keeps in all: a report whose hits show many documents keeps a
 * shorter start of each (down to MIN_TEXT_KEPT), so that the file stays one people download from CI.
 */
const TEXT_BUDGET = 2_000_000;
const MIN_TEXT_KEPT = 32;

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
  const share = Math.floor(TEXT_BUDGET / Math.max(1, shown.size));
  const textKept = Math.min(DOC_TEXT_KEPT, Math.max(MIN_TEXT_KEPT, Math.floor((share * 2) / 3)));
  const titleKept = Math.min(TITLE_KEPT, Math.max(MIN_TEXT_KEPT / 2, Math.floor(share / 3)));
  return docIds.map((id, i) => {
    const doc = shown.has(i) ? corpus.get(id) : undefined;
    if (!doc) return null;
    return [cut(oneLine(doc.title ?? ''), titleKept), cut(oneLine(doc.text), textKept)];
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
