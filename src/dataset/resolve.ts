import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';

const REFERENCE = /^([A-Za-z0-9][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9._+-]*)$/;

/**
 * Turns `name@version` or a folder path into a dataset folder. A reference is looked up in ./datasets
 * (the user's project) and then in the datasets shipped with the package.
 */
export function resolveDataset(reference: string, cwd = process.cwd()): string {
  const asPath = resolve(cwd, reference);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return asPath;
  const match = REFERENCE.exec(reference);
  if (!match) throw new UserError(`dataset '${reference}' is neither a folder nor a name@version reference`);
  const [, name = '', version = ''] = match;
  const roots = [join(cwd, 'datasets'), join(PACKAGE_ROOT, 'datasets')];
  for (const root of roots) {
    const dir = join(root, name, version);
    if (existsSync(join(dir, 'manifest.json'))) return dir;
  }
  const known = roots.flatMap(listReferences);
  throw new UserError(
    `dataset ${reference} not found in ${[...new Set(roots)].join(' or ')}${known.length ? `; available: ${[...new Set(known)].join(', ')}` : ''}`,
  );
}

function listReferences(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((name) => {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) return [];
    return readdirSync(dir)
      .filter((version) => existsSync(join(dir, version, 'manifest.json')))
      .map((version) => `${name}@${version}`);
  });
}
