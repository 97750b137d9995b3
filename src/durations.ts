const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The pattern a duration is written in: a number and a unit, s, m, h or d ("24h", "90m", "2d", "0s"). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)([smhd])$/;

/** A duration in ms, or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  return match ? Number(match[1]) * (UNITS[match[2] as string] as number) : undefined;
}

/** "26.5 h", "12 min": how messages write an age or a limit. */
export function formatDuration(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${h.toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;
}
