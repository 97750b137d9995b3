import { gradesOf, isRelevant } from './data.js';
import { el, replaceChildren } from './dom.js';
import { fixed, milliseconds, stored } from './format.js';

/**
 * An opened query: its text, then top-hit lists side by side. Each list is { title, index, hits, values }:
 * a system's own (`hits`, `perQuery[measure]`) or its baseline's (`baselineHits`, `baselinePerQuery`).
 */
export function queryDetail(data, q, lists, measure) {
  return el(
    'div',
    { className: 'query-detail' },
    el('p', { className: 'query-text' }, el('strong', {}, data.queries.ids[q]), ' ', data.queries.texts[q]),
    el(
      'div',
      { className: 'side-by-side' },
      lists.map((list) => hitsPanel(data, list, q, measure)),
    ),
  );
}

/**
 * One list of top hits for query q: ids, scores, reranker scores (when it has any) and each hit's judgment,
 * then the relevant documents it did not return, its value of the measure and its latency.
 */
function hitsPanel(data, { title, index, hits, values }, q, measure) {
  const grades = gradesOf(data, q);
  const docs = hits.docs[q] ?? [];
  const scores = hits.scores[q] ?? [];
  const rerankScores = hits.rerank[q] ?? [];
  const reranked = rerankScores.some((score) => score !== null);
  const headings = ['#', 'Document', 'Score', ...(reranked ? ['Reranker score'] : []), 'Judgment'];
  const rows = docs.map((doc, rank) =>
    el(
      'tr',
      { className: 'hit' },
      el('td', { className: 'number' }, String(rank + 1)),
      el('td', { className: 'hit-doc' }, docCell(data, doc)),
      el('td', { className: 'number' }, stored(scores[rank])),
      reranked && el('td', { className: 'number' }, stored(rerankScores[rank])),
      el('td', {}, judgment(grades.get(doc))),
    ),
  );
  const missed = [...grades].filter(([doc, grade]) => isRelevant(grade) && !docs.includes(doc));
  return el(
    'div',
    { className: 'hits', dataset: { list: index } },
    el('h4', {}, title),
    el(
      'p',
      { className: 'meta' },
      `${measure} ${fixed(values?.[q])} · latency ${milliseconds(hits.latencyMs[q])}`,
    ),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headings.map((heading) => el('th', { scope: 'col' }, heading)),
        ),
      ),
      el(
        'tbody',
        {},
        rows.length > 0 ? rows : el('tr', {}, el('td', { colspan: headings.length }, 'No results.')),
      ),
    ),
    el(
      'p',
      { className: 'missed' },
      missed.length === 0
        ? `Every relevant document is in this top ${docs.length}.`
        : [
            `Relevant, not in this top ${docs.length}: `,
            missed.map(([doc, grade], i) => [
              i > 0 && ', ',
              el('span', { className: 'doc' }, data.docs[doc]),
              ` (grade ${grade})`,
            ]),
          ],
    ),
  );
}

function judgment(grade) {
  if (grade === undefined) return el('span', { className: 'judgment unjudged' }, 'unjudged');
  return isRelevant(grade)
    ? el('span', { className: 'judgment relevant' }, `relevant (grade ${grade})`)
    : el('span', { className: 'judgment irrelevant' }, 'judged not relevant');
}

/** Characters of a hit's text shown before the reader expands it. */
const SNIPPET = 120;

/**
 * A hit's id, then its title and the start of its text when the dataset has a corpus (all text nodes). A
 * large report keeps them for the first hits of each list only: the others say what was left out.
 */
function docCell(data, doc) {
  const id = el('span', { className: 'doc' }, data.docs[doc]);
  const entry = data.docTexts?.[doc];
  if (entry === 0) return [id, leftOut('title and text left out to keep the report small')];
  if (!entry) return id;
  const [title, text] = entry;
  return [
    id,
    title && el('span', { className: 'doc-title' }, title),
    entry.length === 1 ? leftOut('text left out to keep the report small') : text && snippet(text),
  ];
}

function leftOut(what) {
  return el('span', { className: 'doc-left-out' }, what);
}

/** The text, cut at SNIPPET characters with a button that shows all the report kept of it, and back. */
function snippet(text) {
  if (text.length <= SNIPPET)
    return el('span', { className: 'doc-snippet' }, el('span', { className: 'doc-text' }, text));
  // Never between the halves of an astral character's surrogate pair.
  const end = /[\ud800-\udbff]/.test(text[SNIPPET - 2]) ? SNIPPET - 2 : SNIPPET - 1;
  const short = `${text.slice(0, end)}…`;
  const shown = el('span', { className: 'doc-text' }, short);
  const button = el('button', { type: 'button', className: 'more', 'aria-expanded': 'false' }, 'more');
  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    replaceChildren(shown, open ? text : short);
    replaceChildren(button, open ? 'less' : 'more');
    button.setAttribute('aria-expanded', String(open));
  });
  return el('span', { className: 'doc-snippet' }, shown, ' ', button);
}
