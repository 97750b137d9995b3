import { describeMeasures } from '../metrics/registry.js';
import { alignColumns } from '../text-columns.js';

export type MeasuresFormat = 'table' | 'markdown';

/** The shared parameters, said once under the terminal's listing (the README says it in its own words). */
const SHARED =
  'rel=N (binary measures): a document counts as relevant from grade N, instead of --level; ' +
  'judged_only (every measure): documents without a judgment are dropped before measuring. ' +
  "Parameters go in parentheses, before or after the cutoff: P(rel=2)@5, nDCG@10(judged_only), ir_measures' notation.";

/** The measure families: how each is written, what it means, whose definition it follows (README's table). */
export function measuresListing(format: MeasuresFormat): string {
  const rows = describeMeasures().map((m) => [
    m.synopsis,
    m.params.filter((p) => p !== 'judged_only').join(', ') || '—',
    m.aggregate,
    m.description,
    m.source,
  ]);
  const header = ['measure', 'parameters', 'over queries', 'what it is', 'definition'];
  if (format === 'markdown') {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    const code = (cell: string): string => `\`${cell}\``;
    return [
      line(header),
      line(header.map(() => '---')),
      ...rows.map(([synopsis = '', params = '', ...rest]) =>
        line([code(synopsis), params === '—' ? params : code(params), ...rest.map(escapePipes)]),
      ),
      '',
    ].join('\n');
  }
  const table = alignColumns(header, rows);
  return [table.header, table.rule, ...table.rows, '', SHARED, ''].join('\n');
}

function escapePipes(cell: string): string {
  return cell.replaceAll('|', '\\|');
}
