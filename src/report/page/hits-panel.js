import { gradesOf, isRelevant } from './data.js';
import { el } from './dom.js';
import { fixed, milliseconds } from './format.js';

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
      el('td', { className: 'doc' }, data.docs[doc]),
      el('td', { className: 'number' }, fixed(scores[rank])),
      reranked && el('td', { className: 'number' }, fixed(rerankScores[rank])),
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
