import { InvalidArgumentError, Option } from 'commander';

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

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration option ("24h", "90m", "2d"; the value in ms), its default shown as written. */
export function durationOption(flags: string, description: string, fallback: string): Option {
  const name = flags.split(' ')[0] as string;
  const parse = parseDurationOption(name);
  return new Option(flags, description).argParser(parse).default(parse(fallback), fallback);
}

/** Commander parser for a duration: a number and a unit, s, m, h or d ("24h", "90m", "2d"); in ms. */
function parseDurationOption(flag: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
    if (!match) throw new InvalidArgumentError(`${flag} takes a duration like 24h, 90m or 2d`);
    return Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
  };
}
