import { difference, okSystems } from './data.js';
import { el, note, replaceChildren, select } from './dom.js';
import { count, fixed, signed } from './format.js';
import { queryDetail } from './hits-panel.js';
import { compareKeys, nextSort, sortableHead } from './sort.js';
import { systemLabel } from './system-label.js';
import { unjudgedList } from './unjudged.js';

/** Rows per page: the table never holds more, whatever the number of queries. */
const PAGE_SIZE = 50;

/**
 * Query by query: a chosen measure for every system, and the difference of a chosen system from its baseline
 * (or from a second system), worst first. Searchable, sortable and paged; opening a row shows the chosen
 * system's and the compared system's top hits side by side.
 */
export function renderDrilldown(data, container) {
  const systems = okSystems(data);
  if (systems.length === 0) {
    container.append(note('No system produced results.'));
    return;
  }
  const at = (system) => data.systems.indexOf(system);
  const state = {
    measure: data.measures[0],
    system: at(systems[0]),
    compared: systems.length > 1 ? at(systems[1]) : null,
    against: data.baseline ? 'baseline' : 'system',
    search: '',
    sort: { column: 'difference', descending: false },
    page: 0,
    expanded: new Set(),
  };
  let rows = [];
  let columns = [];
  const table = el('table', { className: 'queries' });
  const pager = el('div', { className: 'pager' });
  const status = el('p', { className: 'note' });

  const refresh = () => {
    columns = tableColumns(data, systems, state);
    if (!columns.some((column) => column.id === state.sort.column))
      state.sort = { column: 'query', descending: false };
    rows = sortedRows(data, state, columns);
    state.page = Math.min(state.page, Math.max(0, Math.ceil(rows.length / PAGE_SIZE) - 1));
    draw();
  };
  const draw = () => {
    const shown = rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    const onSort = (column) => {
      const { descending } = columns.find((c) => c.id === column);
      state.sort = nextSort(state.sort, column, descending);
      state.page = 0;
      refresh();
    };
    replaceChildren(
      table,
      sortableHead(columns, state.sort, onSort, (column) => column.id),
      el(
        'tbody',
        {},
        shown.map((q) => queryRows(q)),
      ),
    );
    replaceChildren(status, referenceNote(data, state));
    drawPager(shown.length);
  };
  const queryRows = (q) => {
    const open = state.expanded.has(q);
    const toggle = () => {
      if (open) state.expanded.delete(q);
      else state.expanded.add(q);
      draw();
    };
    const [first, ...rest] = columns;
    const row = el(
      'tr',
      {
        className: open ? 'query-row open' : 'query-row',
        dataset: { index: String(q) },
        on: { click: toggle },
      },
      el(
        'td',
        {},
        el(
          'button',
          { type: 'button', className: 'expand', 'aria-expanded': String(open) },
          open ? '▾' : '▸',
        ),
        ' ',
        first.cell(q),
      ),
      rest.map((column) => el('td', { className: column.className }, column.cell(q))),
    );
    if (!open) return row;
    return [
      row,
      el(
        'tr',
        { className: 'detail-row' },
        el('td', { colspan: columns.length }, queryDetail(data, q, detailLists(data, state), state.measure)),
      ),
    ];
  };
  const drawPager = (shownCount) => {
    const from = rows.length === 0 ? 0 : state.page * PAGE_SIZE + 1;
    const turn = (step) => {
      state.page += step;
      draw();
    };
    replaceChildren(
      pager,
      el(
        'button',
        { type: 'button', className: 'previous', disabled: state.page === 0, on: { click: () => turn(-1) } },
        'Previous',
      ),
      el(
        'span',
        { className: 'range' },
        ` Queries ${count(from)}–${count(from + shownCount - (shownCount > 0 ? 1 : 0))} of ${count(rows.length)}${rows.length < data.queries.ids.length ? ` (matching, of ${count(data.queries.ids.length)})` : ''} `,
      ),
      el(
        'button',
        {
          type: 'button',
          className: 'next',
          disabled: (state.page + 1) * PAGE_SIZE >= rows.length,
          on: { click: () => turn(1) },
        },
        'Next',
      ),
    );
  };
  const set =
    (key, convert = (value) => value) =>
    (value) => {
      state[key] = convert(value);
      state.page = 0;
      refresh();
    };
  const systemOptions = systems.map((system) => [at(system), system.id]);
  const controls = el(
    'div',
    { className: 'controls' },
    select(
      'Measure',
      data.measures.map((measure) => [measure, measure]),
      state.measure,
      set('measure'),
    ),
    select('System', systemOptions, state.system, set('system', Number)),
    systems.length > 1 && select('Compared with', systemOptions, state.compared, set('compared', Number)),
    data.baseline &&
      select(
        'Difference from',
        [
          ['baseline', 'the system’s baseline'],
          ['system', 'the compared system'],
        ],
        state.against,
        set('against'),
      ),
    el(
      'label',
      { className: 'control' },
      'Search ',
      el('input', {
        type: 'search',
        className: 'search',
        placeholder: 'query id or text',
        on: { input: (event) => set('search')(event.target.value) },
      }),
    ),
  );
  container.append(
    controls,
    status,
    el('div', { className: 'table-scroll' }, table),
    pager,
    el('h3', {}, 'Unjudged documents'),
    unjudgedList(data),
  );
  refresh();
}

