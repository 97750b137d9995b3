import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';
import { importsOf, SRC, sourceFiles } from './helpers/source-imports.js';

/**
 * The floor plan of ARCHITECTURE.md, checked against the code's imports: a module imports only modules on
 * floors below its own (or its own folder), and the pure core imports no I/O, even through another module.
 */

/** Top floor first. Entries are folders or files directly under src/. */
const FLOORS: string[][] = [
  ['cli', 'index.ts'],
  ['app'],
  ['lifecycle', 'report'],
  ['retrieve', 'gate'],
  ['results'],
  ['evaluation'],
  ['dataset', 'config'],
  ['metrics'],
  [
    'errors.ts',
    'files.ts',
    'schemas.ts',
    'text-columns.ts',
    'visible-text.ts',
    'utf8.ts',
    'durations.ts',
    'package-root.ts',
    'version.ts',
  ],
];

/** Inside retrieve/: the runner above the providers, above transport and cache, above the shared interfaces. */
const RETRIEVE_FLOORS: string[][] = [
  ['run-system.ts', 'latency.ts'],
  ['providers'],
  ['cache', 'transport'],
  ['types.ts'],
];

/** Folders whose code takes values and returns values: no file system, processes or network clients. */
const PURE = ['metrics', 'gate', 'evaluation', 'report'];
/** The report's renderers read their templates, the browser code and chart.js: the one I/O edge of report/. */
const PURE_EXCEPT = [
  'report/render-html.ts',
  'report/render-audit-html.ts',
  'report/render-judge-html.ts',
  'report/page-script.ts',
];
const IMPURE_MODULE = /^(node:|execa$|openai($|\/)|@qdrant\/|cli-progress$|handlebars$)/;

/** A folder under src/, or the foundation: the files directly under src/ on the ground floor. */
function moduleOf(path: string): string {
  const top = path.split('/')[0] as string;
  return FLOORS.at(-1)?.includes(top) ? 'foundation' : top;
}

function floorOf(path: string, floors: string[][]): number {
  const top = path.split('/')[0] as string;
  return floors.findIndex((floor) => floor.includes(top));
}

const files = sourceFiles(SRC);

describe('the floor plan (ARCHITECTURE.md)', () => {
  it('places every source file on a floor', () => {
    expect(files.filter((file) => floorOf(file, FLOORS) < 0)).toEqual([]);
    const retrieve = files.filter((f) => f.startsWith('retrieve/')).map((f) => f.slice('retrieve/'.length));
    expect(retrieve.filter((file) => floorOf(file, RETRIEVE_FLOORS) < 0)).toEqual([]);
  });

  it('has no import that runs against the flow', () => {
    const against: string[] = [];
    for (const file of files) {
      for (const { target } of importsOf(file)) {
        if (!target) continue;
        const [from, to] = [moduleOf(file), moduleOf(target)];
        if (from === to && from === 'retrieve') {
          const [inner, innerTarget] = [file.slice(9), target.slice(9)];
          const [a, b] = [floorOf(inner, RETRIEVE_FLOORS), floorOf(innerTarget, RETRIEVE_FLOORS)];
          if (inner.split('/')[0] !== innerTarget.split('/')[0] && a >= b)
            against.push(`${file} -> ${target}`);
        } else if (from !== to && floorOf(file, FLOORS) >= floorOf(target, FLOORS)) {
          against.push(`${file} -> ${target}`);
        }
      }
    }
    expect(against).toEqual([]);
  });

  it('keeps the core pure: no file system, process or network client, even through another module', () => {
    const impure: string[] = [];
    const pureFiles = files.filter(
      (f) => PURE.includes(f.split('/')[0] as string) && !PURE_EXCEPT.includes(f),
    );
    for (const start of pureFiles) {
      // Follow runtime imports only: a type import leaves nothing behind in the compiled code.
      const seen = new Set<string>([start]);
      const queue = [start];
      while (queue.length > 0) {
        const file = queue.shift() as string;
        for (const { spec, target, typeOnly } of importsOf(file)) {
          if (typeOnly) continue;
          if (!target) {
            if (IMPURE_MODULE.test(spec))
              impure.push(`${start}: ${[...chain(file, start)].join(' -> ')} -> ${spec}`);
            continue;
          }
          if (target.startsWith('app/')) impure.push(`${start} reaches ${target}`);
          if (!seen.has(target)) {
            seen.add(target);
            parents.set(target, file);
            queue.push(target);
          }
        }
      }
      parents.clear();
    }
    expect([...new Set(impure)]).toEqual([]);
  });
});

const parents = new Map<string, string>();

/** The import path from `start` to `file`, for a message that says where the I/O comes in. */
function chain(file: string, start: string): string[] {
  const path = [file];
  let current = file;
  while (current !== start) {
    current = parents.get(current) as string;
    path.unshift(current);
  }
  return path;
}

it('finds the source tree', () => {
  expect(files.length).toBeGreaterThan(50);
  expect(dirname(SRC)).toBe(REPO_ROOT);
});
