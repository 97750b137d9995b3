import { type JudgedRanking, UNJUDGED } from './rank.js';

/**
 * Gain-based measures with trec_eval's gain table (gain_init.c): nDCG with custom gains, G, nDCG averaged at
 * relevant documents (ndcg_rel), nDCG at the R levels (Rndcg) and rank-biased precision (rbp, rbp_resid).
 *
 * The table lists the custom gains first, in the order given, then every judged grade 0…max not given, with
 * gain = grade; each entry counts the judged documents of its grade. Sorted by gain ascending, its top entries
 * make the ideal ranking, which ends at the first gain that is not positive.
 */

/** Custom gains, grade → gain, in the order given (trec_eval's `ndcg.1=3,2=9`). */
export type GainPairs = readonly (readonly [grade: number, gain: number])[];

interface GainEntry {
  grade: number;
  gain: number;
  count: number;
}

/** A query's gain table: what each retrieved document earns, and the ideal ranking's gains. */
export interface GainTable {
  /** Gain of a retrieved document's judgment (0 for a grade the table lacks). */
  gainOf: (rel: number) => number;
  /** Gain at each ideal rank, highest first, down to the first that is not positive; 0 beyond. */
  idealAt: (i: number) => number;
  /** The top entry's gain, even when no document has it: trec_eval's loops start from it. */
  topGain: number;
  /** Length of the ideal ranking's positive prefix. */
  idealLength: number;
}

/** trec_eval's grade of a retrieved document: -1 outside the qrels, -2 for a negative (pooled, unjudged) grade. */
function trecGrade(rel: number): number {
  return rel === UNJUDGED ? -1 : rel < 0 ? -2 : rel;
}

/** Judged documents per grade 0…max (from the ranking's positive gains and its judged count). */
function gradeCounts(r: JudgedRanking): number[] {
  if (r.numJudged === 0) return [];
  const counts = new Array<number>((r.idealGains[0] ?? 0) + 1).fill(0);
  for (const gain of r.idealGains) counts[gain] = (counts[gain] as number) + 1;
  counts[0] = r.numJudged - r.idealGains.length;
  return counts;
}

/**
 * glibc's qsort: a stable top-down merge sort. trec_eval compares gains by their difference truncated to an
 * integer, so gains less than 1 apart tie and keep the table's order; this reproduces where they end up.
 */
function mergeSort<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return items;
  const half = Math.floor(items.length / 2);
  const left = mergeSort(items.slice(0, half), compare);
  const right = mergeSort(items.slice(half), compare);
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    merged.push(compare(left[i] as T, right[j] as T) <= 0 ? (left[i++] as T) : (right[j++] as T));
  }
  return merged.concat(left.slice(i), right.slice(j));
}

/** The sorted gain table for a query, before any normalisation. */
function gainEntries(r: JudgedRanking, pairs: GainPairs): GainEntry[] {
  const entries: GainEntry[] = pairs.map(([grade, gain]) => ({ grade, gain, count: 0 }));
  gradeCounts(r).forEach((count, grade) => {
    const given = entries.find((e) => e.grade === grade);
    if (given) given.count = count;
    else entries.push({ grade, gain: grade, count });
  });
  return mergeSort(entries, (a, b) => Math.trunc(a.gain - b.gain));
}

function tableOf(entries: GainEntry[]): GainTable {
  const ideal: number[] = [];
  for (let e = entries.length - 1; e >= 0; e--) {
    const { gain, count } = entries[e] as GainEntry;
    for (let c = 0; c < count; c++) ideal.push(gain);
  }
  const positive = ideal.findIndex((gain) => gain <= 0);
  const topGain = entries.at(-1)?.gain ?? 0;
  const idealLength = topGain <= 0 ? 0 : positive < 0 ? ideal.length : positive;
  // Indexed by trec_eval's grade + 2 (grades start at -2). Written from the last entry to the first, so the first
  // entry of the sorted table wins when a grade is listed twice, as in trec_eval's lookup.
  const byGrade = new Float64Array(Math.max(0, ...entries.map((e) => e.grade + 3)));
  for (let e = entries.length - 1; e >= 0; e--) {
    const { grade, gain } = entries[e] as GainEntry;
    if (grade >= -2) byGrade[grade + 2] = gain;
  }
  return {
    gainOf: (rel) => byGrade[trecGrade(rel) + 2] ?? 0,
    idealAt: (i) => (i < ideal.length ? (ideal[i] as number) : 0),
    topGain,
    idealLength,
  };
}

export function gainTable(r: JudgedRanking, pairs: GainPairs): GainTable {
  return tableOf(gainEntries(r, pairs));
}

const discount = (i: number): number => Math.log2(i + 2);

/** nDCG over the top k with the table's gains (trec_eval's ndcg with parameters); the ideal is cut at k too. */
export function ndcgWithGains(r: JudgedRanking, pairs: GainPairs, k = Number.POSITIVE_INFINITY): number {
  const table = gainTable(r, pairs);
  const n = Math.min(k, r.rels.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) {
    const gain = table.gainOf(r.rels[i] as number);
    if (gain !== 0) dcg += gain / discount(i);
  }
  const m = Math.min(k, table.idealLength);
  let ideal = 0;
  for (let i = 0; i < m; i++) ideal += table.idealAt(i) / discount(i);
  return ideal > 0 ? dcg / ideal : 0;
}

