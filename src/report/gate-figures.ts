import type { RuleOutcome } from '../gate/types.js';

/** The outcome's numbers as every CI output shows them (plain text: each writer escapes for its format). */
export function outcomeFigures(o: RuleOutcome): {
  observed: string;
  baseline: string;
  difference: string;
  p: string;
} {
  const value = (x: number | null) => (x === null ? '—' : figure(o.metric, x));
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${figure(o.metric, x)}`;
  const ci = o.ci;
  // A floor has no difference: its interval is the observed mean's.
  const observed =
    o.difference === null && ci
      ? `${value(o.observed)} [${value(ci.low)}, ${value(ci.high)}]`
      : value(o.observed);
  const difference =
    o.difference === null
      ? '—'
      : ci
        ? `${signed(o.difference)} [${signed(ci.low)}, ${signed(ci.high)}]`
        : signed(o.difference);
  const p =
    o.adjustedPValue !== null
      ? `${pValue(o.adjustedPValue)}${o.pValue !== null && o.pValue !== o.adjustedPValue ? ` (raw ${pValue(o.pValue)})` : ''}`
      : o.pValue !== null
        ? pValue(o.pValue)
        : '—';
  return { observed, baseline: value(o.baseline), difference, p };
}

/** Latency in milliseconds with one decimal, cost with 3 significant digits, measures with 4 decimals. */
export function figure(metric: string, x: number): string {
  if (metric.startsWith('latency.')) return `${x.toFixed(1)} ms`;
  if (metric.startsWith('cost.')) return x.toPrecision(3);
  return measure(x);
}

export const measure = (x: number): string => x.toFixed(4);
const pValue = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
