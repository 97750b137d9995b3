import { UserError } from '../errors.js';
import type { JudgedRanking } from './rank.js';

/**
 * Cascade measures with gdeval's definitions (TREC Web track, Chapelle et al. CIKM 2009): the user stops at
 * rank i with probability R_i = (2^g − 1) / 2^max, g the document's grade (0 when unjudged or negative, as
 * gdeval keeps only positive judgments) and max the highest grade of the scale (gdeval's MAX_JUDGMENT, 4).
 */

/** gdeval's highest grade. */
export const ERR_MAX_GRADE = 4;

function stopProbability(grade: number, maxGrade: number): number {
  if (grade <= 0) return 0;
  if (grade > maxGrade) {
    throw new UserError(
      `ERR: grade ${grade} is above the scale's highest grade ${maxGrade}; give it as ERR(max_rel=${grade})@k`,
    );
  }
  return (2 ** grade - 1) / 2 ** maxGrade;
}

/** ERR over grades in rank order, to rank k. */
function errOf(grades: ArrayLike<number>, k: number, maxGrade: number): number {
  const n = Math.min(k, grades.length);
  let score = 0;
  let reach = 1;
  for (let i = 0; i < n; i++) {
    const stop = stopProbability(grades[i] as number, maxGrade);
    score += (stop * reach) / (i + 1);
    reach *= 1 - stop;
  }
  return score;
}

/** Expected reciprocal rank at k (gdeval's err@k). */
export function err(r: JudgedRanking, k: number, maxGrade = ERR_MAX_GRADE): number {
  return errOf(r.rels, k, maxGrade);
}

/** ERR at k divided by the ERR of the ideal ranking (every positive judgment by grade) at k; 0 without one. */
export function normalisedErr(r: JudgedRanking, k: number, maxGrade = ERR_MAX_GRADE): number {
  const ideal = errOf(r.idealGains, k, maxGrade);
  return ideal > 0 ? errOf(r.rels, k, maxGrade) / ideal : 0;
}