/**
 * G (trec_eval's experimental gain measure): a document's gain is discounted by log2(2 + the ideal gain so far
 * − the gain so far), each rank costing at least 1; the sum is divided by the ideal ranking's total gain.
 */
export function gMeasure(r: JudgedRanking, pairs: GainPairs): number {
  const table = gainTable(r, pairs);
  let sumResults = 0;
  let sumCost = 0;
  let g = 0;
  r.rels.forEach((rel, i) => {
    const gain = table.gainOf(rel);
    const ideal = i < table.idealLength ? table.idealAt(i) : 0;
    sumResults += gain;
    sumCost += ideal >= 1 ? ideal : 1;
    if (gain !== 0) g += gain / Math.log2(2 + sumCost - sumResults);
  });
  let sumIdeal = 0;
  for (let i = 0; i < table.idealLength; i++) sumIdeal += table.idealAt(i);
  return sumIdeal > 0 ? g / sumIdeal : 0;
}

/**
 * nDCG averaged over the relevant documents (trec_eval's ndcg_rel): nDCG at the rank of each document with a
 * positive gain, and for each one not retrieved the nDCG at the end of the ranking.
 */
export function ndcgRel(r: JudgedRanking, pairs: GainPairs): number {
  const table = gainTable(r, pairs);
  let dcg = 0;
  let ideal = 0;
  let sum = 0;
  let relRet = 0;
  r.rels.forEach((rel, i) => {
    const gain = table.gainOf(rel);
    if (gain !== 0) dcg += gain / discount(i);
    if (i < table.idealLength) ideal += table.idealAt(i) / discount(i);
    if (gain > 0) {
      sum += dcg / ideal;
      relRet++;
    }
  });
  for (let i = r.rels.length; i < table.idealLength; i++) ideal += table.idealAt(i) / discount(i);
  sum += ((table.idealLength - relRet) * dcg) / ideal;
  return sum > 0 ? sum / table.idealLength : 0;
}

/**
 * nDCG averaged at the R levels (trec_eval's Rndcg): the ranks where the ideal gain drops to the next grade,
 * plus the end of the ranking when it stops before the ideal runs out of positive gains. 0 when R = 0.
 */
export function rNdcg(r: JudgedRanking, pairs: GainPairs): number {
  if (r.numRel === 0) return 0;
  const table = gainTable(r, pairs);
  const n = r.rels.length;
  let dcg = 0;
  let ideal = 0;
  let sum = 0;
  let points = 0;
  let idealGain = table.topGain;
  let previous = idealGain;
  const atLevelChange = (i: number): void => {
    idealGain = table.idealAt(i);
    if (previous === idealGain) return;
    if (ideal > 0) {
      sum += dcg / ideal;
      points++;
    }
    previous = idealGain;
  };
  let i = 0;
  for (; i < n && idealGain > 0; i++) {
    const gain = table.gainOf(r.rels[i] as number);
    atLevelChange(i);
    if (gain !== 0) dcg += gain / discount(i);
    if (idealGain > 0) ideal += idealGain / discount(i);
  }
  if (i < n) {
    for (; i < n; i++) {
      const gain = table.gainOf(r.rels[i] as number);
      if (gain !== 0) dcg += gain / discount(i);
    }
    if (ideal > 0) {
      sum += dcg / ideal;
      points++;
    }
  }
  for (; idealGain > 0; i++) {
    atLevelChange(i);
    if (idealGain > 0) ideal += idealGain / discount(i);
  }
  // trec_eval divides 0 by 0 when no gain is positive; 0 here.
  return points === 0 ? 0 : sum / points;
}

/** trec_eval's default persistence for rank-biased precision. */
export const RBP_PERSISTENCE = 0.9;

/**
 * Rank-biased precision (Moffat and Zobel, TOIS 2008): (1 − p) Σ gain(i) · p^i. Gains outside [0, 1] are first
 * scaled to it by the table's range, as trec_eval does.
 */
export function rbp(r: JudgedRanking, p: number, pairs: GainPairs): number {
  const entries = gainEntries(r, pairs);
  const gains = entries.map((e) => e.gain);
  const min = Math.min(...gains);
  const max = Math.max(...gains);
  const scaled =
    min < 0 || max > 1 ? entries.map((e) => ({ ...e, gain: (e.gain - min) / (max - min) })) : entries;
  const table = tableOf(scaled);
  let sum = 0;
  let weight = 1;
  for (const rel of r.rels) {
    const gain = table.gainOf(rel);
    if (gain !== 0) sum += gain * weight;
    weight *= p;
  }
  return (1 - p) * sum;
}

/**
 * RBP's residual (trec_eval's rbp_resid): how much RBP could still rise if every unjudged document retrieved
 * (negative grades included) were fully relevant, plus the weight of the ranks beyond the ranking; 0 when all
 * retrieved documents are judged.
 */
export function rbpResidual(r: JudgedRanking, p: number): number {
  let unjudged = 0;
  let sum = 0;
  let weight = 1;
  for (const rel of r.rels) {
    if (rel < 0) {
      unjudged++;
      sum += weight;
    }
    weight *= p;
  }
  return unjudged === 0 ? 0 : weight + (1 - p) * sum;
}
