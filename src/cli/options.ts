import { InvalidArgumentError } from 'commander';

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
