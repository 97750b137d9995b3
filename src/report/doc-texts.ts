import type { DocumentRecord } from '../dataset/types.js';
import { cut } from './clip.js';
import { pageData } from './page-data.js';
import type { DocText, ReportData } from './report-data.types.js';

/**
 * What the report keeps of a document's text: its start, enough to judge a hit by (the page shows less
 * until the reader expands it), without making a 10,000-query report carry whole documents.
 */
export const DOC_TEXT_KEPT = 300;

const TITLE_KEPT = 150;

/**
 * Bytes of titles and texts a report keeps at most: a few hundred queries × a few systems keep every
 * shown hit's title and 300-character start.
 */
export const TEXT_BUDGET = 4_000_000;

/**
 * Bytes of JSON (UTF-8) the report's data may reach with its texts: the file's 10 MB target (it is a CI
 * artifact people download) less the page's own scripts and styles (about 0.3 MB) and a margin. A large
 * report's texts get what the rest of its data leaves.
 */
export const REPORT_DATA_TARGET = 9_600_000;

/** Titles may take this share of the budget first: a title is what a reader scans a hit list by. */
const TITLE_SHARE = 1 / 3;

type Corpus = ReadonlyMap<string, Pick<DocumentRecord, 'title' | 'text'>>;

/**
 * `data` with the titles and text starts of its shown hits (docTexts), as many as its size allows: the
 * budget is what `data`, as its page carries it, leaves under REPORT_DATA_TARGET with every shown text
 * left out, at most TEXT_BUDGET.
 */
export function withDocTexts(data: ReportData, corpus: Corpus): ReportData {
  const order = docsByRank(data.systems);
  const shown = new Set(order);
  const leftOut: DocText[] = data.docs.map((id, i) => (shown.has(i) && corpus.has(id) ? 0 : null));
  const floor = utf8Length(JSON.stringify(pageData({ ...data, docTexts: leftOut })));
  const budget = Math.max(0, Math.min(TEXT_BUDGET, REPORT_DATA_TARGET - floor));
  return { ...data, docTexts: reportDocTexts(data.docs, order, corpus, budget) };
}

/**
 * The title and start of the text of every document in `order` (indexes into `docIds`, the order a reader
 * meets them in), aligned to `docIds`, spending at most `budget` bytes of JSON beyond a `0` for each.
 * When they do not all fit, titles go first, in that order, while they stay within a third of the budget;
 * then texts, in the same order, to documents whose title was kept, with all that is left. One that does
 * not fit keeps less than the ones before it: [title] (its text left out for size), then 0 (both left
 * out), so the first hits of every list are the last to lose theirs. Null for the documents no hit shows
 * and those the corpus lacks. Runs of white space become one space: a hit's text is read on one line.
 */
export function reportDocTexts(
  docIds: readonly string[],
  order: readonly number[],
  corpus: Corpus,
  budget: number,
): DocText[] {
  const texts: DocText[] = docIds.map(() => null);
  const docs = order.flatMap((i) => {
    const doc = corpus.get(docIds[i] as string);
    if (!doc) return [];
    const [title, text] = [oneLineStart(doc.title ?? '', TITLE_KEPT), oneLineStart(doc.text, DOC_TEXT_KEPT)];
    // A title's cost is its JSON in a list (`["…"]`) less the 0 it replaces; a text's, its JSON and a comma.
    return [{ i, title, text, titleCost: jsonBytes(title) + 1, textCost: jsonBytes(text) + 1 }];
  });
  // A report whose texts all fit keeps them all, however long its titles are beside its texts.
  const all = docs.reduce((sum, doc) => sum + doc.titleCost + doc.textCost, 0);
  let spent = 0;
  let titled = 0;
  for (const { i, title, titleCost } of docs) {
    if (all > budget && spent + titleCost > budget * TITLE_SHARE) break;
    spent += titleCost;
    texts[i] = [title];
    titled++;
  }
  for (const { i } of docs.slice(titled)) texts[i] = 0;
  for (const doc of docs.slice(0, titled)) {
    if (spent + doc.textCost > budget) break;
    spent += doc.textCost;
    texts[doc.i] = [doc.title, doc.text];
  }
  return texts;
}

/**
 * The doc indexes the hit lists of `systems` show (theirs and their baselines'), each once, in the order a
 * reader meets them: every list's first hit (queries in order, each system's own list then its
 * baseline's), then every list's second, and so on.
 */
export function docsByRank(systems: ReportData['systems']): number[] {
  const lists = systems.flatMap((system) => [system.hits.docs, system.baselineHits?.docs ?? []]);
  const depth = Math.max(0, ...lists.flatMap((perQuery) => perQuery.map((list) => list.length)));
  const queries = Math.max(0, ...lists.map((perQuery) => perQuery.length));
  const seen = new Set<number>();
  for (let rank = 0; rank < depth; rank++) {
    for (let q = 0; q < queries; q++) {
      for (const perQuery of lists) {
        const doc = perQuery[q]?.[rank];
        if (doc !== undefined) seen.add(doc);
      }
    }
  }
  return [...seen];
}

/** White space that oneLine changes: any but a space, two spaces in a row, or a space at either end. */
const NOT_ONE_LINE = /[^\S ]| {2}|^ | $/;

function oneLine(text: string): string {
  // Most texts are one line already: testing is cheaper than replacing (a report shows 50,000 of them).
  return NOT_ONE_LINE.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
}

/**
 * cut(oneLine(text), width), made from the start of the text when that is enough: a document is often
 * many times what a hit shows. The start's one line is the text's one line up to where the start ends,
 * so once it holds more than `width` characters (its last one not a space), the text's cut is its cut.
 */
export function oneLineStart(text: string, width: number): string {
  if (text.length > 2 * width) {
    const start = oneLine(text.slice(0, 2 * width));
    if (start.length > width) return cut(start, width);
  }
  return cut(oneLine(text), width);
}

/** Text that JSON.stringify writes as it stands, between quotes: printable ASCII but `"` and `\`. */
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of JSON.stringify(text) in UTF-8, without making it when the text is plain. */
function jsonBytes(text: string): number {
  return PLAIN_JSON.test(text) ? text.length + 2 : utf8Length(JSON.stringify(text));
}

/** Bytes of `text` in UTF-8: what the report's file is measured in (a CJK character is 3). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) bytes += unit < 0x800 || (unit >= 0xd800 && unit < 0xe000) ? 1 : 2; // a pair: 2 + 2
  }
  return bytes;
}
