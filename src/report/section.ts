import { inert, table } from './gate-markdown.js';

/**
 * The shape of a report section the template draws itself (a migration review, an index audit), as plain
 * text: the HTML template escapes it with `{{ }}` (templates/partials/section-tables.hbs) and the Markdown
 * below with `inert`, since every id, text and file name in it comes from users.
 */
export interface SectionFact {
  term: string;
  value: string;
}

export interface SectionTable {
  title: string;
  header: string[];
  /** The page's CSS class for each column's cells: `number` right-aligns figures, `doc` sets ids apart. */
  classes: string[];
  rows: string[][];
  /** Shown instead of the table when it has no rows: what was not measured, and why. */
  empty: string;
}

export const NONE = '—';

/** The facts as a list. The term comes first: user text at the start of an item could open a heading or a list. */
export function factsMarkdown(facts: SectionFact[]): string {
  return facts.map(({ term, value }) => `- **${term}**: ${inert(value)}`).join('\n');
}

/** A table under its title, or the note on what it would have shown. */
export function sectionTableMarkdown(t: SectionTable): string {
  const body =
    t.rows.length > 0
      ? table(
          t.header.map(inert),
          t.rows.map((row) => row.map(inert)),
        )
      : `_${t.empty}_`;
  return `### ${t.title}\n\n${body}`;
}

/**
 * A figure of a field the schema leaves free: one that is not a number (a hand-edited file) shows as a dash
 * rather than breaking the report.
 */
export function figureOr(x: unknown, format: (x: number) => string): string {
  return typeof x === 'number' && Number.isFinite(x) ? format(x) : NONE;
}
