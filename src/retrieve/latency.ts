import { latencyFigures } from '../metrics/percentile.js';
import type { LatencySummary } from '../results/summary.js';

export function summarizeLatency(values: number[]): LatencySummary | undefined {
  return values.length === 0 ? undefined : latencyFigures(values);
}
