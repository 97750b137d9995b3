import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeTextFile } from '../files.js';
import { canonicalLines, canonicalQrelsLines } from './canonical.js';
import { datasetDigest, fileSha256 } from './digest.js';
import { countJudgments } from './judgments.js';
import { checkQrelsQueries, readJsonlQrels, readRecords } from './native.js';
import type {
  DatasetContent,
  DocumentRecord,
  JudgingRecord,
  Manifest,
  ManifestHeader,
  QueryRecord,
} from './types.js';

export interface DatasetInfo {
  name: string;
  version: string;
  description: string;
  source: string;
  licence: string;
  /** ISO date; defaults to today. */
  created?: string;
  judging?: JudgingRecord;
}

/**
 * Writes a dataset in the native layout, each file in canonical form (records sorted by id, keys sorted),
 * then seals it with a manifest. Refuses to touch an existing version: a published version is never edited.
 */
export function writeDataset(dir: string, content: DatasetContent, info: DatasetInfo): Manifest {
  refuseExisting(dir, info);
  const write = (name: string, lines: string[]): void => {
    writeTextFile(join(dir, name), lines.map((line) => `${line}\n`).join(''));
  };
  write('queries.jsonl', canonicalLines(content.queries));
  if (content.corpus) write('corpus.jsonl', canonicalLines(content.corpus));
  write('qrels.jsonl', canonicalQrelsLines(content.qrels));
  // qrels.jsonl was just written as the digest's qrels lines: the digest hashes the file, not them again.
  return writeManifest(dir, content, info, { canonicalQrelsFile: join(dir, 'qrels.jsonl') });
}

/**
 * Seals a hand-written native folder (queries.jsonl, qrels.jsonl, optional corpus.jsonl): validates every
 * file and writes manifest.json with their sha256 and the content digest, leaving the files as they are.
 */
export function sealDataset(dir: string, info: DatasetInfo): Manifest {
  refuseExisting(dir, info);
  const need = (name: string): string => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new UserError(`${name} is missing`, { file: dir });
    return path;
  };
  const corpusPath = join(dir, 'corpus.jsonl');
  const content: DatasetContent = {
    queries: readRecords<QueryRecord>(need('queries.jsonl'), 'query', 'query'),
    qrels: readJsonlQrels(need('qrels.jsonl')),
    ...(existsSync(corpusPath)
      ? { corpus: readRecords<DocumentRecord>(corpusPath, 'document', 'document') }
      : {}),
  };
  // Check references before writing anything: a failed seal leaves no manifest behind.
  checkQrelsQueries(content.qrels, content.queries, join(dir, 'qrels.jsonl'), 'jsonl');
  return writeManifest(dir, content, info);
}

/** A published version is never edited: a folder that holds a manifest is refused. */
export function refuseExisting(dir: string, info: DatasetInfo): void {
  if (existsSync(join(dir, 'manifest.json'))) {
    throw new UserError(
      `dataset ${info.name}@${info.version} already exists; a published version is never edited, choose a new version`,
      { file: dir },
    );
  }
}

function writeManifest(
  dir: string,
  content: DatasetContent,
  info: DatasetInfo,
  digestOptions: Parameters<typeof datasetDigest>[1] = {},
): Manifest {
  const file = (name: string): { path: string; sha256: string } => ({
    path: name,
    sha256: fileSha256(join(dir, name)),
  });
  const judgments = countJudgments(content.qrels);
  const manifest: Manifest = {
    ...manifestHeader(info),
    files: {
      queries: file('queries.jsonl'),
      ...(content.corpus ? { corpus: file('corpus.jsonl') } : {}),
      qrels: { ...file('qrels.jsonl'), format: 'jsonl' },
    },
    counts: { queries: content.queries.size, documents: content.corpus?.size ?? 0, judgments },
    ...(info.judging ? { judging: info.judging } : {}),
    digest: datasetDigest(content, digestOptions),
  };
  writeTextFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The manifest's description of a version, its date today unless given. */
export function manifestHeader(info: DatasetInfo): ManifestHeader {
  return {
    schemaVersion: 1,
    name: info.name,
    version: info.version,
    description: info.description,
    created: info.created ?? new Date().toISOString().slice(0, 10),
    source: info.source,
    licence: info.licence,
  };
}
