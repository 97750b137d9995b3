/**
 * A number as the report stores it: 4 significant digits. Enough to tell per-query values and latencies
 * apart on screen, at a third of the bytes of a full double, which matters at 10,000 queries × several systems.
 */
export function significant(x: number): number {
  return Number(x.toPrecision(4));
}

/** Full doubles need no more than this to round-trip. */
const MAX_DIGITS = 17;

/**
 * A ranked list's scores with the fewest significant digits (4 at least) that keep every two neighbours
 * that differ apart: 28.0939 and 28.0912 both round to 28.09 at 4 digits, which would show a tie the
 * ranking does not have. Nulls (a reranker's below its depth) stay null and are skipped over.
 */
export function orderedScores<T extends number | null>(scores: readonly T[]): T[] {
  const present = scores.filter((score): score is NonNullable<T> => score !== null);
  let digits = 4;
  let rounded = roundedTo(present, digits);
  while (digits < MAX_DIGITS && mergesNeighbours(present, rounded)) rounded = roundedTo(present, ++digits);
  let next = 0;
  return scores.map((score) => (score === null ? score : (rounded[next++] as T)));
}

function roundedTo(scores: readonly number[], digits: number): number[] {
  return scores.map((score) => Number(score.toPrecision(digits)));
}

/** Whether two neighbours that differ are alike once rounded (each score rounded once, not once per pair). */
function mergesNeighbours(scores: readonly number[], rounded: readonly number[]): boolean {
  for (let i = 1; i < scores.length; i++) {
    if (scores[i - 1] !== scores[i] && rounded[i - 1] === rounded[i]) return true;
  }
  return false;
}
