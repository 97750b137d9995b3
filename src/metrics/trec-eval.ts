import { UserError } from '../errors.js';
import type { RunEvaluation } from './evaluate.js';
import { formatFixed, formatFixed4 } from './format.js';
import { relString } from './measures.js';
import type { JudgedRanking } from './rank.js';
import { type Measure, makeMeasure } from './registry.js';
import { type GivenParams, relstringLength, TREC_FAMILIES, type TrecFamily } from './trec-eval-measures.js';
import type { Qrels } from './types.js';

/**
 * trec_eval compatibility: its measure names (`-m P.5,10`, `ndcg.1=3,2=9`, `all_trec`), its fixed print
 * order and its three-column output. The measures themselves are the registry's.
 */

export interface TrecSelection {
  runid: boolean;
  numQ: boolean;
  /**
   * The measures asked for, in print order, each with the parameters of its first `-m name.params`: as in
   * trec_eval, a later `-m P.10` after `-m P.5` is ignored, and a bare `-m P` takes the defaults.
   */
  families: { family: TrecFamily; params: string | undefined }[];
}

/** trec_eval's nicknames for sets of measures (all_trec: every measure it computes from qrels and a run). */
const SETS: Record<string, (family: TrecFamily) => boolean> = {
  all_trec: () => true,
  official: (family) => family.official === true,
  set: (family) => family.set === true,
};

/** Reads trec_eval -m arguments; none at all means trec_eval's default, the "official" set. */
export function parseTrecMeasures(args: string[]): TrecSelection {
  const chosen = new Map<TrecFamily, string | undefined>();
  const selection: TrecSelection = { runid: false, numQ: false, families: [] };
  const mark = (family: TrecFamily, params: string | undefined): void => {
    chosen.set(family, chosen.get(family) ?? params);
  };
  for (const arg of args.length === 0 ? ['official'] : args) {
    const dot = arg.indexOf('.');
    const name = dot < 0 ? arg : arg.slice(0, dot);
    const params = dot < 0 ? undefined : arg.slice(dot + 1);
    if (params === '') throw new UserError(`trec_eval measure '${arg}': nothing after the '.'`);
    const inSet = SETS[name];
    if (inSet) {
      selection.runid = selection.numQ = true;
      for (const family of TREC_FAMILIES) if (inSet(family)) mark(family, undefined);
    } else if (name === 'runid') selection.runid = true;
    else if (name === 'num_q') selection.numQ = true;
    else {
      const family = TREC_FAMILIES.find((f) => f.trecName === name);
      if (!family) {
        throw new UserError(
          `unknown trec_eval measure '${arg}'. Supported: ${TREC_FAMILIES.map((f) => f.trecName).join(', ')}, runid, num_q, ${Object.keys(SETS).join(', ')}`,
        );
      }
      if (params !== undefined && family.style === 'none')
        throw new UserError(`trec_eval measure '${name}' takes no parameters (got '${arg}')`);
      mark(family, params);
    }
  }
  selection.families = TREC_FAMILIES.filter((f) => chosen.has(f)).map((family) => ({
    family,
    params: chosen.get(family),
  }));
  return selection;
}

/** One printed row per query (and in `all`): a registry measure, or relstring's text. */
export interface TrecRow {
  /** The name trec_eval prints: P_5, iprec_at_recall_0.10, ndcg_1=3,2=9. */
  name: string;
  scope: 'both' | 'query' | 'summary';
  /** Absent for relstring, whose text is the evaluation's label. */
  measure?: Measure;
}

export interface TrecRows {
  rows: TrecRow[];
  /**
   * The registry measures to evaluate, in row order. A judged query the run lacks is evaluated (with -c) as
   * trec_eval 10.0 does: as one document outside the qrels, then its rows named exactly num_ret, utility and
   * rbp_resid, and those starting with unj, are zeroed (`missingValue`); parameters change a name, and so
   * which rows are zeroed.
   */
  measures: Measure[];
  /** relstring's text for a query, when it is asked for: the evaluation's `label` option. */
  label?: (r: JudgedRanking) => string;
  /** relstring's text for a query the run lacks: cleared when it is named exactly relstring. */
  missingLabel?: string;
}

/** The rows trec_eval zeroes for a query the run lacks (trec_eval.c picks them by their printed name). */
function zeroedWhenMissing(name: string): boolean {
  return name === 'num_ret' || name === 'utility' || name === 'rbp_resid' || name.startsWith('unj');
}

/** The rows a selection prints; `docs` is trec_eval's -N (documents in the collection, for utility). */
export function trecRows(selection: TrecSelection, docs: number): TrecRows {
  const result: TrecRows = { rows: [], measures: [] };
  for (const { family, params } of selection.families) {
    const scope = family.scope ?? 'both';
    // The registry's own missingValue gives way to trec_eval's rule by name.
    const add = (name: string, { missingValue: _, ...measure }: Measure): void => {
      const evaluated: Measure = zeroedWhenMissing(name) ? { ...measure, missingValue: 0 } : measure;
      result.rows.push({ name, scope, measure: evaluated });
      result.measures.push(evaluated);
    };
    const registry = family.family as string;
    if (family.style === 'none') add(family.trecName, makeMeasure(registry, undefined));
    else if (family.style === 'cutoffs' || family.style === 'fractions') {
      const cutoffs = params === undefined ? (family.defaults ?? []) : parseCutoffs(family, params);
      for (const k of cutoffs) {
        const suffix = family.style === 'cutoffs' ? String(k) : formatFixed(k, 2);
        add(`${family.trecName}_${suffix}`, makeMeasure(registry, k));
      }
    } else {
      const name = params === undefined ? family.trecName : `${family.trecName}_${params}`;
      const given = params === undefined ? defaultParams(family) : parseGiven(family, params);
      if (family.family === undefined) {
        const length = relstringLength(given);
        result.rows.push({ name, scope });
        result.label = (r) => relString(r, length);
        if (name === 'relstring') result.missingLabel = '';
      } else add(name, makeMeasure(registry, undefined, family.params?.(given, docs)));
    }
  }
  return result;
}

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function parseNumber(family: TrecFamily, text: string): number {
  if (!NUMBER.test(text))
    throw new UserError(`trec_eval measure '${family.trecName}': '${text}' is not a number`);
  return Number(text);
}

