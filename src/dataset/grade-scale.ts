import { UserError } from '../errors.js';
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

/** Whether `grade` is one of the scale's grades (a whole number from min to max). */
export function onScale(scale: GradeScale, grade: unknown): boolean {
  return Number.isInteger(grade) && (grade as number) >= scale.min && (grade as number) <= scale.max;
}

/** The refusal of a logged grade off the scale, at its file and line. */
export function offScale(
  scale: GradeScale,
  grade: unknown,
  where: { file: string; line: number },
): UserError {
  return new UserError(`grade ${String(grade)} is outside the dataset's scale ${scale.min}–${scale.max}`, {
    ...where,
    field: 'grade',
  });
}
