/**
 * How the grades of several annotators for one pair become the dataset's one grade. `strict` accepts a
 * pair only when every annotator gave the same grade; `majority` takes the grade given most often (a tie
 * goes to the lower grade: an unsettled pair is not promoted); `max` and `min` take the highest or lowest.
 */
export type ConflictRule = 'strict' | 'majority' | 'max' | 'min';

export interface AnnotatorGrade {
  annotator: string;
  grade: number;
}

/** The settled grade, or undefined when the strict rule refuses the disagreement. */
export function settleGrades(grades: AnnotatorGrade[], rule: ConflictRule): number | undefined {
  const values = grades.map((g) => g.grade);
  const distinct = new Set(values);
  if (distinct.size === 1) return values[0];
  if (rule === 'strict') return undefined;
  if (rule === 'max') return Math.max(...values);
  if (rule === 'min') return Math.min(...values);
  const counts = new Map<number, number>();
  for (const grade of values) counts.set(grade, (counts.get(grade) ?? 0) + 1);
  return [...counts].sort(([ga, ca], [gb, cb]) => cb - ca || ga - gb)[0]?.[0];
}
