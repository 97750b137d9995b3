import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readTextFile, writeTextFile } from '../files.js';
import { parseValidated } from './run-folder.js';
import type { Status } from './verdict.js';

/**
 * A migration review (review.json in the review's run folder): what `migrate review` measured about a live
 * system and the candidate meant to replace it, and the digests `migrate cutover` checks to know the review
 * still describes what it is about to switch.
 */

export const REVIEW_FILE = 'review.json';

/** Top-k agreement between the live system's and the candidate's rankings over one query set. */
export interface AgreementFigures {
  /** The judged queries of the dataset, or the unjudged sample given with `--queries`. */
  set: 'judged' | 'sample';
  k: number;
  /** Queries both systems answered. */
  queries: number;
  /** Mean over queries of |top k of live ∩ top k of candidate| / k (the shorter list's length when below k). */
  meanOverlap: number;
  /** Share of queries whose first document is the same. */
  top1Match: number;
  /** The queries that disagree most (lowest overlap first), with both top-k lists. */
  worst: { qid: string; text: string; overlap: number; top1: boolean; live: string[]; candidate: string[] }[];
}

/** The candidate index against the dataset's corpus, by document id and the digest of the embedded text. */
export interface CompletenessFigures {
  corpus: number;
  indexed: number;
  /** Corpus documents the index lacks. */
  missing: number;
  /** Indexed documents that are not in the corpus. */
  extra: number;
  /** Indexed documents whose text digest differs from the corpus's: embedded from another version. */
  stale: number;
  /** Indexed documents that record no text digest (not written by `index build`): staleness unknown. */
  unknownDigest: number;
  /** A few ids of each, for the reviewer. */
  examples: { missing: string[]; extra: string[]; stale: string[] };
}

/** One side of the review: a system, the index it searched and what was checked about that index. */
export interface ReviewSide {
  system: string;
  /** The index's alias in the config (how cutover and rollback reconnect to its store). */
  index: string;
  kind: 'qdrant' | 'pgvector';
  /** The store, without credentials. */
  where: string;
  /** The alias (Qdrant alias, pgvector view) the system searched through, when it named one. */
  alias: string | null;
  /** The concrete collection or table searched. */
  target: string;
  /** sha256 of the index's build record (canonical JSON), null when it has none. */
  buildRecordSha256: string | null;
  readiness: { ready: boolean; count: number; status?: string; problems: string[] };
  compatibility: { problems: string[]; warnings: string[] };
}

export interface ReviewFile {
  schemaVersion: 1;
  kind: 'migration-review';
  tool: { name: string; version: string };
  reviewedAt: string;
  /** The gate's status over every rule (quality against live, agreement, completeness, readiness…). */
  status: Status;
  runId: string;
  config: { file: string; sha256: string };
  policy: { file: string; sha256: string };
  dataset: { name: string; version: string; digest: string };
  sample: { file: string; sha256: string; queries: number } | null;
  live: ReviewSide;
  candidate: ReviewSide;
  agreement: AgreementFigures[];
  /** Null when the dataset has no corpus to compare with. */
  completeness: CompletenessFigures | null;
  /** The candidate index's build as its record gives it (figures `index build` measured). */
  build: { documents: number; tokens: number; cost: number; durationMs: number; builtAt: string } | null;
}

/** What the gate's review rules read. */
export type ReviewFigures = Pick<ReviewFile, 'live' | 'candidate' | 'agreement' | 'completeness'>;

export function writeReviewFile(dir: string, review: ReviewFile): string {
  const path = join(dir, REVIEW_FILE);
  writeTextFile(path, `${JSON.stringify(review, null, 2)}\n`);
  return path;
}

/** The review of a run folder; absent is null (a plain run has none). */
export function readReviewFile(dir: string): ReviewFile | null {
  const path = join(dir, REVIEW_FILE);
  if (!existsSync(path)) return null;
  return parseValidated<ReviewFile>(readTextFile(path), path, 'review');
}

/** The review `migrate cutover` is given: a folder that must hold one. */
export function requireReviewFile(dir: string): ReviewFile {
  const review = readReviewFile(dir);
  if (!review) {
    throw new UserError(`${dir} holds no ${REVIEW_FILE}: pass the folder \`migrate review\` wrote`, {
      file: join(dir, REVIEW_FILE),
    });
  }
  return review;
}
