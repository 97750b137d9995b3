import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeTextFile } from '../files.js';
import { compareCodePoints } from '../metrics/order.js';
import { assertValid } from '../schemas.js';
import { readUtf8File } from '../utf8.js';
import { canonicalJson } from './canonical.js';
import { fileSha256 } from './digest.js';
import { checkIdText, replacementFieldOfJson } from './ids.js';
import { parseJsonDocument } from './json-text.js';
import { readJsonl } from './jsonl.js';
import type { ManifestHeader } from './types.js';
import { type DatasetInfo, manifestHeader, refuseExisting } from './write.js';

/** A path requests can take: a route (a cheaper model, a cached answer) or, with name null, the fallback. */
export interface RoutePath {
  costPerCall?: number;
  latencyMs?: number;
}

export interface Route extends RoutePath {
  name: string;
  description?: string;
  /** Utterances that belong on the route, what an embedding router compares with (at least one). */
  examples: string[];
}

/** A labelled utterance: `route` null means no route fits and the fallback is the right answer. */
export interface RouteItem {
  id: string;
  text: string;
  route: string | null;
}

export interface RouteDatasetContent {
  /** In the order of routes.jsonl: the order of confusion matrices and per-route tables. */
  routes: Route[];
  fallback: RoutePath;
  items: RouteItem[];
}

export interface RouteManifest extends ManifestHeader {
  kind: 'routes';
  files: { routes: { path: string; sha256: string }; items: { path: string; sha256: string } };
  counts?: { routes: number; items: number; outOfScope: number };
  digest: string;
}

export interface RouteDataset extends RouteDatasetContent {
  manifest: RouteManifest;
  dir: string;
  digest: string;
}

const ROUTES_FILE = 'routes.jsonl';
const ITEMS_FILE = 'items.jsonl';

/** Whether a dataset folder holds routes (its manifest says `kind: routes`) rather than queries and qrels. */
export function isRouteDatasetFolder(dir: string): boolean {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return false;
  return /"kind"\s*:\s*"routes"/.test(readUtf8File(manifest, replacementFieldOfJson));
}

/**
 * Reads routes.jsonl: one line per route (a name, its example utterances, what serving a call costs) and one
 * fallback line (`"name": null`). A route without examples, a name used twice or a missing fallback stop here.
 */
export function readRoutesFile(path: string): { routes: Route[]; fallback: RoutePath } {
  const routes: Route[] = [];
  const lineOf = new Map<string, number>();
  let fallback: { path: RoutePath; line: number } | undefined;
  readJsonl<{ name: string | null } & Partial<Route>>(path, 'route', (record, line) => {
    if (record.name === null) {
      if (fallback)
        throw new UserError(`a second fallback line (first at line ${fallback.line})`, {
          file: path,
          line,
          field: 'name',
        });
      if (record.examples !== undefined)
        throw new UserError('the fallback takes no examples: it serves what no route fits', {
          file: path,
          line,
          field: 'examples',
        });
      fallback = { path: pathCosts(record), line };
      return;
    }
    checkIdText(record.name, 'route name', { file: path, line, field: 'name' });
    if (lineOf.has(record.name))
      throw new UserError(`duplicate route '${record.name}' (first at line ${lineOf.get(record.name)})`, {
        file: path,
        line,
        field: 'name',
      });
    if (!record.examples || record.examples.length === 0)
      throw new UserError(`route '${record.name}' has no example utterances`, {
        file: path,
        line,
        field: 'examples',
      });
    lineOf.set(record.name, line);
    routes.push({
      name: record.name,
      ...(record.description === undefined ? {} : { description: record.description }),
      examples: record.examples,
      ...pathCosts(record),
    });
  });
  if (routes.length === 0) throw new UserError('the file has no routes', { file: path });
  if (!fallback)
    throw new UserError(
      'no fallback line: add {"name": null, "costPerCall": …, "latencyMs": …} for the path taken when no route fits',
      { file: path },
    );
  return { routes, fallback: fallback.path };
}

function pathCosts(record: RoutePath): RoutePath {
  return {
    ...(record.costPerCall === undefined ? {} : { costPerCall: record.costPerCall }),
    ...(record.latencyMs === undefined ? {} : { latencyMs: record.latencyMs }),
  };
}

/** Reads items.jsonl, refusing an id used twice and a route label routes.jsonl does not define. */
export function readRouteItems(path: string, routes: readonly Route[]): RouteItem[] {
  const items: RouteItem[] = [];
  const checker = routeItemChecker(routes, path);
  readJsonl<RouteItem>(path, 'route-item', (item, line) => {
    checker(item, { file: path, line });
    items.push(item);
  });
  if (items.length === 0) throw new UserError('the file has no utterances', { file: path });
  return items;
}

