import { perQueryCsv, tableCsv } from './csv.js';
import { append, el, replaceChildren } from './dom.js';
import { downloadButton } from './download.js';
import { fixed, interval, milliseconds, price, signed } from './format.js';
import { pairwiseNote, significanceMarks, systemLetter } from './pairwise-marks.js';
import { compareKeys, nextSort, sortableHead } from './sort.js';
import { systemLabel } from './system-label.js';

/**
 * Systems × measures: mean, 95 % CI and the difference from the baseline with its CI, each cell coloured by
 * the gate's outcome on that metric (`system.gate`), plus the Judged@k a coverage rule judged, total p95
 * latency and cost, which gates also judge, and ANNRecall@10 when an index was checked against exact search;
 * each mean marked with the letters of the systems of the run it is significantly higher than. Sortable by any column; measures sort best
 * first.
 */
export function renderMeasuresTable(data, container) {
  const columns = [
    {
      label: 'System',
      key: (system) => system.id,
      descending: false,
      cell: (s) => [
        systemLabel(data, s),
        data.pairwise &&
          s.status === 'ok' &&
          el('span', { className: 'letter' }, ` (${systemLetter(data.systems.indexOf(s))})`),
      ],
    },
    ...data.measures.map((measure) => ({
      label: measure,
      gateKey: measure,
      key: (system) => system.measures[measure]?.value ?? null,
      descending: true,
      cell: (system) => measureCell(data, system, measure),
    })),
    // The judged share a coverage warning is about, beside the measures it puts in doubt.
    ...(data.judgedMeasures ?? []).map((measure) => ({
      label: measure,
      gateKey: measure,
      key: (system) => system.judged?.[measure] ?? null,
      descending: true,
      cell: (system) => fixed(system.judged?.[measure]),
    })),
    ...(data.ann ? [annRecallColumn(data.ann.measure)] : []),
    {
      label: 'Latency p95 (total)',
      gateKey: 'latency.total.p95',
      key: (system) => system.latencyMs.total?.p95 ?? null,
      descending: false,
      cell: (system) => milliseconds(system.latencyMs.total?.p95),
    },
    {
      label: 'Cost per query',
      gateKey: 'cost.perQuery',
      key: (system) => system.costPerQuery,
      descending: false,
      cell: (system) => price(system.costPerQuery),
    },
  ];
  let sort = { column: null, descending: false };
  const table = el('table', { className: 'measures' });
  const draw = () => {
    const order = [...data.systems];
    if (sort.column !== null) {
      const { key } = columns[sort.column];
      order.sort((a, b) => compareKeys(key(a), key(b), sort.descending));
    }
    const onSort = (column) => {
      sort = nextSort(sort, column, columns[column].descending);
      draw();
    };
    replaceChildren(
      table,
      sortableHead(columns, sort, onSort, (_, i) => i),
      el(
        'tbody',
        {},
        order.map((system) => row(system, columns)),
      ),
    );
  };
  draw();
  const run = data.run.id.replace(/[^\w.-]+/g, '_');
  append(container, [
    table,
    pairwiseNote(data),
    el(
      'div',
      { className: 'controls downloads' },
      downloadButton('Download the table (CSV)', `measures-${run}.csv`, () => tableCsv(data)),
      downloadButton('Download per-query values (CSV)', `per-query-${run}.csv`, () => perQueryCsv(data)),
    ),
  ]);
}

function row(system, columns) {
  const [first, ...rest] = columns;
  return el(
    'tr',
    { className: system.status === 'ok' ? '' : 'failed' },
    el('th', { scope: 'row' }, first.cell(system)),
    rest.map((column) => {
      const status = system.gate[column.gateKey];
      return el(
        'td',
        {
          className: status ? `number gate-${status}` : 'number',
          title: status ? `gate: ${status}` : null,
          dataset: { metric: column.gateKey },
        },
        system.status === 'ok' ? column.cell(system) : '—',
      );
    }),
  );
}

function measureCell(data, system, measure) {
  const summary = system.measures[measure];
  if (!summary) return '—';
  const versus = system.vsBaseline?.[measure];
  const [mean, ci] = meanCell(summary);
  append(mean, [significanceMarks(data, system, measure)]);
  return [
    mean,
    ci,
    versus &&
      el(
        'span',
        { className: 'delta' },
        `Δ ${signed(versus.difference)} ${interval(versus.ciLow, versus.ciHigh, signed)}`,
        // The gate compared this measure with another system's baseline: the Δ is against that one.
        versus.against && el('span', { className: 'against' }, ` vs ${versus.against}`),
      ),
  ];
}

/** The mean and its 95 % CI. */
function meanCell(summary) {
  return [
    el('span', { className: 'mean' }, fixed(summary.value)),
    el('span', { className: 'ci' }, interval(summary.ciLow, summary.ciHigh)),
  ];
}

/** A checked system's ANNRecall@10 (the gate's ann rule judges it); an exact index loses nothing. */
function annRecallColumn(measure) {
  const summary = (check) => (check?.status === 'ok' ? check.recall[measure] : undefined);
  return {
    label: measure,
    gateKey: measure,
    key: ({ annCheck }) => (annCheck?.status === 'exact' ? 1 : (summary(annCheck)?.value ?? null)),
    descending: true,
    cell: ({ annCheck }) => {
      if (annCheck?.status === 'exact') return 'exact';
      if (annCheck?.status === 'failed') return el('span', { title: annCheck.error }, 'check failed');
      const found = summary(annCheck);
      return found ? meanCell(found) : '—';
    },
  };
}
