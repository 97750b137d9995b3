import { UserError } from '../errors.js';
import { gMeasure, ndcgRel, ndcgWithGains, RBP_PERSISTENCE, rbp, rbpResidual, rNdcg } from './gains.js';
import {
  averageInterpolatedPrecision,
  ELEVEN_POINTS,
  interpolatedPrecision,
  rPrecisionMultiple,
} from './interpolated.js';
import {
  formatParams,
  type MeasureParams,
  type ParamName,
  parseParams,
  splitTopLevel,
} from './measure-params.js';
import * as m from './measures.js';
import type { JudgedRanking } from './rank.js';
import * as set from './set-measures.js';

/**
 * The measure registry: canonical names as ir_measures and ranx write them ("nDCG@10", "RR", "AP@100",
 * "SetF(beta=2)"), parsed case-insensitively with a few common aliases (MRR, MAP, Recall@k, Hit@k) and
 * trec_eval's own names (bpref, set_P, iprec_at_recall…).
 */

/**
 * How per-query values become the run's figure: the mean; the sum (counts, as trec_eval); or the geometric
 * mean with trec_eval's floor of 0.00001 per query (gm_map, gm_bpref), so one query at 0 does not zero the whole.
 */
export type Aggregate = 'mean' | 'sum' | 'geometric';

type PerQuery = (r: JudgedRanking) => number;

interface Family {
  /** Canonical name, printed in tables and JSON. */
  name: string;
  aliases: string[];
  /** 'required' needs @k, 'optional' may have one, 'none' takes none. */
  cutoff: 'required' | 'optional' | 'none';
  /** Cutoffs are ranks (positive integers), or for 'fraction' a number ≥ 0: a recall level, a multiple of R. */
  cutoffKind?: 'fraction';
  /** Parameters accepted in parentheses, in their canonical order. */
  params?: ParamName[];
  aggregate: Aggregate;
  /** The per-query function for cutoff k (Infinity without one) and the parameters given. */
  bind: (k: number, params: MeasureParams) => PerQuery;
  /** The value of a judged query the run lacks, when not the value of an empty ranking (trec_eval zeroes utility). */
  missingValue?: number;
  description: string;
}

/** A family whose value needs only the ranking, or the ranking and a cutoff. */
const plain =
  (compute: (r: JudgedRanking, k: number) => number) =>
  (k: number): PerQuery =>
  (r) =>
    compute(r, k);

/** Gains as given, or none: the grades themselves. */
const gainsOf = (params: MeasureParams) => params.gains ?? [];