/** Checks items one by one (ids unique, labels known), pointing at where each came from. */
export function routeItemChecker(
  routes: readonly Route[],
  file: string,
): (item: RouteItem, where: { file: string; line?: number; field?: string }) => void {
  const names = new Set(routes.map((route) => route.name));
  const seen = new Map<string, number | undefined>();
  return (item, where) => {
    const prefix = where.field ?? '';
    checkIdText(item.id, 'utterance id', { ...where, field: `${prefix}id` });
    if (seen.has(item.id)) {
      const first = seen.get(item.id);
      throw new UserError(
        `duplicate utterance id '${item.id}'${first === undefined ? '' : ` (first at line ${first})`}`,
        { ...where, field: `${prefix}id` },
      );
    }
    seen.set(item.id, where.line);
    if (item.route !== null && !names.has(item.route)) {
      throw new UserError(
        `unknown route '${item.route}' (${file} defines ${[...names].join(', ')}; null means the fallback)`,
        { ...where, field: `${prefix}route` },
      );
    }
  };
}

/**
 * The digest of a route dataset: sha256 over its routes (in file order: the order is part of what the
 * dataset says) and its items in id order, as canonical JSON. Formatting does not change it; any edit does.
 */
export function routeDatasetDigest(content: RouteDatasetContent): string {
  const hash = createHash('sha256');
  hash.update('retrieval-gate route dataset v1\n');
  hash.update(`routes ${content.routes.length}\n`);
  for (const route of content.routes) hash.update(`${canonicalJson(route)}\n`);
  hash.update(`fallback ${canonicalJson(content.fallback)}\n`);
  const items = [...content.items].sort((a, b) => compareCodePoints(a.id, b.id));
  hash.update(`items ${items.length}\n`);
  for (const item of items) hash.update(`${canonicalJson(item)}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/** Loads a route dataset folder: manifest, files checked against their sha256, schema, labels and digest. */
export function loadRouteDataset(dir: string): RouteDataset {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath))
    throw new UserError('not a dataset folder: manifest.json is missing', { file: dir });
  const manifest = parseJsonDocument(readUtf8File(manifestPath, replacementFieldOfJson), manifestPath);
  if ((manifest as { kind?: unknown } | null)?.kind === undefined)
    throw new UserError(
      'this is a retrieval dataset (queries and judgments), not a route dataset (kind: routes)',
      {
        file: manifestPath,
        field: 'kind',
      },
    );
  assertValid<RouteManifest>('route-manifest', manifest, manifestPath);
  const path = (role: 'routes' | 'items'): string => {
    const file = manifest.files[role];
    const full = join(dir, file.path);
    if (!existsSync(full) || !statSync(full).isFile())
      throw new UserError(`file '${file.path}' named in the manifest does not exist`, {
        file: manifestPath,
        field: `files.${role}.path`,
      });
    if (fileSha256(full) !== file.sha256)
      throw new UserError(
        `${file.path} has changed since the manifest was written. A published version is never edited: import the change as a new version`,
        { file: manifestPath, field: `files.${role}.sha256` },
      );
    return full;
  };
  const { routes, fallback } = readRoutesFile(path('routes'));
  const items = readRouteItems(path('items'), routes);
  const content = { routes, fallback, items };
  const digest = routeDatasetDigest(content);
  if (digest !== manifest.digest)
    throw new UserError(`content digest ${digest} differs from the manifest's ${manifest.digest}`, {
      file: manifestPath,
      field: 'digest',
    });
  return { ...content, manifest, dir, digest };
}

/** Writes a route dataset version (routes in their order, items by id) and seals it with its manifest. */
export function writeRouteDataset(
  dir: string,
  content: RouteDatasetContent,
  info: DatasetInfo,
): RouteManifest {
  refuseExisting(dir, info);
  const routeLines = [
    ...content.routes.map((route) => canonicalJson(route)),
    canonicalJson({ name: null, ...content.fallback }),
  ];
  const items = [...content.items].sort((a, b) => compareCodePoints(a.id, b.id));
  writeTextFile(join(dir, ROUTES_FILE), routeLines.map((line) => `${line}\n`).join(''));
  writeTextFile(join(dir, ITEMS_FILE), items.map((item) => `${canonicalJson(item)}\n`).join(''));
  const file = (name: string) => ({ path: name, sha256: fileSha256(join(dir, name)) });
  // kind second, where a reader of the file looks for it
  const { schemaVersion, ...header } = manifestHeader(info);
  const manifest: RouteManifest = {
    schemaVersion,
    kind: 'routes',
    ...header,
    files: { routes: file(ROUTES_FILE), items: file(ITEMS_FILE) },
    counts: {
      routes: content.routes.length,
      items: content.items.length,
      outOfScope: content.items.filter((item) => item.route === null).length,
    },
    digest: routeDatasetDigest(content),
  };
  writeTextFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
