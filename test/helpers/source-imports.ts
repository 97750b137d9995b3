import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** Reads the imports of src/ from the code itself, for the tests that hold the floor plan to it. */

export const SRC = join(REPO_ROOT, 'src');

export interface SourceImport {
  spec: string;
  /** The imported file as a path under src/, for a relative import. */
  target?: string;
  /** `import type` (or only type names): nothing of it is left in the compiled code. */
  typeOnly: boolean;
  /** `import('…')`: loaded when that code runs, not when the module is. */
  dynamic: boolean;
}

/** The TypeScript files under src/ as paths relative to it (the report page's browser code is not). */
export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'page' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

export function importsOf(file: string): SourceImport[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const pattern =
    /^(?:import|export)\s+(type\s+)?(?:(\{[^}]*\})|[\w*]+(?:\s+as\s+\w+)?)?\s*(?:from\s*)?'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;
  return [...text.matchAll(pattern)].map((match) => {
    const spec = (match[3] ?? match[4]) as string;
    const names =
      match[2]
        ?.slice(1, -1)
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean) ?? [];
    const typeOnly =
      match[1] !== undefined || (names.length > 0 && names.every((n) => n.startsWith('type ')));
    const target = spec.startsWith('.')
      ? posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts')
      : undefined;
    return { spec, typeOnly, dynamic: match[4] !== undefined, ...(target ? { target } : {}) };
  });
}
