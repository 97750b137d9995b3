import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root folder, found by walking up from this module: the same code runs from
 * src/ (tests) and from dist/src/ (the built CLI), at different depths.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'retrieval-gate'
    ) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('retrieval-gate: cannot find its own package.json');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
