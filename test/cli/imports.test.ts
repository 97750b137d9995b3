import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const SRC = join(REPO_ROOT, 'src');

/** Runtime imports of a file under src/ (not `import type`), static and dynamic, as paths under src/. */
function runtimeImports(file: string): { spec: string; target?: string; dynamic: boolean }[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const pattern = /^import\s+(?!type\s)[^;]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/gms;
  return [...text.matchAll(pattern)].map((match) => {
    const spec = (match[1] ?? match[2]) as string;
    const target = spec.startsWith('.')
      ? posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts')
      : undefined;
    return { spec, dynamic: match[2] !== undefined, ...(target ? { target } : {}) };
  });
}

/** Every module loaded before a command runs: the static imports reachable from the program. */
function loadedAtStart(): Set<string> {
  const seen = new Set<string>();
  const queue = ['cli/main.ts'];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { spec, target, dynamic } of runtimeImports(file)) {
      if (dynamic) continue;
      if (target) queue.push(target);
      else seen.add(spec);
    }
  }
  return seen;
}

describe('src/cli/', () => {
  it('calls only the workflow floor (app/), its own helpers, the error family and the version', () => {
    const reaching = readdirSync(join(SRC, 'cli'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `cli/${name}`)
      .flatMap((file) => runtimeImports(file).map(({ target }) => [file, target]))
      .filter(([, target]) => target && !/^(app\/|cli\/|errors\.ts$|version\.ts$)/.test(target))
      .map(([file, target]) => `${file} -> ${target}`);
    expect(reaching).toEqual([]);
  });

  it('loads a command’s dependencies only when it runs, so --help starts fast', () => {
    const heavy = [...loadedAtStart()].filter(
      (module) =>
        !/^(cli\/|errors\.ts$|version\.ts$|app\/input-kinds\.ts$)/.test(module) &&
        module !== 'commander' &&
        !module.startsWith('node:'),
    );
    expect(heavy).toEqual([]);
  });
});
