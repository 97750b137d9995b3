import { gradesOf, okSystems } from './data.js';
import { el, replaceChildren } from './dom.js';
import { count } from './format.js';

/**
 * (query, document) pairs that some system returned in its top hits but nobody judged, in query order, each
 * once: what to send for annotation. Unjudged is not "not relevant", and measures count it as such.
 */
export function unjudgedPairs(data) {
  const systems = okSystems(data);
  const pairs = [];
  data.queries.ids.forEach((qid, q) => {
    const grades = gradesOf(data, q);
    const listed = new Set();
    for (const system of systems) {
      for (const doc of system.hits.docs[q] ?? []) {
        if (grades.has(doc) || listed.has(doc)) continue;
        listed.add(doc);
        pairs.push([qid, data.docs[doc]]);
      }
    }
  });
  return pairs;
}

/** A button that lists the unjudged pairs as tab-separated lines to copy. Computed on demand: 10,000 queries. */
export function unjudgedList(data) {
  const output = el('div', { className: 'unjudged-output' });
  const show = () => {
    const pairs = unjudgedPairs(data);
    if (pairs.length === 0) {
      replaceChildren(output, 'Every document in every system’s top hits is judged.');
      return;
    }
    const list = el('textarea', { readonly: true, rows: 10, 'aria-label': 'unjudged pairs' });
    list.value = ['qid\tdocid', ...pairs.map(([qid, doc]) => `${qid}\t${doc}`)].join('\n');
    const status = el('span', { className: 'status', role: 'status' });
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(list.value);
        status.textContent = 'Copied.';
      } catch {
        list.select();
        status.textContent =
          'The browser keeps the clipboard closed here: the list is selected, copy it by hand.';
      }
    };
    replaceChildren(
      output,
      el(
        'p',
        {},
        `${count(pairs.length)} (query, document) pairs in the systems’ top hits have no judgment (tab-separated: query id, document id).`,
      ),
      list,
      el(
        'p',
        {},
        el('button', { type: 'button', className: 'copy', on: { click: copy } }, 'Copy'),
        ' ',
        status,
      ),
    );
  };
  return el(
    'div',
    { className: 'unjudged' },
    el('button', { type: 'button', className: 'collect', on: { click: show } }, 'List unjudged documents'),
    output,
  );
}
