import type { RunComparison } from '../evaluation/compare-runs.js';
import type { EvaluationFile } from '../evaluation/types.js';
import { alignColumns } from '../text-columns.js';
import { inert } from './gate-markdown.js';

/**
 * A run comparison as the tables people paste: for the terminal, Markdown, CSV and LaTeX (booktabs). Runs
 * are lettered a, b, c… in their order; a mean carries the letters of the runs it significantly beats, and
 * the best mean of each measure is bold where the format has bold. The pairs follow with their wins, ties
 * and losses over queries.
 */

export type CompareFormat = 'table' | 'markdown' | 'csv' | 'latex';

export function formatComparison(comparison: RunComparison, format: CompareFormat): string {
  switch (format) {
    case 'table':
      return terminal(comparison);
    case 'markdown':
      return markdown(comparison);
    case 'csv':
      return csv(comparison);
    case 'latex':
      return latex(comparison);
  }
}

/** The run's letter: a…z, then aa, ab… (a comparison of more than 26 runs is rare, but still lettered). */
export function letter(index: number): string {
  return index < 26
    ? String.fromCharCode(97 + index)
    : `${letter(Math.floor(index / 26) - 1)}${letter(index % 26)}`;
}

const fixed = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(4));

function beaten(comparison: RunComparison, run: number, measure: number): string {
  return (comparison.beats[run]?.[measure] ?? []).map(letter).join('');
}

function best(comparison: RunComparison, measure: number): number {
  const column = comparison.means.map((row) => row[measure] as number);
  return Math.max(...column.filter((x) => !Number.isNaN(x)));
}

function caption(comparison: RunComparison): string {
  const { options, dataset } = comparison;
  const correction =
    options.correction === 'none' ? 'no correction' : `${options.correction} correction per measure`;
  return (
    `${dataset.name}@${dataset.version}, ${dataset.judgedQueries} judged queries; letters: the runs a mean beats ` +
    `(two-sided paired ${options.test} test${options.test === 't' ? '' : `, ${options.samples} resamples, seed ${options.seed}`}, ${correction}, alpha ${options.alpha})`
  );
}

function pairRows(comparison: RunComparison): string[][] {
  return comparison.pairs.map((p) => [
    `${letter(p.a)} vs ${letter(p.b)}`,
    p.measure,
    `${p.difference >= 0 ? '+' : ''}${p.difference.toFixed(4)}`,
    `${p.wins}/${p.ties}/${p.losses}`,
    p.pValue.toFixed(4),
    p.adjustedPValue.toFixed(4),
  ]);
}

const PAIR_HEADER = ['pair', 'measure', 'difference', 'win/tie/loss', 'p', 'p (adj.)'];

function terminal(comparison: RunComparison): string {
  const header = ['', 'run', ...comparison.measures];
  const rows = comparison.runs.map((run, r) => [
    letter(r),
    run,
    ...comparison.measures.map((_, m) => {
      const letters = beaten(comparison, r, m);
      return `${fixed(comparison.means[r]?.[m] ?? Number.NaN)}${letters ? ` ${letters}` : ''}`;
    }),
  ]);
  const table = alignColumns(header, rows);
  const pairs = alignColumns(PAIR_HEADER, pairRows(comparison));
  return [
    caption(comparison),
    '',
    table.header,
    table.rule,
    ...table.rows,
    '',
    pairs.header,
    pairs.rule,
    ...pairs.rows,
  ].join('\n');
}

function markdown(comparison: RunComparison): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const means = comparison.runs.map((run, r) =>
    row([
      letter(r),
      inert(run),
      ...comparison.measures.map((_, m) => {
        const value = comparison.means[r]?.[m] ?? Number.NaN;
        const text = value === best(comparison, m) ? `**${fixed(value)}**` : fixed(value);
        const letters = beaten(comparison, r, m);
        return letters ? `${text}<sup>${letters}</sup>` : text;
      }),
    ]),
  );
  const header: string[] = ['', 'run', ...comparison.measures.map((m) => inert(m))];
  return [
    `_${inert(caption(comparison))}_`,
    '',
    row(header),
    row(header.map(() => '---')),
    ...means,
    '',
    row(PAIR_HEADER),
    row(PAIR_HEADER.map(() => '---')),
    ...pairRows(comparison).map((cells) => row(cells.map(inert))),
    '',
  ].join('\n');
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(comparison: RunComparison): string {
  const header = ['letter', 'run', ...comparison.measures.flatMap((m) => [m, `${m} beats`])];
  const rows = comparison.runs.map((run, r) => [
    letter(r),
    run,
    ...comparison.measures.flatMap((_, m) => [
      fixed(comparison.means[r]?.[m] ?? Number.NaN),
      beaten(comparison, r, m),
    ]),
  ]);
  return `${[header, ...rows].map((cells) => cells.map(csvField).join(',')).join('\n')}\n`;
}

/** LaTeX's special characters in run and measure names, escaped. */
function tex(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (c) =>
    c === '\\'
      ? '\\textbackslash{}'
      : c === '~'
        ? '\\textasciitilde{}'
        : c === '^'
          ? '\\textasciicircum{}'
          : `\\${c}`,
  );
}

function latex(comparison: RunComparison): string {
  const { measures } = comparison;
  const lines = comparison.runs.map((run, r) => {
    const cells = measures.map((_, m) => {
      const value = comparison.means[r]?.[m] ?? Number.NaN;
      const text = value === best(comparison, m) ? `\\textbf{${fixed(value)}}` : fixed(value);
      const letters = beaten(comparison, r, m);
      return letters ? `${text}$^{${letters}}$` : text;
    });
    return `${letter(r)} & ${tex(run)} & ${cells.join(' & ')} \\\\`;
  });
  return [
    '\\begin{table}',
    '\\centering',
    `\\begin{tabular}{ll${'r'.repeat(measures.length)}}`,
    '\\toprule',
    ` & Run & ${measures.map(tex).join(' & ')} \\\\`,
    '\\midrule',
    ...lines,
    '\\bottomrule',
    '\\end{tabular}',
    `\\caption{${tex(caption(comparison))}}`,
    '\\end{table}',
    '',
  ].join('\n');
}

/** Per-query values in ir_measures' layout, one run after another: `run qid measure value` (TSV) or JSONL. */
export function perQueryLines(evaluation: EvaluationFile, format: 'tsv' | 'jsonl'): string {
  const lines: string[] = [];
  for (const run of evaluation.runs) {
    for (const measure of evaluation.settings.measures) {
      const values = run.perQuery.values[measure] ?? [];
      run.perQuery.qids.forEach((qid, i) => {
        const value = values[i] as number;
        lines.push(
          format === 'tsv'
            ? [run.name, qid, measure, String(value)].join('\t')
            : JSON.stringify({ run: run.name, qid, measure, value }),
        );
      });
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
