import { type JudgedRanking, UNJUDGED } from './rank.js';

/**
 * Per-query measures as pure functions of a judged ranking. Definitions and edge cases follow NIST
 * trec_eval 10.0 (see ../shared/conformance/README.md): missing ranks below k count as non-relevant,
 * rates are 0 when the query has no relevant document, and negative judgments are never relevant.
 */

export function isRelevant(rel: number, level: number): boolean {
  return rel >= level && rel >= 0;
}

/** Relevant documents among the first `k` retrieved. */
export function relevantInTop(r: JudgedRanking, k: number): number {
  const n = Math.min(k, r.rels.length);
  let count = 0;
  for (let i = 0; i < n; i++) if (isRelevant(r.rels[i] as number, r.level)) count++;
  return count;
}

export function precision(r: JudgedRanking, k: number): number {
  return relevantInTop(r, k) / k;
}

export function recall(r: JudgedRanking, k: number): number {
  return r.numRel === 0 ? 0 : relevantInTop(r, k) / r.numRel;
}

/** F1 at k: the harmonic mean of P@k and R@k, 0 when both are 0 (ranx's f1). */
export function f1(r: JudgedRanking, k: number): number {
  const p = precision(r, k);
  const q = recall(r, k);
  return p + q === 0 ? 0 : (2 * p * q) / (p + q);
}

/** 1 / rank of the first relevant document within the top k (no cutoff: k = Infinity). */
export function reciprocalRank(r: JudgedRanking, k = Number.POSITIVE_INFINITY): number {
  const n = Math.min(k, r.rels.length);
  for (let i = 0; i < n; i++) if (isRelevant(r.rels[i] as number, r.level)) return 1 / (i + 1);
  return 0;
}

/** Average precision over the top k, divided by all R relevant documents (trec_eval's map and map_cut). */
export function averagePrecision(r: JudgedRanking, k = Number.POSITIVE_INFINITY): number {
  if (r.numRel === 0) return 0;
  const n = Math.min(k, r.rels.length);
  let found = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (isRelevant(r.rels[i] as number, r.level)) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / r.numRel;
}

export function rPrecision(r: JudgedRanking): number {
  return r.numRel === 0 ? 0 : relevantInTop(r, r.numRel) / r.numRel;
}

/** A grade's gain in DCG: linear (gain = grade, trec_eval) or exponential (2^grade − 1, Burges et al.). */
export type DcgGain = 'log2' | 'exp-log2';

const GAIN: Record<DcgGain, (grade: number) => number> = {
  log2: (grade) => grade,
  'exp-log2': (grade) => 2 ** grade - 1,
};

/** DCG of grades in rank order to rank k; non-positive grades gain nothing. */
function dcgOf(grades: ArrayLike<number>, k: number, dcgGain: DcgGain): number {
  const gainOf = GAIN[dcgGain];
  const n = Math.min(k, grades.length);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const grade = grades[i] as number;
    if (grade > 0) sum += gainOf(grade) / Math.log2(i + 2);
  }
  return sum;
}

/** DCG at k, not normalised (ranx's dcg and dcg_burges). */
export function dcg(r: JudgedRanking, k = Number.POSITIVE_INFINITY, dcgGain: DcgGain = 'log2'): number {
  return dcgOf(r.rels, k, dcgGain);
}

/**
 * nDCG, ideal over every positive judgment, retrieved or not; gains linear (gain = rel, trec_eval's) or
 * exponential (ir_measures' dcg=exp-log2, ranx's ndcg_burges, gdeval's).
 */
export function ndcg(r: JudgedRanking, k = Number.POSITIVE_INFINITY, dcgGain: DcgGain = 'log2'): number {
  const ideal = dcgOf(r.idealGains, k, dcgGain);
  return ideal > 0 ? dcgOf(r.rels, k, dcgGain) / ideal : 0;
}

/** 1 when a relevant document is in the top k (hit rate), else 0. */
export function success(r: JudgedRanking, k: number): number {
  return relevantInTop(r, k) > 0 ? 1 : 0;
}

/**
 * Share of the documents retrieved in the top k that carry a judgment (any grade, negative included).
 * Divided by the documents actually retrieved there, not k (ir_measures' Judged), so a short ranking is
 * not counted as unjudged; an empty ranking gives 0.
 */
export function judged(r: JudgedRanking, k: number): number {
  const n = Math.min(k, r.rels.length);
  let count = 0;
  for (let i = 0; i < n; i++) if (r.rels[i] !== UNJUDGED) count++;
  return n === 0 ? 0 : count / n;
}

export function numRel(r: JudgedRanking): number {
  return r.numRel;
}

