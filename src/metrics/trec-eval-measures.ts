import { UserError } from '../errors.js';
import type { GainPairs } from './gains.js';
import { ELEVEN_POINTS } from './interpolated.js';
import type { MeasureParams } from './measure-params.js';
import type { UtilityWeights } from './set-measures.js';

/**
 * trec_eval's measures (measures.c), in its print order, each with how it reads the parameters after its dot
 * and the registry family that computes it.
 */

/**
 * How a measure reads `-m name.params`:
 * - 'cutoffs': ranks (P.5,10), sorted, one row each, printed name_k;
 * - 'fractions': numbers (iprec_at_recall.0.1,0.5), sorted, one row each, printed name_0.10;
 * - 'numbers': one row from a list of numbers (utility.1,-1,0,0), printed name_<params as given>;
 * - 'pairs': one row from name=value pairs (ndcg.1=3,2=9), printed name_<params as given>.
 */
export type ParamStyle = 'none' | 'cutoffs' | 'fractions' | 'numbers' | 'pairs';

/** What a 'numbers' or 'pairs' measure was given. */
export interface GivenParams {
  numbers: number[];
  pairs: [string, number][];
}

export interface TrecFamily {
  /** trec_eval's name, as given to -m and printed (with _k for cutoffs). */
  trecName: string;
  /** The registry family that computes it; relstring has none (it prints text). */
  family?: string;
  style: ParamStyle;
  /** Used when -m names the measure without parameters. */
  defaults?: readonly number[];
  /** The registry parameters for what was given, and trec_eval's -N (documents in the collection). */
  params?: (given: GivenParams, docs: number) => MeasureParams;
  /** In trec_eval's "official" set (the default) and its "set" set; "all_trec" has every measure. */
  official?: true;
  set?: true;
  /** Printed only per query (relstring) or only in the `all` row (the geometric means). */
  scope?: 'query' | 'summary';
}

const STANDARD_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000];

function exactly(trecName: string, count: number, numbers: number[]): number[] {
  if (numbers.length !== count) {
    throw new UserError(
      `trec_eval measure '${trecName}' takes ${count} parameter${count === 1 ? '' : 's'}, got ${numbers.length}`,
    );
  }
  return numbers;
}

/** name=value pairs whose names are grades (integers, as trec_eval reads them), and `p` where allowed. */
function readPairs(trecName: string, pairs: [string, number][], allowP: boolean): MeasureParams {
  const gains: [number, number][] = [];
  let p: number | undefined;
  for (const [name, value] of pairs) {
    if (allowP && name === 'p') p = value;
    else if (/^[+-]?\d+$/.test(name)) gains.push([Number(name), value]);
    else
      throw new UserError(
        `trec_eval measure '${trecName}': '${name}' is not a grade${allowP ? ' or p' : ''}`,
      );
  }
  return { ...(p === undefined ? {} : { p }), ...(gains.length > 0 ? { gains: gains as GainPairs } : {}) };
}

const gainPairs = (trecName: string) => (given: GivenParams) => readPairs(trecName, given.pairs, false);

/** In trec_eval's print order. */
export const TREC_FAMILIES: TrecFamily[] = [
  { trecName: 'num_ret', family: 'NumRet', style: 'none', official: true, set: true },
  { trecName: 'num_rel', family: 'NumRel', style: 'none', official: true, set: true },
  { trecName: 'num_rel_ret', family: 'NumRelRet', style: 'none', official: true, set: true },
  { trecName: 'map', family: 'AP', style: 'none', official: true },
  { trecName: 'gm_map', family: 'GMAP', style: 'none', official: true, scope: 'summary' },
  { trecName: 'Rprec', family: 'Rprec', style: 'none', official: true },
  { trecName: 'bpref', family: 'Bpref', style: 'none', official: true },
  { trecName: 'recip_rank', family: 'RR', style: 'none', official: true },
  {
    trecName: 'iprec_at_recall',
    family: 'IPrec',
    style: 'fractions',
    defaults: ELEVEN_POINTS,
    official: true,
  },
  { trecName: 'P', family: 'P', style: 'cutoffs', defaults: STANDARD_CUTOFFS, official: true },
  { trecName: 'relstring', style: 'numbers', defaults: [10], scope: 'query' },
  { trecName: 'recall', family: 'R', style: 'cutoffs', defaults: STANDARD_CUTOFFS },
  { trecName: 'infAP', family: 'infAP', style: 'none' },
  { trecName: 'gm_bpref', family: 'GMBpref', style: 'none', scope: 'summary' },
  {
    trecName: 'Rprec_mult',
    family: 'RprecMult',
    style: 'fractions',
    defaults: [0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2],
  },
  {
    trecName: 'utility',
    family: 'Utility',
    style: 'numbers',
    defaults: [1, -1, 0, 0],
    params: ({ numbers }, docs) => ({
      weights: exactly('utility', 4, numbers) as unknown as UtilityWeights,
      docs,
    }),
    set: true,
  },
  {
    trecName: '11pt_avg',
    family: '11ptAvg',
    style: 'numbers',
    defaults: ELEVEN_POINTS,
    params: ({ numbers }) => ({ levels: numbers }),
  },
  { trecName: 'binG', family: 'binG', style: 'none' },
  { trecName: 'G', family: 'G', style: 'pairs', params: gainPairs('G') },
  { trecName: 'ndcg', family: 'nDCG', style: 'pairs', params: gainPairs('ndcg') },
  { trecName: 'ndcg_rel', family: 'nDCGRel', style: 'pairs', params: gainPairs('ndcg_rel') },
  { trecName: 'Rndcg', family: 'RnDCG', style: 'pairs', params: gainPairs('Rndcg') },
  { trecName: 'ndcg_cut', family: 'nDCG', style: 'cutoffs', defaults: STANDARD_CUTOFFS },
  { trecName: 'map_cut', family: 'AP', style: 'cutoffs', defaults: STANDARD_CUTOFFS },
  { trecName: 'relative_P', family: 'RelP', style: 'cutoffs', defaults: STANDARD_CUTOFFS },
  { trecName: 'success', family: 'Success', style: 'cutoffs', defaults: [1, 5, 10] },
  { trecName: 'set_P', family: 'SetP', style: 'none', set: true },
  { trecName: 'set_relative_P', family: 'SetRelP', style: 'none', set: true },
  { trecName: 'set_recall', family: 'SetR', style: 'none', set: true },
  { trecName: 'set_map', family: 'SetAP', style: 'none', set: true },
  {
    trecName: 'set_F',
    family: 'SetF',
    style: 'numbers',
    defaults: [1],
    params: ({ numbers }) => ({ beta: exactly('set_F', 1, numbers)[0] as number }),
    set: true,
  },
  { trecName: 'num_nonrel_judged_ret', family: 'NumNonRelJudgedRet', style: 'none' },
  {
    trecName: 'rbp',
    family: 'RBP',
    style: 'pairs',
    params: ({ pairs }) => readPairs('rbp', pairs, true),
  },
  {
    trecName: 'rbp_resid',
    family: 'RBPResid',
    style: 'pairs',
    params: ({ pairs }) => {
      const params = readPairs('rbp_resid', pairs, true);
      if (params.gains) throw new UserError("trec_eval measure 'rbp_resid' takes only p (it uses no gains)");
      return params;
    },
  },
  { trecName: 'unj', family: 'Unjudged', style: 'cutoffs', defaults: [5, 10, 20] },
];

/** relstring's length when given: its only parameter. */
export function relstringLength(given: GivenParams): number {
  return exactly('relstring', 1, given.numbers)[0] as number;
}