/**
 * "5,10,23.4" → [5, 10, 23]: sorted, repeats refused; rank cutoffs are truncated to integers and must be
 * positive, as trec_eval reads them (real cutoffs such as recall levels are kept as numbers).
 */
function parseCutoffs(family: TrecFamily, params: string): number[] {
  const ranks = family.style === 'cutoffs';
  const cutoffs = params.split(',').map((text) => {
    const value = parseNumber(family, text);
    return ranks ? Math.trunc(value) : value;
  });
  if (ranks && cutoffs.some((k) => k <= 0))
    throw new UserError(`trec_eval measure '${family.trecName}.${params}': cutoffs must be positive`);
  if (new Set(cutoffs).size !== cutoffs.length)
    throw new UserError(`trec_eval measure '${family.trecName}.${params}': repeated cutoff`);
  return cutoffs.sort((a, b) => a - b);
}

function defaultParams(family: TrecFamily): GivenParams {
  return { numbers: [...(family.defaults ?? [])], pairs: [] };
}

/** "1,-1,0,0" as numbers, or "1=3,2=9" as name=value pairs, per the measure's style. */
function parseGiven(family: TrecFamily, params: string): GivenParams {
  const parts = params.split(',');
  if (family.style === 'numbers')
    return { numbers: parts.map((text) => parseNumber(family, text)), pairs: [] };
  const pairs = parts.map((part): [string, number] => {
    const [name = '', value, ...rest] = part.split('=');
    if (value === undefined || rest.length > 0)
      throw new UserError(`trec_eval measure '${family.trecName}': '${part}' is not name=value`);
    return [name, parseNumber(family, value)];
  });
  return { numbers: [], pairs };
}

export interface TrecPrintOptions {
  perQuery: boolean;
  /** trec_eval -c: with it, the `all` row of num_rel counts every positive judgment in the qrels. */
  completeQueries: boolean;
  runId: string;
  qrels: Qrels;
  /** -Z: the values are z-scores; their rows (num_q too) are printed "Z" + name, every value as a rate. */
  zscores?: boolean;
}

/** trec_eval's output lines for one evaluation of `rows.measures` (with `rows.label`, when set). */
export function formatTrecEval(
  evaluation: RunEvaluation,
  rows: TrecRow[],
  selection: TrecSelection,
  options: TrecPrintOptions,
): string[] {
  const lines: string[] = [];
  const line = (name: string, qid: string, value: string): void => {
    lines.push(`${name.padEnd(22)}\t${qid}\t${value}`);
  };
  const z = options.zscores === true;
  const scored = (name: string): string => (z ? `Z${name.padEnd(22)}` : name);
  const columns = new Map(
    rows.map((row) => [row, row.measure ? evaluation.measures.indexOf(row.measure) : -1]),
  );
  // Counts print as trec_eval's (long) cast, but as rates once turned into z-scores.
  const print = (row: TrecRow, value: number): string =>
    row.measure?.aggregate === 'sum' && !z ? String(Math.trunc(value)) : printf6_4(value);
  if (options.perQuery) {
    evaluation.qids.forEach((qid, q) => {
      for (const row of rows) {
        if (row.scope === 'summary') continue;
        const column = columns.get(row) as number;
        if (column < 0) line(row.name, qid, `'${evaluation.labels?.[q] ?? ''}'`);
        else line(scored(row.name), qid, print(row, evaluation.values[column]?.[q] ?? 0));
      }
    });
  }
  if (selection.runid) line('runid', 'all', options.runId);
  const numQ = evaluation.qids.length;
  if (selection.numQ) line(scored('num_q'), 'all', z ? printf6_4(numQ) : String(numQ));
  for (const row of rows) {
    if (row.scope === 'query') continue;
    const value =
      row.name === 'num_rel' && options.completeQueries
        ? countPositiveJudgments(options.qrels)
        : (evaluation.aggregates[columns.get(row) as number] ?? 0);
    line(scored(row.name), 'all', print(row, value));
  }
  return lines;
}

/**
 * printf("%6.4f"): 4 decimals, and the width only shows for what is not finite (a division by 0 in G or
 * ndcg_rel with gains that are not positive): "   inf", as glibc prints it; 0/0 is "-nan" on x86.
 */
function printf6_4(value: number): string {
  if (Number.isFinite(value)) return formatFixed4(value);
  return (Number.isNaN(value) ? '-nan' : value > 0 ? 'inf' : '-inf').padStart(6);
}

function countPositiveJudgments(qrels: Qrels): number {
  let count = 0;
  for (const judgments of qrels.values()) for (const rel of judgments.values()) if (rel > 0) count++;
  return count;
}
