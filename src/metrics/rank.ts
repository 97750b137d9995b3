import { IdPool } from './id-pool.js';
import { compareCodePoints, ID_ENCODING } from './order.js';
import type { QueryJudgments, QueryResults } from './types.js';

/** Marks a retrieved document that has no judgment for the query. */
export const UNJUDGED = -0x80000000;

/**
 * One query's ranking reduced to what every measure needs: the judgment at each rank, and the query's
 * judged totals. Built once per query; measures are pure functions of it.
 */
export interface JudgedRanking {
  /** Judged relevance at rank i+1, or UNJUDGED. */
  rels: Int32Array;
  /** Relevance threshold: rel >= level counts as relevant (trec_eval's -l). */
  level: number;
  /** R: judged documents with rel >= level. */
  numRel: number;
  /** Judged documents with rel >= 0, relevant or not (bpref's and the gain levels' counts build on it). */
  numJudged: number;
  /** Gains of every positively judged document, descending: the ideal ranking for nDCG. */
  idealGains: Float64Array;
}

/**
 * One query's results in file order with ids kept as bytes: three typed arrays instead of a string per
 * line, so a 7M-line run costs no garbage and compares ids in byte order (what trec_eval's strcmp does).
 */
export interface ResultColumns {
  /** Id i is idBytes[idEnds[i - 1] ?? 0, idEnds[i]). */
  idBytes: Uint8Array;
  idEnds: Int32Array;
  scores: Float64Array;
  /** An index of the ids, when the reader has one: judging then looks up each judged doc, not each result. */
  index?: IdPool;
}

/** A run with each query's results as columns: the compact form of Run for files of millions of lines. */
export interface ColumnRun {
  /** The run tag (TREC's last column); trec_eval keeps the one on the last line. */
  runId: string;
  /** In order of first appearance in the file. */
  queries: Map<string, ResultColumns>;
}

/**
 * trec_eval's order: score descending as doubles; equal scores by doc id descending in byte order.
 * The order of lines in the file and the rank column play no part.
 */
export function rankOrder(results: QueryResults): Uint32Array {
  const { docids, scores } = results;
  return rankByScore(scores, (a, b) => compareCodePoints(docids[a] as string, docids[b] as string));
}

/** rankOrder for columns: ids compared as bytes. */
export function rankColumns(results: ResultColumns): Uint32Array {
  const { idBytes, idEnds } = results;
  const start = (i: number): number => (i === 0 ? 0 : (idEnds[i - 1] as number));
  return rankByScore(results.scores, (a, b) =>
    compareBytes(idBytes, start(a), idEnds[a] as number, start(b), idEnds[b] as number),
  );
}

/** Result numbers by score descending, then by id descending; `compareIds(a, b)` orders two results' ids. */
function rankByScore(scores: ArrayLike<number>, compareIds: (a: number, b: number) => number): Uint32Array {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!scoresDescending(scores)) {
    return order.sort((a, b) => {
      const sa = scores[a] as number;
      const sb = scores[b] as number;
      if (sa !== sb) return sa > sb ? -1 : 1;
      return compareIds(b, a);
    });
  }
  // Most runs list each query by descending score: then only runs of equal scores need ordering by id.
  for (let i = 1, tieStart = 0; i <= n; i++) {
    if (i < n && scores[i] === scores[tieStart]) continue;
    if (i - tieStart > 1) order.subarray(tieStart, i).sort((a, b) => compareIds(b, a));
    tieStart = i;
  }
  return order;
}

function scoresDescending(scores: ArrayLike<number>): boolean {
  for (let i = 1; i < scores.length; i++) {
    if (!((scores[i] as number) <= (scores[i - 1] as number))) return false;
  }
  return true;
}

