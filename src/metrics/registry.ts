import { UserError } from '../errors.js';
import * as m from './measures.js';
import type { JudgedRanking } from './rank.js';

/**
 * The measure registry: canonical names as ir_measures and ranx write them ("nDCG@10", "RR", "AP@100"),
 * parsed case-insensitively with a few common aliases (MRR, MAP, Recall@k, Hit@k).
 */

interface Family {
  /** Canonical name, printed in tables and JSON. */
  name: string;
  aliases: string[];
  /** 'required' needs @k, 'optional' may have one, 'none' takes none. */
  cutoff: 'required' | 'optional' | 'none';
  /** Counts are summed across queries (as trec_eval does); rates are averaged. */
  aggregate: 'mean' | 'sum';
  compute: (r: JudgedRanking, k: number) => number;
  description: string;
}

const FAMILIES: Family[] = [
  {
    name: 'P',
    aliases: ['precision'],
    cutoff: 'required',
    aggregate: 'mean',
    compute: m.precision,
    description: 'precision: relevant in the top k ÷ k',
  },
  {
    name: 'R',
    aliases: ['recall'],
    cutoff: 'required',
    aggregate: 'mean',
    compute: m.recall,
    description: 'recall: relevant in the top k ÷ all relevant',
  },
  {
    name: 'RR',
    aliases: ['mrr', 'recip_rank'],
    cutoff: 'optional',
    aggregate: 'mean',
    compute: m.reciprocalRank,
    description: 'reciprocal rank of the first relevant document (its mean is MRR)',
  },
  {
    name: 'AP',
    aliases: ['map'],
    cutoff: 'optional',
    aggregate: 'mean',
    compute: m.averagePrecision,
    description: 'average precision (its mean is MAP)',
  },
  {
    name: 'nDCG',
    aliases: ['ndcg'],
    cutoff: 'optional',
    aggregate: 'mean',
    compute: m.ndcg,
    description: 'normalised discounted cumulative gain, linear gains as trec_eval',
  },
  {
    name: 'Rprec',
    aliases: ['r-prec', 'rprecision'],
    cutoff: 'none',
    aggregate: 'mean',
    compute: m.rPrecision,
    description: 'precision at rank R (R = number of relevant documents)',
  },
  {
    name: 'Success',
    aliases: ['hit', 'hitrate', 'hit_rate'],
    cutoff: 'required',
    aggregate: 'mean',
    compute: m.success,
    description: 'hit rate: 1 if a relevant document is in the top k',
  },
  {
    name: 'Judged',
    aliases: [],
    cutoff: 'required',
    aggregate: 'mean',
    compute: m.judged,
    description: 'share of the documents retrieved in the top k that are judged',
  },
  {
    name: 'NumRel',
    aliases: ['num_rel'],
    cutoff: 'none',
    aggregate: 'sum',
    compute: m.numRel,
    description: 'number of relevant judgments',
  },
  {
    name: 'NumRet',
    aliases: ['num_ret'],
    cutoff: 'none',
    aggregate: 'sum',
    compute: m.numRet,
    description: 'number of documents retrieved',
  },
  {
    name: 'NumRelRet',
    aliases: ['num_rel_ret'],
    cutoff: 'none',
    aggregate: 'sum',
    compute: m.numRelRet,
    description: 'number of relevant documents retrieved',
  },
];

const BY_NAME = new Map<string, Family>();
for (const family of FAMILIES) {
  for (const key of [family.name, ...family.aliases]) BY_NAME.set(key.toLowerCase(), family);
}

/** A parsed measure: a family and its cutoff (undefined = whole ranking). */
export interface Measure {
  /** Canonical name, e.g. "nDCG@10". */
  name: string;
  family: string;
  cutoff: number | undefined;
  aggregate: 'mean' | 'sum';
  compute: (r: JudgedRanking) => number;
}

export function makeMeasure(familyName: string, cutoff: number | undefined): Measure {
  const family = BY_NAME.get(familyName.toLowerCase());
  if (!family) throw new UserError(`unknown measure '${familyName}'. Valid measures: ${validMeasureList()}`);
  if (cutoff === undefined && family.cutoff === 'required') {
    throw new UserError(`measure '${family.name}' needs a cutoff, e.g. ${family.name}@10`);
  }
  if (cutoff !== undefined && family.cutoff === 'none') {
    throw new UserError(`measure '${family.name}' takes no cutoff`);
  }
  if (cutoff !== undefined && !(Number.isInteger(cutoff) && cutoff > 0)) {
    throw new UserError(`measure '${family.name}': cutoff must be a positive integer, got ${cutoff}`);
  }
  const k = cutoff ?? Number.POSITIVE_INFINITY;
  return {
    name: cutoff === undefined ? family.name : `${family.name}@${cutoff}`,
    family: family.name,
    cutoff,
    aggregate: family.aggregate,
    compute: (r) => family.compute(r, k),
  };
}

/** Parses "nDCG@10", "mrr", "recall@5" into a measure. */
export function parseMeasure(text: string): Measure {
  const match = /^\s*([A-Za-z_-]+)\s*(?:@\s*(\S+))?\s*$/.exec(text);
  if (!match) throw new UserError(`cannot read measure '${text}'. Valid measures: ${validMeasureList()}`);
  const [, familyName = '', cutoffText] = match;
  const cutoff = cutoffText === undefined ? undefined : Number(cutoffText);
  if (cutoffText !== undefined && !/^\d+$/.test(cutoffText)) {
    throw new UserError(`measure '${text}': cutoff must be a positive integer`);
  }
  return makeMeasure(familyName, cutoff);
}

/** Parses a comma-separated list ("R@5,P@5,RR,nDCG@10"), refusing duplicates. */
export function parseMeasureList(text: string): Measure[] {
  const measures = text
    .split(',')
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

export function validMeasureList(): string {
  return FAMILIES.map((f) =>
    f.cutoff === 'required' ? `${f.name}@k` : f.cutoff === 'optional' ? `${f.name}[@k]` : f.name,
  ).join(', ');
}

/** One line per family, for `--help`-style listings. */
export function describeMeasures(): string[] {
  return FAMILIES.map(
    (f) => `${f.name}${f.cutoff === 'none' ? '' : f.cutoff === 'required' ? '@k' : '[@k]'}: ${f.description}`,
  );
}
