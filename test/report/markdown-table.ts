import { expect } from 'vitest';

/** Reading Markdown tables back as GitHub renders them, to check what a writer's user text turns into. */

/** A table row's cells as GitHub splits them: on pipes that no backslash escapes. */
export function cells(row: string): string[] {
  const found: string[] = [];
  let cell = '';
  for (let i = 1; i < row.length; i++) {
    const c = row[i] ?? '';
    if (c === '\\') {
      cell += c + (row[i + 1] ?? '');
      i++;
    } else if (c === '|') {
      found.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return found;
}

/** What a Markdown renderer shows for an inert cell: backslash escapes dropped, then entities decoded. */
export function rendered(cell: string): string {
  return cell.replace(/\\(.)/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The rows of the table whose header starts with `first`. */
export function tableAfter(markdown: string, first: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${first} |`));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}
