import type { Qrels } from '../metrics/types.js';

/** A query as stored in queries.jsonl; extra fields (metadata, tags) are kept as they are. */
export interface QueryRecord {
  id: string;
  text: string;
  [extra: string]: unknown;
}

/** A document as stored in corpus.jsonl; extra fields are kept. */
export interface DocumentRecord {
  id: string;
  title?: string;
  text: string;
  [extra: string]: unknown;
}

/** What a dataset holds, whatever format it was read from. */
export interface DatasetContent {
  queries: Map<string, QueryRecord>;
  /** Absent when the dataset ships judgments only. */
  corpus?: Map<string, DocumentRecord>;
  qrels: Qrels;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  format?: 'jsonl' | 'trec';
}

/** What every dataset version's manifest says of it, retrieval or route dataset alike. */
export interface ManifestHeader {
  schemaVersion: 1;
  name: string;
  version: string;
  description: string;
  created: string;
  source: string;
  licence: string;
}

export interface Manifest extends ManifestHeader {
  files: { queries: ManifestFile; corpus?: ManifestFile; qrels: ManifestFile };
  counts?: { queries: number; documents: number; judgments: number };
  /** A version grown by judging (`judge merge`): what it came from and whose judgments it added. */
  judging?: JudgingRecord;
  digest: string;
}

export interface JudgingRecord {
  /** The version the judgments were added to. */
  from: { version: string; digest: string };
  /** How annotators' disagreements were settled: strict (none allowed), majority, max or min. */
  conflicts: string;
  /** Judgments added, queries added (production queries), and pairs whose annotators disagreed. */
  added: { judgments: number; queries: number; conflicting: number };
  /** Judgments (acts of annotators, before conflicts are settled) per pool, annotator and date. */
  sources: { pool: string; annotator: string; date: string; judgments: number }[];
}

/** A loaded dataset: its content, where it lives, and the digest every result records. */
export interface Dataset extends DatasetContent {
  manifest: Manifest;
  dir: string;
  /** "sha256:<hex>" over the canonical content (see digest.ts). */
  digest: string;
  /** Problems that do not stop evaluation, e.g. judged documents absent from the corpus. */
  warnings: string[];
}
