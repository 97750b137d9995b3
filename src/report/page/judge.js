import { el, replaceChildren } from './dom.js';

/**
 * The judging page: one (query, document) pair at a time, judged with the keyboard alone. Every act goes to
 * the local server, which appends it to judgments.jsonl before answering; the page keeps no state the
 * server does not have, so a reload or a restarted server resumes where judging stopped.
 */

const settings = JSON.parse(document.getElementById('judging-settings').textContent);
const annotator = new URLSearchParams(location.search).get('annotator') ?? settings.annotators[0];
const root = document.getElementById('judging');

/** Words too common to highlight. */
const STOPWORDS = new Set(
  'a an and are at be by can do does for from how i in is it its my of on or should the to what when why with'.split(
    ' ',
  ),
);
const WORD = /[\p{L}\p{N}]+/gu;

let view = null;
let shownAt = 0;
let busy = false;

async function call(path, body) {
  busy = true;
  try {
    const response = await fetch(path, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error ?? `the server answered ${response.status}`);
    show(answer);
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
  } finally {
    busy = false;
  }
}

function load(position) {
  const query = new URLSearchParams({ annotator });
  if (position !== undefined) query.set('position', String(position));
  return call(`/api/view?${query}`);
}

function act(kind, grade) {
  if (!view || view.position === null) return;
  const ms = Math.round(performance.now() - shownAt);
  return call('/api/act', { annotator, position: view.position, kind, grade, ms });
}

/** A query's words worth finding in a document (lower case). */
function termsOf(query) {
  return new Set(
    [...query.toLowerCase().matchAll(WORD)].map((m) => m[0]).filter((w) => w.length > 1 && !STOPWORDS.has(w)),
  );
}

/** A word matches a term exactly, or shares its first five letters with a long one (squeak, squeaking). */
function matches(word, terms) {
  const lower = word.toLowerCase();
  if (terms.has(lower)) return true;
  if (lower.length < 5) return false;
  for (const term of terms) if (term.length >= 5 && term.slice(0, 5) === lower.slice(0, 5)) return true;
  return false;
}

/** The text as text nodes, the query's terms inside <mark> elements: never parsed as HTML. */
function highlighted(text, terms) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    if (!matches(match[0], terms)) continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(el('mark', {}, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

const seconds = (ms) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const kappa = (value) => (value === null ? '–' : value.toFixed(2));

function progress(v) {
  const parts = [
    el('span', { id: 'progress' }, `${v.graded} / ${v.total} graded`),
    v.skipped > 0 ? el('span', { id: 'skipped' }, ` (${v.skipped} skipped)`) : null,
    v.query
      ? el('span', { id: 'query-progress' }, ` · query ${v.query.qid}: ${v.query.graded} / ${v.query.total}`)
      : null,
    el(
      'span',
      { id: 'times' },
      ` · last ${seconds(v.times.lastMs)}, median ${seconds(v.times.medianMs)} per judgment`,
    ),
  ];
  const agreement = v.agreement.map((a) =>
    el(
      'p',
      { className: 'agreement', dataset: { annotators: a.annotators.join(',') } },
      `${a.annotators[0]} and ${a.annotators[1]}: Cohen's κ ${kappa(a.kappa)}, weighted for grades ${kappa(a.weightedKappa)}, on ${a.pairs} overlap pairs both graded`,
    ),
  );
  return el(
    'header',
    {},
    el('p', { className: 'who' }, `${annotator} · ${settings.dataset}`),
    el('p', {}, parts),
    agreement,
  );
}

function legend(scale) {
  const grades = scale.labels.map((label, i) =>
    el('span', { className: 'key' }, el('kbd', {}, String(scale.min + i)), ` ${label}`),
  );
  const keys = [
    ['s', 'skip'],
    ['u', 'undo'],
    ['← →', 'move'],
  ].map(([key, what]) => el('span', { className: 'key' }, el('kbd', {}, key), ` ${what}`));
  return el('footer', { id: 'legend' }, grades, keys);
}

function show(next) {
  view = next;
  shownAt = performance.now();
  const item = next.item;
  if (!item) {
    replaceChildren(
      root,
      progress(next),
      el('p', { id: 'done' }, `Every pair assigned to ${annotator} has been judged or skipped.`),
      legend(next.scale),
    );
    return;
  }
  const terms = termsOf(item.query);
  const act = item.act;
  replaceChildren(
    root,
    progress(next),
    el(
      'div',
      { className: 'pair' },
      el(
        'section',
        { id: 'query' },
        el('h2', {}, 'Query ', el('code', {}, item.qid)),
        el('p', { className: 'text' }, item.query),
        el(
          'p',
          { className: 'meta' },
          `pair ${next.position + 1} of ${next.total}${item.overlap ? ' · overlap pair' : ''}`,
        ),
      ),
      el(
        'section',
        { id: 'document' },
        el('h2', {}, 'Document ', el('code', {}, item.docid)),
        item.document.title ? el('h3', { id: 'doc-title' }, highlighted(item.document.title, terms)) : null,
        el('p', { className: 'text', id: 'doc-text' }, highlighted(item.document.text, terms)),
      ),
    ),
    el(
      'p',
      { id: 'act' },
      act === null
        ? 'not judged yet'
        : act.kind === 'skip'
          ? 'skipped'
          : `graded ${act.grade} (${next.scale.labels[act.grade - next.scale.min]})`,
    ),
    legend(next.scale),
  );
}

function showError(message) {
  const shown = document.getElementById('error') ?? root.appendChild(el('p', { id: 'error', role: 'alert' }));
  replaceChildren(shown, message);
}

document.addEventListener('keydown', (event) => {
  if (busy || !view || event.ctrlKey || event.metaKey || event.altKey) return;
  const { scale } = view;
  if (/^\d$/.test(event.key) && Number(event.key) >= scale.min && Number(event.key) <= scale.max) {
    act('grade', Number(event.key));
  } else if (event.key === 's') act('skip');
  else if (event.key === 'u') {
    if (view.canUndo) call('/api/undo', { annotator });
  } else if (event.key === 'ArrowRight' && view.total > 0) {
    load(view.position === null ? 0 : Math.min(view.position + 1, view.total - 1));
  } else if (event.key === 'ArrowLeft' && view.total > 0) {
    // From the end (every pair judged), back to the last pair: judgments stay open to review.
    load(view.position === null ? view.total - 1 : Math.max(view.position - 1, 0));
  } else return;
  event.preventDefault();
});

load();
