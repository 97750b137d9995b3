import type { Interval } from '../metrics/bootstrap.js';
import type { RuleOutcome } from '../results/verdict.js';

/** The outcome's numbers as every CI output shows them (plain text: each writer escapes for its format). */
export function outcomeFigures(o: RuleOutcome): {
  observed: string;
  baseline: string;
  difference: string;
  p: string;
} {
  const value = (x: number | null) => (x === null ? '—' : figure(o.metric, x));
  // A floor has no difference: its interval is the observed mean's.
  const observed =
    o.difference === null && o.observed !== null ? meanFigure(o.metric, o.observed, o.ci) : value(o.observed);
  const difference = o.difference === null ? '—' : differenceFigure(o.metric, o.difference, o.ci);
  const p =
    o.adjustedPValue !== null
      ? `${pValue(o.adjustedPValue)}${o.pValue !== null && o.pValue !== o.adjustedPValue ? ` (raw ${pValue(o.pValue)})` : ''}`
      : o.pValue !== null
        ? pValue(o.pValue)
        : '—';
  return { observed, baseline: value(o.baseline), difference, p };
}

/** "0.4123 [0.3500, 0.4700]": a mean and its confidence interval, when it has one. */
export function meanFigure(metric: string, mean: number, ci: Interval | null): string {
  return ci
    ? `${figure(metric, mean)} [${figure(metric, ci.low)}, ${figure(metric, ci.high)}]`
    : figure(metric, mean);
}

/** "+0.0100 [-0.0100, +0.0300]": a difference and its interval, each signed. */
export function differenceFigure(metric: string, difference: number, ci: Interval | null): string {
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${figure(metric, x)}`;
  return ci ? `${signed(difference)} [${signed(ci.low)}, ${signed(ci.high)}]` : signed(difference);
}

/** Latency in milliseconds with one decimal, cost with 3 significant digits, measures with 4 decimals. */
export function figure(metric: string, x: number): string {
  if (metric.startsWith('latency.')) return `${x.toFixed(1)} ms`;
  if (metric.startsWith('cost.')) return x.toPrecision(3);
  return measure(x);
}

export const measure = (x: number): string => x.toFixed(4);
const pValue = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
