import { el } from './dom.js';

/** Orders two sort keys (numbers or strings); a missing key (not measured) sorts last in both directions. */
export function compareKeys(a, b, descending) {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (a === b) return 0;
  return a < b !== descending ? -1 : 1;
}

/** The sort after a click on `column`: the same column flips direction, another starts with `descending`. */
export function nextSort(sort, column, descending) {
  return sort.column === column ? { column, descending: !sort.descending } : { column, descending };
}

/**
 * The heading row of a sortable table: each column's label is a button that sorts by it (`idOf` names the
 * column in `sort`), the current order announced with aria-sort.
 */
export function sortableHead(columns, sort, onSort, idOf) {
  return el(
    'thead',
    {},
    el(
      'tr',
      {},
      columns.map((column, i) => {
        const id = idOf(column, i);
        const direction = sort.column !== id ? 'none' : sort.descending ? 'descending' : 'ascending';
        return el(
          'th',
          { scope: 'col', className: column.className, 'aria-sort': direction },
          el('button', { type: 'button', className: 'sort', on: { click: () => onSort(id) } }, column.label),
        );
      }),
    ),
  );
}
