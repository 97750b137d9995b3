/**
 * A source of truth an index is audited against (a PostgreSQL query, a JSONL export, the dataset corpus):
 * what documents exist, the digest of each one's content, and when it last changed. Only ids and digests
 * are held, never the whole content, so a million rows stay small; content is read back for the few
 * documents a sync re-embeds.
 */
export interface SourceRecord {
  id: string;
  /** sha256 (hex) of the content as UTF-8: what `index build` stores with each vector (contentDigest). */
  digest: string;
  /** When the row last changed (ms since the epoch), when the source says. */
  updatedAt: number | null;
  /** Soft-deleted (`deleted_at` set): its vector should be gone. */
  deleted: boolean;
}

export interface Source {
  /** How messages and audit.json name it, without credentials: "postgres://db:5432/app (sources.notes)". */
  readonly description: string;
  /**
   * Every record, a page at a time, from one consistent snapshot where the source has snapshots. Ids must
   * be unique: a duplicate is a UserError naming it. Resolves with the number of rows read.
   */
  records(visit: (page: SourceRecord[]) => void | Promise<void>): Promise<{ rows: number }>;
  /** The current content of these ids, skipping any that are gone or soft-deleted. */
  contents(ids: readonly string[]): Promise<Map<string, string>>;
  close(): Promise<void>;
}
