import type { Qrels } from '../metrics/types.js';

/** The grades a person judges with: 0 (not relevant) up to the dataset's highest grade. */
export interface GradeScale {
  min: number;
  max: number;
  /** What each grade means, lowest first. */
  labels: string[];
}

/** The labels of the common 0–3 scale (TREC Deep Learning's). */
const FOUR_GRADES = ['not relevant', 'related', 'relevant', 'perfect'];

/**
 * A dataset's scale is 0 up to the highest grade its judgments use (at least 1: binary). Negative grades
 * (ClueWeb's spam) are kept in a dataset but not offered to a person judging.
 */
export function gradeScaleOf(qrels: Qrels): GradeScale {
  let max = 1;
  for (const judgments of qrels.values()) for (const grade of judgments.values()) max = Math.max(max, grade);
  const labels = Array.from({ length: max + 1 }, (_, grade) =>
    max === 3
      ? (FOUR_GRADES[grade] as string)
      : grade === 0
        ? 'not relevant'
        : grade === max
          ? 'perfect'
          : `grade ${grade}`,
  );
  return { min: 0, max, labels };
}