const FAMILIES: Family[] = [
  {
    name: 'P',
    aliases: ['precision'],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.precision),
    description: 'precision: relevant in the top k ÷ k',
  },
  {
    name: 'R',
    aliases: ['recall'],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.recall),
    description: 'recall: relevant in the top k ÷ all relevant',
  },
  {
    name: 'RR',
    aliases: ['mrr', 'recip_rank'],
    cutoff: 'optional',
    aggregate: 'mean',
    bind: plain(m.reciprocalRank),
    description: 'reciprocal rank of the first relevant document (its mean is MRR)',
  },
  {
    name: 'AP',
    aliases: ['map'],
    cutoff: 'optional',
    aggregate: 'mean',
    bind: plain(m.averagePrecision),
    description: 'average precision (its mean is MAP)',
  },
  {
    name: 'GMAP',
    aliases: ['gm_map'],
    cutoff: 'none',
    aggregate: 'geometric',
    bind: plain(m.averagePrecision),
    description: 'average precision, geometric mean over queries (each floored at 0.00001)',
  },
  {
    name: 'nDCG',
    aliases: ['ndcg'],
    cutoff: 'optional',
    params: ['gains'],
    aggregate: 'mean',
    bind: (k, params) =>
      params.gains === undefined ? (r) => m.ndcg(r, k) : (r) => ndcgWithGains(r, gainsOf(params), k),
    description: 'normalised discounted cumulative gain, linear gains as trec_eval (gains={grade:gain,…})',
  },
  {
    name: 'Rprec',
    aliases: ['r-prec', 'rprecision'],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(m.rPrecision),
    description: 'precision at rank R (R = number of relevant documents)',
  },
  {
    name: 'Success',
    aliases: ['hit', 'hitrate', 'hit_rate'],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.success),
    description: 'hit rate: 1 if a relevant document is in the top k',
  },
  {
    name: 'Judged',
    aliases: [],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.judged),
    description: 'share of the documents retrieved in the top k that are judged',
  },
  {
    name: 'Bpref',
    aliases: [],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(m.bpref),
    description: 'binary preference: relevant documents ranked above judged non-relevant ones',
  },
  {
    name: 'GMBpref',
    aliases: ['gm_bpref'],
    cutoff: 'none',
    aggregate: 'geometric',
    bind: plain(m.bpref),
    description: 'bpref, geometric mean over queries (each floored at 0.00001)',
  },
  {
    name: 'infAP',
    aliases: [],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(m.infAP),
    description: 'inferred AP, for sampled judgments',
  },
  {
    name: 'IPrec',
    aliases: ['iprec_at_recall'],
    cutoff: 'required',
    cutoffKind: 'fraction',
    aggregate: 'mean',
    bind: plain(interpolatedPrecision),
    description: 'interpolated precision at recall level k (0 to 1)',
  },
  {
    name: '11ptAvg',
    aliases: ['11pt_avg'],
    cutoff: 'none',
    params: ['levels'],
    aggregate: 'mean',
    bind: (_, params) => (r) => averageInterpolatedPrecision(r, params.levels ?? ELEVEN_POINTS),
    description: 'interpolated precision averaged over recall levels (levels=[…], default 0, 0.1, …, 1)',
  },
  {
    name: 'RprecMult',
    aliases: ['rprec_mult'],
    cutoff: 'required',
    cutoffKind: 'fraction',
    aggregate: 'mean',
    bind: plain(rPrecisionMultiple),
    description: 'precision at rank k × R',
  },
  {
    name: 'RelP',
    aliases: ['relative_p'],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.relativePrecision),
    description: 'relative precision: relevant in the top k ÷ min(k, R)',
  },
  {
    name: 'Unjudged',
    aliases: ['unj'],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.unjudged),
    description: "share of the top k that is unjudged, ÷ k (trec_eval's unj)",
  },
  {
    name: 'binG',
    aliases: [],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(m.binG),
    description: 'binary G: 1 ÷ log2(2 + non-relevant above) per relevant document, ÷ R',
  },
  {
    name: 'G',
    aliases: [],
    cutoff: 'none',
    params: ['gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => gMeasure(r, gainsOf(params)),
    description: "trec_eval's normalised gain G (gains={grade:gain,…})",
  },
  {
    name: 'nDCGRel',
    aliases: ['ndcg_rel'],
    cutoff: 'none',
    params: ['gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => ndcgRel(r, gainsOf(params)),
    description: 'nDCG averaged over the relevant documents (gains={grade:gain,…})',
  },
  {
    name: 'RnDCG',
    aliases: ['rndcg'],
    cutoff: 'none',
    params: ['gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => rNdcg(r, gainsOf(params)),
    description: 'nDCG averaged at the R levels of each grade (gains={grade:gain,…})',
  },
  {
    name: 'RBP',
    aliases: [],
    cutoff: 'none',
    params: ['p', 'gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => rbp(r, params.p ?? RBP_PERSISTENCE, gainsOf(params)),
    description: 'rank-biased precision (p=0.9, gains={grade:gain,…})',
  },
  {
    name: 'RBPResid',
    aliases: ['rbp_resid'],
    cutoff: 'none',
    params: ['p'],
    aggregate: 'mean',
    bind: (_, params) => (r) => rbpResidual(r, params.p ?? RBP_PERSISTENCE),
    description: "RBP's residual: what unjudged documents could still add (p=0.9)",
  },
  {
    name: 'SetP',
    aliases: ['set_p'],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(set.setPrecision),
    description: 'precision of the whole retrieved set',
  },
  {
    name: 'SetR',
    aliases: ['set_recall'],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(set.setRecall),
    description: 'recall of the whole retrieved set',
  },
  {
    name: 'SetRelP',
    aliases: ['set_relative_p'],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(set.setRelativePrecision),
    description: 'relevant retrieved ÷ min(retrieved, R)',
  },
  {
    name: 'SetAP',
    aliases: ['set_map'],
    cutoff: 'none',
    aggregate: 'mean',
    bind: plain(set.setAveragePrecision),
    description: 'set precision × set recall',
  },
  {
    name: 'SetF',
    aliases: ['set_f'],
    cutoff: 'none',
    params: ['beta'],
    aggregate: 'mean',
    bind: (_, params) => (r) => set.setF(r, params.beta ?? 1),
    description: 'F-measure of the retrieved set (beta=1)',
  },
  {
    name: 'Utility',
    aliases: [],
    cutoff: 'none',
    params: ['weights', 'docs'],
    aggregate: 'mean',
    bind: (_, params) => (r) => set.utility(r, params.weights ?? [1, -1, 0, 0], params.docs ?? 0),
    missingValue: 0,
    description: 'weighted contingency table of the retrieved set (weights=[1,-1,0,0], docs=0)',
  },
  {
    name: 'NumRel',
    aliases: ['num_rel'],
    cutoff: 'none',
    aggregate: 'sum',
    bind: plain(m.numRel),
    description: 'number of relevant judgments',
  },
  {
    name: 'NumRet',
    aliases: ['num_ret'],
    cutoff: 'none',
    aggregate: 'sum',
    bind: plain(m.numRet),
    description: 'number of documents retrieved',
  },
  {
    name: 'NumRelRet',
    aliases: ['num_rel_ret'],
    cutoff: 'none',
    aggregate: 'sum',
    bind: plain(m.numRelRet),
    description: 'number of relevant documents retrieved',
  },
  {
    name: 'NumNonRelJudgedRet',
    aliases: ['num_nonrel_judged_ret'],
    cutoff: 'none',
    aggregate: 'sum',
    bind: plain(m.numNonrelJudgedRet),
    description: 'number of judged non-relevant documents retrieved',
  },
];

const BY_NAME = new Map<string, Family>();
for (const family of FAMILIES) {
  for (const key of [family.name, ...family.aliases]) BY_NAME.set(key.toLowerCase(), family);
}

/** A parsed measure: a family, its cutoff (undefined = whole ranking) and its parameters. */
export interface Measure {
  /** Canonical name, e.g. "nDCG@10", "SetF(beta=2)". */
  name: string;
  family: string;
  cutoff: number | undefined;
  params: MeasureParams;
  aggregate: Aggregate;
  compute: (r: JudgedRanking) => number;
  /** The value of a judged query the run lacks, when not `compute` of an empty ranking. */
  missingValue?: number;
}

export function makeMeasure(
  familyName: string,
  cutoff: number | undefined,
  params: MeasureParams = {},
): Measure {
  const family = BY_NAME.get(familyName.toLowerCase());
  if (!family) throw new UserError(`unknown measure '${familyName}'. Valid measures: ${validMeasureList()}`);
  if (cutoff === undefined && family.cutoff === 'required') {
    throw new UserError(
      `measure '${family.name}' needs a cutoff, e.g. ${family.name}@${exampleCutoff(family)}`,
    );
  }
  if (cutoff !== undefined && family.cutoff === 'none') {
    throw new UserError(`measure '${family.name}' takes no cutoff`);
  }
  if (cutoff !== undefined && !validCutoff(family, cutoff)) {
    const kind = family.cutoffKind === 'fraction' ? 'a number ≥ 0' : 'a positive integer';
    throw new UserError(`measure '${family.name}': cutoff must be ${kind}, got ${cutoff}`);
  }
  const unknown = Object.keys(params).filter((key) => !(family.params ?? []).includes(key as ParamName));
  if (unknown.length > 0)
    throw new UserError(`measure '${family.name}' takes no parameter ${unknown.join(', ')}`);
  const k = cutoff ?? Number.POSITIVE_INFINITY;
  return {
    name: `${family.name}${formatParams(params, family.params ?? [])}${cutoff === undefined ? '' : `@${cutoff}`}`,
    family: family.name,
    cutoff,
    params,
    aggregate: family.aggregate,
    compute: family.bind(k, params),
    ...(family.missingValue === undefined ? {} : { missingValue: family.missingValue }),
  };
}

function validCutoff(family: Family, cutoff: number): boolean {
  return family.cutoffKind === 'fraction'
    ? Number.isFinite(cutoff) && cutoff >= 0
    : Number.isInteger(cutoff) && cutoff > 0;
}

function exampleCutoff(family: Family): string {
  return family.cutoffKind === 'fraction' ? '0.5' : '10';
}

/** Parses "nDCG@10", "mrr", "recall@5", "SetF(beta=2)", "nDCG(gains={1:3,2:9})@10" into a measure. */
export function parseMeasure(text: string): Measure {
  const match = /^\s*([A-Za-z0-9_-]+)\s*(?:\((.*)\))?\s*(?:@\s*([^\s()]+))?\s*$/.exec(text);
  if (!match) throw new UserError(`cannot read measure '${text}'. Valid measures: ${validMeasureList()}`);
  const [, familyName = '', paramsText, cutoffText] = match;
  const family = BY_NAME.get(familyName.toLowerCase());
  if (!family) throw new UserError(`unknown measure '${familyName}'. Valid measures: ${validMeasureList()}`);
  const pattern = family.cutoffKind === 'fraction' ? /^(\d+\.?\d*|\.\d+)$/ : /^\d+$/;
  if (cutoffText !== undefined && !pattern.test(cutoffText)) {
    const kind = family.cutoffKind === 'fraction' ? 'a number ≥ 0' : 'a positive integer';
    throw new UserError(`measure '${text}': cutoff must be ${kind}`);
  }
  const params = paramsText === undefined ? {} : parseParams(family.name, paramsText, family.params ?? []);
  return makeMeasure(family.name, cutoffText === undefined ? undefined : Number(cutoffText), params);
}

/** Parses a comma-separated list ("R@5,P@5,RR,SetF(beta=2)"), refusing duplicates. */
export function parseMeasureList(text: string): Measure[] {
  const measures = splitTopLevel(text)
    .filter((part) => part.trim() !== '')
    .map(parseMeasure);
  const seen = new Set<string>();
  for (const measure of measures) {
    if (seen.has(measure.name)) throw new UserError(`measure '${measure.name}' is listed twice`);
    seen.add(measure.name);
  }
  if (measures.length === 0) throw new UserError(`no measures given. Valid measures: ${validMeasureList()}`);
  return measures;
}

/** "nDCG[(gains)][@k]": how a family is written. */
function synopsis(f: Family): string {
  const params = f.params ? `[(${f.params.join(',')})]` : '';
  return `${f.name}${params}${f.cutoff === 'none' ? '' : f.cutoff === 'required' ? '@k' : '[@k]'}`;
}

export function validMeasureList(): string {
  return FAMILIES.map(synopsis).join(', ');
}

/** One line per family, for `--help`-style listings. */
export function describeMeasures(): string[] {
  return FAMILIES.map((f) => `${synopsis(f)}: ${f.description}`);
}
