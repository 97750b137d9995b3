import { MINUTE_MS } from './token-bucket.js';

/** What an upstream's x-ratelimit-* headers say about its limits and what is left of them (OpenAI's names). */

/**
 * A reset duration as OpenAI writes it ("1s", "6m0s", "20ms", "1h2m3.5s"; a bare number is seconds),
 * in milliseconds; undefined when unreadable.
 */
export function parseResetDuration(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const unitMs: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (unitMs[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return total;
}

/**
 * What the server says is left: `remaining`, else what `reset` implies for a bucket refilling a minute's
 * limit per minute (the time until it is full again, at limit / minute).
 */
export function serverRemaining(
  headers: Headers,
  kind: 'tokens' | 'requests',
  limit: number | undefined,
  windowMs = MINUTE_MS,
) {
  const remaining = Number.parseFloat(headers.get(`x-ratelimit-remaining-${kind}`) ?? '');
  if (Number.isFinite(remaining) && remaining >= 0) return remaining;
  const reset = parseResetDuration(headers.get(`x-ratelimit-reset-${kind}`));
  if (reset === undefined || limit === undefined) return undefined;
  return Math.max(0, limit - (reset * limit) / windowMs);
}

/** A header's positive number, or undefined. */
export function positiveHeader(value: string | null): number | undefined {
  const number = Number.parseFloat(value ?? '');
  return Number.isFinite(number) && number > 0 ? number : undefined;
}