/** The values the chosen system is compared with, query by query, and what they are called; null if none. */
function reference(data, state) {
  const system = data.systems[state.system];
  if (state.against === 'baseline') {
    const values = system.baselinePerQuery?.[state.measure];
    return values ? { label: 'baseline', values } : null;
  }
  if (state.compared === null || state.compared === state.system) return null;
  const compared = data.systems[state.compared];
  return { label: compared.id, values: compared.perQuery[state.measure] ?? [] };
}

/**
 * What an opened query shows side by side: the chosen system's hits, and those of what it is compared with,
 * its baseline (when the baseline was a run folder and kept its hits) or else the compared system.
 */
function detailLists(data, state) {
  const system = data.systems[state.system];
  const lists = [systemHits(data, state, state.system)];
  // The baseline the measure is compared with: of the system the gate compared it with, if another.
  const other = system.vsBaseline?.[state.measure]?.against;
  const source = (other && data.systems.find((s) => s.id === other)) || system;
  if (state.against === 'baseline' && source.baselineHits) {
    lists.push({
      title: `Baseline of ${source.id}`,
      index: 'baseline',
      hits: source.baselineHits,
      values: system.baselinePerQuery?.[state.measure],
    });
  } else if (state.compared !== null && state.compared !== state.system) {
    lists.push(systemHits(data, state, state.compared));
  }
  return lists;
}

function systemHits(data, state, index) {
  const system = data.systems[index];
  return {
    title: systemLabel(data, system),
    index: String(index),
    hits: system.hits,
    values: system.perQuery[state.measure],
  };
}

function referenceNote(data, state) {
  const system = data.systems[state.system];
  const ref = reference(data, state);
  if (!ref) {
    return state.against === 'baseline'
      ? `The baseline has no per-query ${state.measure} of ${system.id}, so no differences are shown.`
      : 'Choose a second system to see differences.';
  }
  const other = system.vsBaseline?.[state.measure]?.against;
  const against =
    ref.label !== 'baseline'
      ? ref.label
      : other
        ? `the baseline of ${other} (as the gate compared)`
        : 'its baseline';
  const noBaselineHits =
    ref.label === 'baseline' && !system.baselineHits
      ? ' The baseline kept no ranked lists, so an opened query shows the compared system beside it.'
      : '';
  return `Δ is ${system.id} − ${against} on ${state.measure}, worst first unless sorted otherwise. Click a query to see its hits.${noBaselineHits}`;
}

function tableColumns(data, systems, state) {
  const ids = data.queries.ids;
  const texts = data.queries.texts;
  const chosen = data.systems[state.system];
  const valuesOf = (system) => system.perQuery[state.measure] ?? [];
  const columns = [
    { id: 'query', label: 'Query', key: (q) => ids[q], cell: (q) => ids[q], descending: false },
    {
      id: 'text',
      label: 'Text',
      key: (q) => texts[q],
      cell: (q) => texts[q],
      descending: false,
      className: 'text',
    },
    ...systems.map((system) => {
      const values = valuesOf(system);
      const index = data.systems.indexOf(system);
      const role = index === state.system ? ' chosen' : index === state.compared ? ' compared' : '';
      return {
        id: `system-${index}`,
        label: system.id,
        key: (q) => values[q] ?? null,
        cell: (q) => fixed(values[q]),
        descending: true,
        className: `number${role}`,
      };
    }),
  ];
  const ref = reference(data, state);
  if (!ref) return columns;
  const values = valuesOf(chosen);
  const delta = (q) => difference(values[q], ref.values[q]);
  if (ref.label === 'baseline') {
    columns.push({
      id: 'baseline',
      label: 'Baseline',
      key: (q) => ref.values[q] ?? null,
      cell: (q) => fixed(ref.values[q]),
      descending: true,
      className: 'number',
    });
  }
  columns.push({
    id: 'difference',
    label: 'Δ',
    key: delta,
    cell: (q) => signed(delta(q)),
    descending: false,
    className: 'number delta',
  });
  return columns;
}

let searchable;

/** The queries that match the search, in the chosen order (ties by query order, so it is stable). */
function sortedRows(data, state, columns) {
  const term = state.search.trim().toLowerCase();
  let rows = data.queries.ids.map((_, q) => q);
  if (term !== '') {
    searchable ??= data.queries.ids.map((id, q) => `${id}\n${data.queries.texts[q]}`.toLowerCase());
    rows = rows.filter((q) => searchable[q].includes(term));
  }
  const { key } = columns.find((column) => column.id === state.sort.column);
  const keys = new Map(rows.map((q) => [q, key(q)]));
  return rows.sort((a, b) => compareKeys(keys.get(a), keys.get(b), state.sort.descending) || a - b);
}
