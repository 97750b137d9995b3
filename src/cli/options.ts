import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../durations.js';

/** Commander reducer for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Commander parser for an integer option with a minimum. */
export function parseIntegerOption(flag: string, min: number): (value: string) => number {
  return (value) => {
    if (!/^[+-]?\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`${flag} takes an integer >= ${min}`);
    }
    return Number(value);
  };
}

/** Commander parser for a probability strictly between 0 and 1. */
export function parseProbabilityOption(flag: string): (value: string) => number {
  return (value) => {
    const p = Number(value);
    if (!(p > 0 && p < 1)) throw new InvalidArgumentError(`${flag} takes a number between 0 and 1`);
    return p;
  };
}

/** A duration option ("24h", "90m", "2d"; the value in ms), its default shown as written. */
export function durationOption(flags: string, description: string, fallback: string): Option {
  const flag = flags.split(' ')[0] as string;
  const parse = (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined) throw new InvalidArgumentError(`${flag} takes a duration like 24h, 90m or 2d`);
    return ms;
  };
  return new Option(flags, description).argParser(parse).default(parse(fallback), fallback);
}