export function numRet(r: JudgedRanking): number {
  return r.rels.length;
}

export function numRelRet(r: JudgedRanking): number {
  return relevantInTop(r, r.rels.length);
}

/** Retrieved documents judged (rel >= 0) and not relevant. */
export function numNonrelJudgedRet(r: JudgedRanking): number {
  let count = 0;
  for (const rel of r.rels) if (rel >= 0 && rel < r.level) count++;
  return count;
}

/** Relevant in the top k ÷ the most that could be there, min(k, R) (trec_eval's relative_P); 0 when R = 0. */
export function relativePrecision(r: JudgedRanking, k: number): number {
  return r.numRel === 0 ? 0 : relevantInTop(r, k) / Math.min(k, r.numRel);
}

/**
 * Share of the top k without a judgment, divided by k: missing ranks count as judged (trec_eval's unj).
 * As trec_eval, a negative grade counts as unjudged here (it marks a pooled document nobody judged).
 */
export function unjudged(r: JudgedRanking, k: number): number {
  const n = Math.min(k, r.rels.length);
  let count = 0;
  for (let i = 0; i < n; i++) if ((r.rels[i] as number) < 0) count++;
  return count / k;
}

/** Judged documents that are not relevant (0 <= rel < level): bpref's pool of non-relevant documents. */
function numJudgedNonrel(r: JudgedRanking): number {
  return r.numJudged - r.numRel;
}

/**
 * bpref (Buckley and Voorhees, SIGIR 2004): for each relevant document retrieved, the share of the first R
 * judged non-relevant documents ranked above it is a penalty; averaged over R. Unjudged documents are skipped.
 */
export function bpref(r: JudgedRanking): number {
  const bound = Math.min(numJudgedNonrel(r), r.numRel);
  let nonrelSoFar = 0;
  let sum = 0;
  for (const rel of r.rels) {
    if (rel < 0) continue;
    if (rel < r.level) nonrelSoFar++;
    else sum += nonrelSoFar > 0 ? 1 - Math.min(nonrelSoFar, r.numRel) / bound : 1;
  }
  return r.numRel === 0 ? 0 : sum / r.numRel;
}

/** trec_eval's small constant that keeps infAP's ratios defined when nothing above was judged. */
const INFAP_EPSILON = 0.00001;

/**
 * Inferred AP (Yilmaz and Aslam, CIKM 2006), as trec_eval computes it: precision above each relevant document
 * estimated from the judged documents above it; documents outside the qrels count as non-relevant, documents
 * in the pool with a negative grade (sampled, not judged) are assumed relevant in the judged proportion.
 */
export function infAP(r: JudgedRanking): number {
  let relSoFar = 0;
  let nonrelSoFar = 0;
  let pooledUnjudgedSoFar = 0;
  let sum = 0;
  r.rels.forEach((rel, j) => {
    if (rel === UNJUDGED) return;
    if (rel < 0) pooledUnjudgedSoFar++;
    else if (rel < r.level) nonrelSoFar++;
    else {
      relSoFar++;
      if (j === 0) {
        sum += 1;
        return;
      }
      const judgedAbove = relSoFar - 1 + nonrelSoFar;
      sum +=
        1 / (j + 1) +
        (j / (j + 1)) *
          ((judgedAbove + pooledUnjudgedSoFar) / j) *
          ((relSoFar - 1 + INFAP_EPSILON) / (judgedAbove + 2 * INFAP_EPSILON));
    }
  });
  return r.numRel === 0 ? 0 : sum / r.numRel;
}

/**
 * Binary G (trec_eval's binG): each relevant document retrieved earns 1 / log2(2 + non-relevant or unjudged
 * documents above it); the sum is divided by R.
 */
export function binG(r: JudgedRanking): number {
  let relSoFar = 0;
  let sum = 0;
  r.rels.forEach((rel, i) => {
    if (!isRelevant(rel, r.level)) return;
    relSoFar++;
    sum += 1 / Math.log2(3 + i - relSoFar);
  });
  return relSoFar === 0 ? 0 : sum / r.numRel;
}

/**
 * trec_eval's relstring: one character per document of the top `length`: the grade 0–9, '>' above 9, '-' for a
 * document outside the qrels, '.' for a negative grade (pooled, not judged).
 */
export function relString(r: JudgedRanking, length: number): string {
  const n = Math.max(0, Math.min(Math.trunc(length), r.rels.length));
  let text = '';
  for (let i = 0; i < n; i++) {
    const rel = r.rels[i] as number;
    text += rel > 9 ? '>' : rel >= 0 ? String(rel) : rel === UNJUDGED ? '-' : '.';
  }
  return text;
}
