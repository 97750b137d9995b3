import { UserError } from '../errors.js';
import type { RunEvaluation } from './evaluate.js';
import { formatFixed4 } from './format.js';
import { type Measure, makeMeasure } from './registry.js';
import type { Qrels } from './types.js';

/**
 * trec_eval compatibility: its measure names (`-m P.5,10`, `ndcg_cut.10`, `all_trec`), its fixed print
 * order and its three-column output. The measures themselves are the registry's.
 */

interface TrecFamily {
  /** trec_eval's name, as given to -m and printed (with _k for cutoffs). */
  trecName: string;
  /** Our family name in the registry. */
  family: string;
  /** Cutoffs used when -m names the family without parameters; undefined: the family takes none. */
  defaultCutoffs?: number[];
  official: boolean;
}

const STANDARD_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000];

/** In trec_eval's print order. */
const TREC_FAMILIES: TrecFamily[] = [
  { trecName: 'num_ret', family: 'NumRet', official: true },
  { trecName: 'num_rel', family: 'NumRel', official: true },
  { trecName: 'num_rel_ret', family: 'NumRelRet', official: true },
  { trecName: 'map', family: 'AP', official: true },
  { trecName: 'Rprec', family: 'Rprec', official: true },
  { trecName: 'recip_rank', family: 'RR', official: true },
  { trecName: 'P', family: 'P', defaultCutoffs: STANDARD_CUTOFFS, official: true },
  { trecName: 'recall', family: 'R', defaultCutoffs: STANDARD_CUTOFFS, official: false },
  { trecName: 'ndcg', family: 'nDCG', official: false },
  { trecName: 'ndcg_cut', family: 'nDCG', defaultCutoffs: STANDARD_CUTOFFS, official: false },
  { trecName: 'map_cut', family: 'AP', defaultCutoffs: STANDARD_CUTOFFS, official: false },
  { trecName: 'success', family: 'Success', defaultCutoffs: [1, 5, 10], official: false },
];

/** trec_eval measures retrieval-gate does not compute, named when a set that contains them is asked for. */
const NOT_COMPUTED =
  'gm_map, bpref, iprec_at_recall, infAP, Rprec_mult, utility, 11pt_avg, relative_P, set_*, rbp and others';

export interface TrecSelection {
  runid: boolean;
  numQ: boolean;
  /** Per selected family, its sorted cutoffs (empty for a family without cutoffs). */
  families: { family: TrecFamily; cutoffs: number[] }[];
  /** Set when a named set (all_trec, official) contains measures we do not compute. */
  omitted?: string;
}

/** Reads trec_eval -m arguments; none at all means trec_eval's default, the "official" set. */
export function parseTrecMeasures(args: string[]): TrecSelection {
  const chosen = new Map<TrecFamily, Set<number>>();
  const selection: TrecSelection = { runid: false, numQ: false, families: [] };
  const addFamily = (family: TrecFamily, cutoffs: number[] | undefined): void => {
    const set = chosen.get(family) ?? new Set<number>();
    for (const k of cutoffs ?? family.defaultCutoffs ?? []) set.add(k);
    chosen.set(family, set);
  };
  const addSet = (official: boolean): void => {
    selection.runid = selection.numQ = true;
    for (const family of TREC_FAMILIES) if (!official || family.official) addFamily(family, undefined);
    selection.omitted = NOT_COMPUTED;
  };
  for (const arg of args.length === 0 ? ['official'] : args) {
    const dot = arg.indexOf('.');
    const name = dot < 0 ? arg : arg.slice(0, dot);
    const params = dot < 0 ? undefined : arg.slice(dot + 1);
    if (name === 'all_trec' || name === 'official') {
      addSet(name === 'official');
      continue;
    }
    if (name === 'runid' || name === 'num_q') {
      if (name === 'runid') selection.runid = true;
      else selection.numQ = true;
      continue;
    }
    const family = TREC_FAMILIES.find((f) => f.trecName === name);
    if (!family) {
      throw new UserError(
        `unknown trec_eval measure '${arg}'. Supported: ${TREC_FAMILIES.map((f) => f.trecName).join(', ')}, runid, num_q, all_trec, official`,
      );
    }
    if (params !== undefined && !family.defaultCutoffs) {
      throw new UserError(`trec_eval measure '${name}' takes no parameters here (got '${arg}')`);
    }
    addFamily(family, params === undefined ? undefined : parseCutoffs(arg, params));
  }
  selection.families = TREC_FAMILIES.filter((f) => chosen.has(f)).map((family) => ({
    family,
    cutoffs: [...(chosen.get(family) ?? [])].sort((a, b) => a - b),
  }));
  return selection;
}

/** "5,10,23.4" → [5, 10, 23]: trec_eval reads cutoffs as integers and refuses repeats and non-positives. */
function parseCutoffs(arg: string, params: string): number[] {
  const cutoffs = params.split(',').map((text) => {
    if (!/^\s*\d+(\.\d*)?\s*$/.test(text)) {
      throw new UserError(
        `trec_eval measure '${arg}': '${text}' is not a cutoff (custom gains and other parameters are not supported)`,
      );
    }
    return Math.trunc(Number(text));
  });
  if (cutoffs.some((k) => k <= 0))
    throw new UserError(`trec_eval measure '${arg}': cutoffs must be positive`);
  if (new Set(cutoffs).size !== cutoffs.length)
    throw new UserError(`trec_eval measure '${arg}': repeated cutoff`);
  return cutoffs;
}

/** The registry measures a selection needs, in print order, each with the name trec_eval prints. */
export function selectionMeasures(selection: TrecSelection): { trecName: string; measure: Measure }[] {
  return selection.families.flatMap(({ family, cutoffs }) =>
    family.defaultCutoffs
      ? cutoffs.map((k) => ({ trecName: `${family.trecName}_${k}`, measure: makeMeasure(family.family, k) }))
      : [{ trecName: family.trecName, measure: makeMeasure(family.family, undefined) }],
  );
}

export interface TrecPrintOptions {
  perQuery: boolean;
  /** trec_eval -c: with it, the `all` row of num_rel counts every positive judgment in the qrels. */
  completeQueries: boolean;
  runId: string;
  qrels: Qrels;
}

/** trec_eval's output lines for one evaluation whose measures came from `selectionMeasures`. */
export function formatTrecEval(
  evaluation: RunEvaluation,
  trecNames: string[],
  selection: TrecSelection,
  options: TrecPrintOptions,
): string[] {
  const lines: string[] = [];
  const row = (name: string, qid: string, value: string): void => {
    lines.push(`${name.padEnd(22)}\t${qid}\t${value}`);
  };
  const print = (i: number, value: number): string =>
    evaluation.measures[i]?.aggregate === 'sum' ? String(value) : formatFixed4(value);
  if (options.perQuery) {
    evaluation.qids.forEach((qid, q) => {
      trecNames.forEach((name, i) => {
        row(name, qid, print(i, evaluation.values[i]?.[q] ?? 0));
      });
    });
  }
  if (selection.runid) row('runid', 'all', options.runId);
  if (selection.numQ) row('num_q', 'all', String(evaluation.qids.length));
  trecNames.forEach((name, i) => {
    const value =
      name === 'num_rel' && options.completeQueries
        ? countPositiveJudgments(options.qrels)
        : (evaluation.aggregates[i] ?? 0);
    row(name, 'all', print(i, value));
  });
  return lines;
}

function countPositiveJudgments(qrels: Qrels): number {
  let count = 0;
  for (const judgments of qrels.values()) for (const rel of judgments.values()) if (rel > 0) count++;
  return count;
}
