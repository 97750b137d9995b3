import { UserError } from '../errors.js';
import { err, normalisedErr } from './cascade.js';
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
import { atLevel, binaryGrades, type JudgedRanking, judgedOnly } from './rank.js';
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
  /** Parameters accepted in parentheses, in their canonical order (besides `judged_only`, which all take). */
  params?: ParamName[];
  /** Reads relevance as binary at a threshold: takes `rel=`, which overrides the run's level for it. */
  binary?: boolean;
  /** Other names that stand for the family with parameters set (ranx's `ndcg_burges`). */
  presets?: Record<string, MeasureParams>;
  aggregate: Aggregate;
  /**
   * The values its aggregate takes: 'unit' for rates and shares in [0, 1], the default of a mean or a
   * geometric mean; 'unbounded' for counts, unnormalised gains and weighted utilities (and every sum).
   */
  range?: 'unit' | 'unbounded';
  /** The per-query function for cutoff k (Infinity without one) and the parameters given. */
  bind: (k: number, params: MeasureParams) => PerQuery;
  /** The value of a judged query the run lacks, when not the value of an empty ranking (trec_eval zeroes utility). */
  missingValue?: number;
  description: string;
  /** Whose definition it follows: the tool and its measure's name there, or the paper. */
  source: string;
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
    binary: true,
    aggregate: 'mean',
    bind: plain(m.precision),
    description: 'precision: relevant in the top k ÷ k',
    source: 'trec_eval P',
  },
  {
    name: 'R',
    aliases: ['recall'],
    cutoff: 'required',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.recall),
    description: 'recall: relevant in the top k ÷ all relevant',
    source: 'trec_eval recall',
  },
  {
    name: 'RR',
    aliases: ['mrr', 'recip_rank'],
    cutoff: 'optional',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.reciprocalRank),
    description: 'reciprocal rank of the first relevant document (its mean is MRR)',
    source: 'trec_eval recip_rank',
  },
  {
    name: 'AP',
    aliases: ['map'],
    cutoff: 'optional',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.averagePrecision),
    description: 'average precision (its mean is MAP)',
    source: 'trec_eval map, map_cut',
  },
  {
    name: 'GMAP',
    aliases: ['gm_map'],
    cutoff: 'none',
    binary: true,
    aggregate: 'geometric',
    bind: plain(m.averagePrecision),
    description: 'average precision, geometric mean over queries (each floored at 0.00001)',
    source: 'trec_eval gm_map',
  },
  {
    name: 'nDCG',
    aliases: ['ndcg'],
    cutoff: 'optional',
    params: ['gains', 'dcg'],
    presets: { ndcg_burges: { dcg: 'exp-log2' } },
    aggregate: 'mean',
    bind: (k, params) => {
      if (params.gains === undefined) return (r) => m.ndcg(r, k, params.dcg);
      if (params.dcg === 'exp-log2')
        throw new UserError("measure 'nDCG': give gains={…} or dcg=exp-log2, not both");
      return (r) => ndcgWithGains(r, gainsOf(params), k);
    },
    description:
      'normalised discounted cumulative gain: linear gains as trec_eval, gains={grade:gain,…}, or dcg=exp-log2 (2^grade − 1, also ndcg_burges)',
    source: 'trec_eval ndcg, ndcg_cut; exp-log2: ir_measures, ranx ndcg_burges, gdeval',
  },
  {
    name: 'Rprec',
    aliases: ['r-prec', 'rprecision', 'r-precision', 'r_precision'],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.rPrecision),
    description: 'precision at rank R (R = number of relevant documents)',
    source: 'trec_eval Rprec',
  },
  {
    name: 'Success',
    aliases: ['hit', 'hitrate', 'hit_rate'],
    cutoff: 'required',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.success),
    description: 'hit rate: 1 if a relevant document is in the top k',
    source: 'trec_eval success',
  },
  {
    name: 'Hits',
    aliases: [],
    cutoff: 'required',
    binary: true,
    aggregate: 'mean',
    range: 'unbounded',
    bind: plain(m.relevantInTop),
    description: "relevant documents in the top k (ranx's hits)",
    source: 'ranx hits',
  },
  {
    name: 'F1',
    aliases: [],
    cutoff: 'required',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.f1),
    description: "harmonic mean of P@k and R@k (ranx's f1)",
    source: 'ranx f1',
  },
  {
    name: 'DCG',
    aliases: ['dcg'],
    cutoff: 'optional',
    params: ['dcg'],
    presets: { dcg_burges: { dcg: 'exp-log2' } },
    aggregate: 'mean',
    range: 'unbounded',
    bind: (k, params) => (r) => m.dcg(r, k, params.dcg),
    description: 'discounted cumulative gain, not normalised (dcg=exp-log2 for 2^grade − 1, also dcg_burges)',
    source: 'ranx dcg, dcg_burges',
  },
  {
    name: 'ERR',
    aliases: [],
    cutoff: 'optional',
    params: ['max_rel'],
    aggregate: 'mean',
    bind: (k, params) => (r) => err(r, k, params.max_rel),
    description: "expected reciprocal rank, gdeval's (max_rel=4: the scale's highest grade)",
    source: 'gdeval err (Chapelle et al., CIKM 2009)',
  },
  {
    name: 'nERR',
    aliases: [],
    cutoff: 'optional',
    params: ['max_rel'],
    aggregate: 'mean',
    bind: (k, params) => (r) => normalisedErr(r, k, params.max_rel),
    description: "ERR ÷ the ideal ranking's ERR at the same cutoff (max_rel=4)",
    source: 'ERR ÷ ideal ERR (Chapelle et al., CIKM 2009)',
  },
  {
    name: 'Judged',
    aliases: [],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.judged),
    description: 'share of the documents retrieved in the top k that are judged',
    source: 'ir_measures Judged',
  },
  {
    name: 'Bpref',
    aliases: [],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.bpref),
    description: 'binary preference: relevant documents ranked above judged non-relevant ones',
    source: 'trec_eval bpref',
  },
  {
    name: 'GMBpref',
    aliases: ['gm_bpref'],
    cutoff: 'none',
    binary: true,
    aggregate: 'geometric',
    bind: plain(m.bpref),
    description: 'bpref, geometric mean over queries (each floored at 0.00001)',
    source: 'trec_eval gm_bpref',
  },
  {
    name: 'infAP',
    aliases: [],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.infAP),
    description: 'inferred AP, for sampled judgments',
    source: 'trec_eval infAP',
  },
  {
    name: 'IPrec',
    aliases: ['iprec_at_recall'],
    cutoff: 'required',
    cutoffKind: 'fraction',
    binary: true,
    aggregate: 'mean',
    bind: plain(interpolatedPrecision),
    description: 'interpolated precision at recall level k (0 to 1)',
    source: 'trec_eval iprec_at_recall',
  },
  {
    name: '11ptAvg',
    aliases: ['11pt_avg'],
    cutoff: 'none',
    params: ['levels'],
    binary: true,
    aggregate: 'mean',
    bind: (_, params) => (r) => averageInterpolatedPrecision(r, params.levels ?? ELEVEN_POINTS),
    description: 'interpolated precision averaged over recall levels (levels=[…], default 0, 0.1, …, 1)',
    source: 'trec_eval 11pt_avg',
  },
  {
    name: 'RprecMult',
    aliases: ['rprec_mult'],
    cutoff: 'required',
    cutoffKind: 'fraction',
    binary: true,
    aggregate: 'mean',
    bind: plain(rPrecisionMultiple),
    description: 'precision at rank k × R',
    source: 'trec_eval Rprec_mult',
  },
  {
    name: 'RelP',
    aliases: ['relative_p'],
    cutoff: 'required',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.relativePrecision),
    description: 'relative precision: relevant in the top k ÷ min(k, R)',
    source: 'trec_eval relative_P',
  },
  {
    name: 'Unjudged',
    aliases: ['unj'],
    cutoff: 'required',
    aggregate: 'mean',
    bind: plain(m.unjudged),
    description: "share of the top k that is unjudged, ÷ k (trec_eval's unj)",
    source: 'trec_eval unj',
  },
  {
    name: 'binG',
    aliases: [],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(m.binG),
    description: 'binary G: 1 ÷ log2(2 + non-relevant above) per relevant document, ÷ R',
    source: 'trec_eval binG',
  },
  {
    name: 'G',
    aliases: [],
    cutoff: 'none',
    params: ['gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => gMeasure(r, gainsOf(params)),
    description: "trec_eval's normalised gain G (gains={grade:gain,…})",
    source: 'trec_eval G',
  },
  {
    name: 'nDCGRel',
    aliases: ['ndcg_rel'],
    cutoff: 'none',
    params: ['gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => ndcgRel(r, gainsOf(params)),
    description: 'nDCG averaged over the relevant documents (gains={grade:gain,…})',
    source: 'trec_eval ndcg_rel',
  },
  {
    name: 'RnDCG',
    aliases: ['rndcg'],
    cutoff: 'none',
    params: ['gains'],
    aggregate: 'mean',
    bind: (_, params) => (r) => rNdcg(r, gainsOf(params)),
    description: 'nDCG averaged at the R levels of each grade (gains={grade:gain,…})',
    source: 'trec_eval Rndcg',
  },
  {
    name: 'RBP',
    aliases: [],
    cutoff: 'none',
    params: ['p', 'gains'],
    binary: true,
    aggregate: 'mean',
    range: 'unbounded',
    bind: (_, params) => {
      const p = params.p ?? RBP_PERSISTENCE;
      if (params.rel === undefined) return (r) => rbp(r, p, gainsOf(params));
      if (params.gains !== undefined) throw new UserError("measure 'RBP': give gains={…} or rel=, not both");
      return (r) => rbp(binaryGrades(r), p, []);
    },
    description: 'rank-biased precision (p=0.9, gains={grade:gain,…}; rel=N reads grades as binary)',
    source: 'trec_eval rbp (Moffat and Zobel, TOIS 2008)',
  },
  {
    name: 'RBPResid',
    aliases: ['rbp_resid'],
    cutoff: 'none',
    params: ['p'],
    aggregate: 'mean',
    bind: (_, params) => (r) => rbpResidual(r, params.p ?? RBP_PERSISTENCE),
    description: "RBP's residual: what unjudged documents could still add (p=0.9)",
    source: 'trec_eval rbp_resid',
  },
  {
    name: 'SetP',
    aliases: ['set_p'],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(set.setPrecision),
    description: 'precision of the whole retrieved set',
    source: 'trec_eval set_P',
  },
  {
    name: 'SetR',
    aliases: ['set_recall'],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(set.setRecall),
    description: 'recall of the whole retrieved set',
    source: 'trec_eval set_recall',
  },
  {
    name: 'SetRelP',
    aliases: ['set_relative_p'],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(set.setRelativePrecision),
    description: 'relevant retrieved ÷ min(retrieved, R)',
    source: 'trec_eval set_relative_P',
  },
  {
    name: 'SetAP',
    aliases: ['set_map'],
    cutoff: 'none',
    binary: true,
    aggregate: 'mean',
    bind: plain(set.setAveragePrecision),
    description: 'set precision × set recall',
    source: 'trec_eval set_map',
  },
  {
    name: 'SetF',
    aliases: ['set_f'],
    cutoff: 'none',
    params: ['beta'],
    binary: true,
    aggregate: 'mean',
    bind: (_, params) => (r) => set.setF(r, params.beta ?? 1),
    description: 'F-measure of the retrieved set (beta=1)',
    source: 'trec_eval set_F',
  },
  {
    name: 'Utility',
    aliases: [],
    cutoff: 'none',
    params: ['weights', 'docs'],
    binary: true,
    aggregate: 'mean',
    range: 'unbounded',
    bind: (_, params) => (r) => set.utility(r, params.weights ?? [1, -1, 0, 0], params.docs ?? 0),
    missingValue: 0,
    description: 'weighted contingency table of the retrieved set (weights=[1,-1,0,0], docs=0)',
    source: 'trec_eval utility',
  },
  {
    name: 'NumRel',
    aliases: ['num_rel'],
    cutoff: 'none',
    binary: true,
    aggregate: 'sum',
    bind: plain(m.numRel),
    description: 'number of relevant judgments',
    source: 'trec_eval num_rel',
  },
  {
    name: 'NumQ',
    aliases: ['num_q'],
    cutoff: 'none',
    aggregate: 'sum',
    bind: () => () => 1,
    description: 'number of queries evaluated',
    source: 'ir_measures NumQ, trec_eval num_q',
  },
  {
    name: 'NumRet',
    aliases: ['num_ret'],
    cutoff: 'none',
    aggregate: 'sum',
    bind: plain(m.numRet),
    description: 'number of documents retrieved',
    source: 'trec_eval num_ret',
  },
  {
    name: 'NumRelRet',
    aliases: ['num_rel_ret'],
    cutoff: 'none',
    binary: true,
    aggregate: 'sum',
    bind: plain(m.numRelRet),
    description: 'number of relevant documents retrieved',
    source: 'trec_eval num_rel_ret',
  },
  {
    name: 'NumNonRelJudgedRet',
    aliases: ['num_nonrel_judged_ret'],
    cutoff: 'none',
    binary: true,
    aggregate: 'sum',
    bind: plain(m.numNonrelJudgedRet),
    description: 'number of judged non-relevant documents retrieved',
    source: 'trec_eval num_nonrel_judged_ret',
  },
];

/** Each name a family answers to, lowercase, with the parameters a preset name stands for. */
const BY_NAME = new Map<string, { family: Family; preset: MeasureParams }>();
for (const family of FAMILIES) {
  for (const key of [family.name, ...family.aliases]) BY_NAME.set(key.toLowerCase(), { family, preset: {} });
  for (const [key, preset] of Object.entries(family.presets ?? {})) BY_NAME.set(key, { family, preset });
}

function lookup(name: string): { family: Family; preset: MeasureParams } {
  const found = BY_NAME.get(name.toLowerCase());
  if (!found) throw new UserError(`unknown measure '${name}'. Valid measures: ${validMeasureList()}`);
  return found;
}

/** The parameters a family takes, in canonical order: its own, then `rel` (binary families), `judged_only`. */
function paramsOf(family: Family): ParamName[] {
  return [...(family.params ?? []), ...(family.binary ? (['rel'] as const) : []), 'judged_only'];
}

/** The family's per-query function with the parameters every family shares applied around it. */
function bindShared(family: Family, k: number, params: MeasureParams): PerQuery {
  const compute = family.bind(k, params);
  const { rel, judged_only: onlyJudged } = params;
  const leveled: PerQuery = rel === undefined ? compute : (r) => compute(atLevel(r, rel));
  return onlyJudged ? (r) => leveled(judgedOnly(r)) : leveled;
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
  const { family } = lookup(familyName);
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
  const order = paramsOf(family);
  params = withoutDefaults(params);
  const unknown = Object.keys(params).filter((key) => !order.includes(key as ParamName));
  if (unknown.length > 0)
    throw new UserError(`measure '${family.name}' takes no parameter ${unknown.join(', ')}`);
  const k = cutoff ?? Number.POSITIVE_INFINITY;
  return {
    name: `${family.name}${formatParams(params, order)}${cutoff === undefined ? '' : `@${cutoff}`}`,
    family: family.name,
    cutoff,
    params,
    aggregate: family.aggregate,
    compute: bindShared(family, k, params),
    ...(family.missingValue === undefined ? {} : { missingValue: family.missingValue }),
  };
}

/** `judged_only=false` and `dcg=log2` say what the name without them says: one canonical name for both. */
function withoutDefaults(params: MeasureParams): MeasureParams {
  const { judged_only: onlyJudged, dcg, ...rest } = params;
  return {
    ...rest,
    ...(dcg === undefined || dcg === 'log2' ? {} : { dcg }),
    ...(onlyJudged ? { judged_only: true } : {}),
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

/**
 * Parses "nDCG@10", "mrr", "recall@5", "SetF(beta=2)", "nDCG(gains={1:3,2:9})@10" into a measure; parameters
 * may also follow the cutoff, as ir_measures users write them: "nDCG@10(judged_only)", "P@5(rel=2)".
 */
export function parseMeasure(text: string): Measure {
  const match = /^\s*([A-Za-z0-9_-]+)\s*(?:\(([^()]*)\))?\s*(?:@\s*([^\s()]+))?\s*(?:\(([^()]*)\))?\s*$/.exec(
    text,
  );
  if (!match) throw new UserError(`cannot read measure '${text}'. Valid measures: ${validMeasureList()}`);
  const [, familyName = '', before, cutoffText, after] = match;
  const { family, preset } = lookup(familyName);
  if (before !== undefined && after !== undefined)
    throw new UserError(`measure '${text}': give the parameters once, before or after the cutoff`);
  const pattern = family.cutoffKind === 'fraction' ? /^(\d+\.?\d*|\.\d+)$/ : /^\d+$/;
  if (cutoffText !== undefined && !pattern.test(cutoffText)) {
    const kind = family.cutoffKind === 'fraction' ? 'a number ≥ 0' : 'a positive integer';
    throw new UserError(`measure '${text}': cutoff must be ${kind}`);
  }
  const paramsText = before ?? after;
  const given = paramsText === undefined ? {} : parseParams(family.name, paramsText, paramsOf(family));
  const params = { ...preset, ...given };
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

/**
 * Whether a measure's values lie in [0, 1] (its family's `range`): a floor or a drop outside that range could
 * never fail, or always would.
 */
export function hasUnitRange(measure: Pick<Measure, 'family'>): boolean {
  const { family } = lookup(measure.family);
  return (family.range ?? (family.aggregate === 'sum' ? 'unbounded' : 'unit')) === 'unit';
}

/** "nDCG[(gains,dcg)][@k]": how a family is written (the shared `rel` and `judged_only` left out). */
function synopsis(f: Family): string {
  const params = f.params ? `[(${f.params.join(',')})]` : '';
  return `${f.name}${params}${f.cutoff === 'none' ? '' : f.cutoff === 'required' ? '@k' : '[@k]'}`;
}

export function validMeasureList(): string {
  return `${FAMILIES.map(synopsis).join(', ')} (${SHARED_PARAMS})`;
}

const SHARED_PARAMS = `with (rel=N) on ${FAMILIES.filter((f) => f.binary)
  .map((f) => f.name)
  .join(', ')}; (judged_only) on all`;

/** A measure family as the `measures` listing and the README's table show it. */
export interface MeasureFamilyInfo {
  /** How it is written, e.g. "nDCG[(gains,dcg)][@k]". */
  synopsis: string;
  /** Its parameters, the shared ones included, in canonical order. */
  params: string[];
  aggregate: Aggregate;
  description: string;
  source: string;
}

export function describeMeasures(): MeasureFamilyInfo[] {
  return FAMILIES.map((f) => ({
    synopsis: synopsis(f),
    params: paramsOf(f),
    aggregate: f.aggregate,
    description: f.description,
    source: f.source,
  }));
}