/** strcmp on two byte ranges of one buffer: < 0, 0 or > 0. */
function compareBytes(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = (bytes[a0 + i] as number) - (bytes[b0 + i] as number);
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/** Ranks a query's results and looks up each document's judgment; `depth` keeps the top N (trec_eval -M). */
export function judgeRanking(
  results: QueryResults | undefined,
  judgments: QueryJudgments,
  level: number,
  depth = Number.POSITIVE_INFINITY,
): JudgedRanking {
  if (results === undefined) return judged(new Uint32Array(0), () => UNJUDGED, judgments, level, depth);
  const { docids } = results;
  const relOf = (doc: number): number => judgments.get(docids[doc] as string) ?? UNJUDGED;
  return judged(rankOrder(results), relOf, judgments, level, depth);
}

/** judgeRanking for columns: the judgments' doc ids are matched as their bytes (ID_ENCODING). */
export function judgeColumns(
  results: ResultColumns | undefined,
  judgments: QueryJudgments,
  level: number,
  depth = Number.POSITIVE_INFINITY,
): JudgedRanking {
  if (results === undefined) return judgeRanking(undefined, judgments, level, depth);
  const byResult = resultJudgments(results, judgments);
  return judged(rankColumns(results), (doc) => byResult[doc] as number, judgments, level, depth);
}

/** The judged ranking: `relOf(doc)` is the judgment of result number `doc`, in `order` down to `depth`. */
function judged(
  order: Uint32Array,
  relOf: (doc: number) => number,
  judgments: QueryJudgments,
  level: number,
  depth: number,
): JudgedRanking {
  const rels = new Int32Array(Math.min(order.length, depth));
  for (let i = 0; i < rels.length; i++) rels[i] = relOf(order[i] as number);
  return { rels, level, ...judgedTotals(judgments, level) };
}

/** Each result's judgment, in file order; UNJUDGED for a doc the qrels do not have. */
function resultJudgments(results: ResultColumns, judgments: QueryJudgments): Int32Array {
  const { idBytes, idEnds, index } = results;
  const rels = new Int32Array(idEnds.length).fill(UNJUDGED);
  if (index) {
    // Typically ~10 judgments for 1,000 results: look up the judged docs, not the results.
    for (const [docid, rel] of judgments) {
      const bytes = Buffer.from(docid, ID_ENCODING);
      const i = index.find(bytes, 0, bytes.length);
      if (i >= 0) rels[i] = rel;
    }
    return rels;
  }
  const judged = new IdPool(judgments.size);
  const grades = new Int32Array(judgments.size);
  for (const [docid, rel] of judgments) {
    const bytes = Buffer.from(docid, ID_ENCODING);
    grades[judged.intern(bytes, 0, bytes.length)] = rel;
  }
  for (let i = 0; i < idEnds.length; i++) {
    const j = judged.find(idBytes, i === 0 ? 0 : (idEnds[i - 1] as number), idEnds[i] as number);
    if (j >= 0) rels[i] = grades[j] as number;
  }
  return rels;
}

function judgedTotals(
  judgments: QueryJudgments,
  level: number,
): { numRel: number; numJudged: number; idealGains: Float64Array } {
  let numRel = 0;
  let numJudged = 0;
  const gains: number[] = [];
  for (const rel of judgments.values()) {
    if (rel >= level) numRel++;
    if (rel >= 0) numJudged++;
    if (rel > 0) gains.push(rel);
  }
  return { numRel, numJudged, idealGains: Float64Array.from(gains).sort().reverse() };
}

/**
 * The ranking as seen at another relevance threshold (a measure's `rel=` parameter): R recounted from the
 * judgments' grades. Level 0 counts every judged document (rel >= 0) as relevant.
 */
export function atLevel(r: JudgedRanking, level: number): JudgedRanking {
  if (level === r.level) return r;
  let numRel = 0;
  if (level <= 0) numRel = r.numJudged;
  else for (const gain of r.idealGains) if (gain >= level) numRel++;
  return { ...r, level, numRel };
}

/** The ranking without its unjudged documents, the judged ones moved up (trec_eval -J, `judged_only`). */
export function judgedOnly(r: JudgedRanking): JudgedRanking {
  return { ...r, rels: r.rels.filter((rel) => rel >= 0) };
}

/**
 * The ranking with binary grades at its level: relevant 1, judged non-relevant 0, unjudged as before; for a
 * graded measure asked to read relevance as binary (`RBP(rel=2)`).
 */
export function binaryGrades(r: JudgedRanking): JudgedRanking {
  const rels = r.rels.map((rel) => (rel < 0 ? rel : rel >= r.level ? 1 : 0));
  return { ...r, rels, level: 1, idealGains: new Float64Array(r.numRel).fill(1) };
}
