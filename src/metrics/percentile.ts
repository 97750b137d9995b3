/** Nearest-rank percentile (the value below which p % of the measurements fall), as load testers report it. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Latency figures of a set of measurements, in their unit: count, nearest-rank p50/p95/p99, mean, max. */
export interface LatencyFigures {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export function latencyFigures(values: readonly number[]): LatencyFigures {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length > 0 ? sum / sorted.length : 0,
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0,
  };
}
