import { printable } from './visible-text.js';

/**
 * A plain-text table for the terminal: cells padded into columns two spaces apart, trailing spaces trimmed;
 * a cell's control characters are shown as escapes, so user text cannot break a row or the log.
 */
export interface AlignedColumns {
  header: string;
  /** Dashes under each header cell. */
  rule: string;
  rows: string[];
}

export function alignColumns(header: string[], cells: string[][]): AlignedColumns {
  const rows = cells.map((row) => row.map(printable));
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return { header: line(header), rule: line(widths.map((w) => '-'.repeat(w))), rows: rows.map(line) };
}
