import type { DropThreshold } from '../config/gate-policy.js';

/** How the gate writes numbers in its reasons and thresholds: the same figure reads alike in every rule. */

export function thresholdText(what: string, limit: DropThreshold, unit = ''): string {
  return 'abs' in limit ? `${what} ≤ ${limit.abs}${unit}` : `${what} ≤ ${percent(limit.rel)}`;
}

export const fmt = (x: number): string => x.toFixed(4);
export const ms = (x: number): string => `${x.toFixed(1)} ms`;
export const money = (x: number): string => x.toPrecision(3);
export const percent = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
export const pText = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
