import { join } from 'node:path';
import { type ImportFormat, type ImportOptions, readForeignDataset } from '../dataset/import/index.js';
import { readLabelledUtterances } from '../dataset/import/labelled-utterances.js';
import { loadDataset } from '../dataset/native.js';
import {
  loadRouteDataset,
  type RouteManifest,
  readRoutesFile,
  writeRouteDataset,
} from '../dataset/route-dataset.js';
import type { Manifest } from '../dataset/types.js';
import { type DatasetInfo, sealDataset, writeDataset } from '../dataset/write.js';

/** What the dataset is; `source` defaults to what it was made from. */
export type DatasetDescription = Omit<DatasetInfo, 'source' | 'created'> & { source?: string };

export interface ImportDatasetOptions extends ImportOptions, DatasetDescription {
  from: ImportFormat;
  /** The dataset's folder; default: datasets/<name>/<version>. */
  out?: string;
}

/** A dataset version just written, read back through the checks every later command applies. */
export interface WrittenDataset {
  dir: string;
  manifest: Manifest;
  warnings: string[];
  /** What the import has to say beside its counts (e.g. BEIR queries without judgments, left out). */
  notes: string[];
}

/** A BEIR folder, qrels (TREC, JSONL, dict or BEIR TSV; gzip too) or a hand-made eval set → a new native dataset version. */
export function importDataset(src: string, options: ImportDatasetOptions): WrittenDataset {
  const { notes, ...content } = readForeignDataset(options.from, src, options);
  const dir = options.out ?? join('datasets', options.name, options.version);
  const info = datasetInfo(options, `imported from ${options.from} ${src}`);
  return { ...readBack(dir, writeDataset(dir, content, info)), notes };
}

/** A hand-written native folder → the same folder with its manifest.json. */
export function sealDatasetFolder(dir: string, description: DatasetDescription): WrittenDataset {
  return readBack(dir, sealDataset(dir, datasetInfo(description, 'written by hand')));
}

function datasetInfo(description: DatasetDescription, source: string): DatasetInfo {
  return {
    name: description.name,
    version: description.version,
    description: description.description,
    source: description.source ?? source,
    licence: description.licence,
  };
}

function readBack(dir: string, manifest: Manifest): WrittenDataset {
  return { dir, manifest, warnings: loadDataset(dir).warnings, notes: [] };
}

export interface ImportRouteDatasetOptions extends DatasetDescription {
  /** routes.jsonl: each route's name, example utterances and costs, and the fallback line. */
  routes: string;
  out?: string;
}

/** A route dataset version just written, read back through the checks every later command applies. */
export interface WrittenRouteDataset {
  dir: string;
  manifest: RouteManifest;
}

/** Labelled utterances (CSV or JSONL) and a routes.jsonl → a new route dataset version. */
export function importRouteDataset(src: string, options: ImportRouteDatasetOptions): WrittenRouteDataset {
  const { routes, fallback } = readRoutesFile(options.routes);
  const items = readLabelledUtterances(src, routes, options.routes);
  const dir = options.out ?? join('datasets', options.name, options.version);
  writeRouteDataset(
    dir,
    { routes, fallback, items },
    datasetInfo(options, `imported from labelled utterances ${src} and ${options.routes}`),
  );
  return { dir, manifest: loadRouteDataset(dir).manifest };
}
