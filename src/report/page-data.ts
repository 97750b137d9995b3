import type { ReportData, ReportSystem } from './report-data.types.js';

type Hits = ReportSystem['hits'];

/** A list of scores as the page's JSON carries it: [k, each score × 10^k], or [] for an empty list. */
export type ScaledScores = (number | null)[];

/**
 * The report's data as its page carries it: each hit list's scores as integers over a power of ten, which
 * drops the "0." of every cosine score (0.8 MB at 10,000 queries × 4 systems). The page's scores.js turns
 * them back into the very numbers `data` holds.
 */
export function pageData(data: ReportData): unknown {
  return { ...data, systems: data.systems.map(pageSystem) };
}

function pageSystem(system: ReportSystem): unknown {
  return {
    ...system,
    hits: pageHits(system.hits),
    ...(system.baselineHits ? { baselineHits: pageHits(system.baselineHits) } : {}),
  };
}

function pageHits(hits: Hits): unknown {
  return { ...hits, scores: hits.scores.map(scaledScores), rerank: hits.rerank.map(scaledScores) };
}

/** Above this, 10^k is no longer exact and a division by it could round differently. */
const MAX_K = 22;

/**
 * `scores` as [k, ...integers] whose integer ÷ 10^k is each score exactly (nulls stay null); k = 0 with
 * the scores themselves when no k makes every one an exact integer (1e-7, or too many digits) or the
 * integers would be the longer text.
 */
export function scaledScores(scores: readonly (number | null)[]): ScaledScores {
  if (scores.length === 0) return [];
  const k = Math.max(0, ...scores.map((score) => (score === null ? 0 : decimals(score))));
  if (k <= MAX_K) {
    const scale = 10 ** k;
    const scaled = scores.map((score) => (score === null ? null : Math.round(score * scale)));
    const exact = scaled.every((n, i) => n === null || (Number.isSafeInteger(n) && n / scale === scores[i]));
    // Scores of unlike magnitudes can take more digits as integers (0.0031 and 12.5: 31 and 125000).
    if (exact && JSON.stringify(scaled).length <= JSON.stringify(scores).length) return [k, ...scaled];
  }
  return [0, ...scores];
}

/** Digits after the decimal point of `x` as JavaScript prints it; past MAX_K for exponent notation. */
function decimals(x: number): number {
  const text = String(x);
  if (text.includes('e')) return MAX_K + 1;
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}
