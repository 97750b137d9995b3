import { describe, expect, it } from 'vitest';
import { importsOf, SRC, sourceFiles } from '../helpers/source-imports.js';

/** Every module loaded before a command runs: the static imports reachable from the program. */
function loadedAtStart(): Set<string> {
  const seen = new Set<string>();
  const queue = ['cli/main.ts'];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { spec, target, dynamic, typeOnly } of importsOf(file)) {
      if (dynamic || typeOnly) continue;
      if (target) queue.push(target);
      else seen.add(spec);
    }
  }
  return seen;
}

describe('src/cli/', () => {
  it('calls only the workflow floor (app/), its own helpers, the error family, durations, visible text and the version', () => {
    const reaching = sourceFiles(`${SRC}/cli`)
      .map((name) => `cli/${name.split('/').at(-1)}`)
      .flatMap((file) =>
        importsOf(file)
          .filter(({ typeOnly }) => !typeOnly)
          .map(({ target }) => [file, target]),
      )
      .filter(
        ([, target]) =>
          target && !/^(app\/|cli\/|errors\.ts$|version\.ts$|durations\.ts$|visible-text\.ts$)/.test(target),
      )
      .map(([file, target]) => `${file} -> ${target}`);
    expect(reaching).toEqual([]);
  });

  it('loads a command’s dependencies only when it runs, so --help starts fast', () => {
    const heavy = [...loadedAtStart()].filter(
      (module) =>
        !/^(cli\/|errors\.ts$|version\.ts$|durations\.ts$|visible-text\.ts$|app\/input-kinds\.ts$)/.test(
          module,
        ) &&
        module !== 'commander' &&
        !module.startsWith('node:'),
    );
    expect(heavy).toEqual([]);
  });
});
