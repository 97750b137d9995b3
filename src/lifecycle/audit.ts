import type { AuditCounts, AuditItem, AuditLists, AuditPending } from '../results/audit.js';
import type { SourceRecord } from '../retrieve/providers/sources/source.js';
import type { StoredPoint } from './index-store.js';

/** What the source says of one id: a record kept compact (a million of them stay small). */
interface Known {
  digest: string;
  updatedAt: number | null;
  deleted: boolean;
  /** Set once a point holds it. */
  seen: boolean;
}

/**
 * Compares an index's points with the source of truth, one page at a time on both sides: the source is
 * read first (ids, digests, change times), then each page of points is checked against it, so memory holds
 * the source's ids and digests and the inconsistencies, never the points.
 *
 * - missing: a live source row no point holds;
 * - orphaned: a point whose row is gone, soft-deleted, or already held by another point;
 * - stale: the digest stored with the point differs from the row's (the text changed since it was embedded);
 * - foreign: a point embedded by another model than the index's build record names (a mixed index).
 */
export class AuditComparison {
  private readonly source = new Map<string, Known>();
  private readonly lists: AuditLists = { missing: [], orphaned: [], stale: [], foreign: [] };
  private points = 0;
  private unknownDigest = 0;
  private unknownModel = 0;
  private duplicateSource: string | undefined;

  /** `expectedModel`: modelStamp of the index's build record; null when it records none. */
  constructor(private readonly expectedModel: string | null) {}

  addSource(page: readonly SourceRecord[]): void {
    for (const record of page) {
      if (this.source.has(record.id)) {
        this.duplicateSource ??= record.id;
        continue;
      }
      this.source.set(record.id, { ...record, seen: false });
    }
  }

  /** A source id given twice (the source readers refuse it; a hand-made page may not). */
  get duplicate(): string | undefined {
    return this.duplicateSource;
  }

  addPoints(page: readonly StoredPoint[]): void {
    for (const point of page) {
      this.points++;
      const known = this.source.get(point.docid);
      const item = (reason?: string): AuditItem => ({
        id: point.docid,
        pointId: point.pointId,
        updatedAt: iso(known?.updatedAt ?? null),
        ...(reason ? { reason } : {}),
      });
      if (!known || known.deleted || known.seen) {
        const reason = !known
          ? 'not in the source'
          : known.deleted
            ? 'soft-deleted in the source'
            : 'a second point for this id';
        this.lists.orphaned.push(item(reason));
        continue;
      }
      known.seen = true;
      if (point.digest === '') this.unknownDigest++;
      else if (point.digest !== known.digest) this.lists.stale.push(item());
      if (point.embeddedWith === null || this.expectedModel === null) this.unknownModel++;
      else if (point.embeddedWith !== this.expectedModel)
        this.lists.foreign.push(item(`embedded with ${point.embeddedWith}`));
    }
  }

  /** The figures, once both sides were read in full. `now` dates the oldest unresolved inconsistency. */
  finish(now: number): {
    counts: AuditCounts;
    lists: AuditLists;
    rows: number;
    live: number;
    points: number;
    completeness: number;
    oldestUnresolved: AuditPending | null;
    newestUnindexed: AuditPending | null;
  } {
    let live = 0;
    for (const [id, known] of this.source) {
      if (known.deleted) continue;
      live++;
      if (!known.seen) this.lists.missing.push({ id, updatedAt: iso(known.updatedAt) });
    }
    this.lists.missing.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const unresolved = [...this.lists.missing, ...this.lists.stale];
    const dated = unresolved.filter((item) => item.updatedAt !== null);
    const pick = (better: (a: number, b: number) => boolean): AuditPending | null => {
      let chosen: AuditItem | undefined;
      for (const item of dated) {
        if (!chosen || better(Date.parse(item.updatedAt as string), Date.parse(chosen.updatedAt as string)))
          chosen = item;
      }
      if (!chosen) return null;
      const at = chosen.updatedAt as string;
      return { id: chosen.id, updatedAt: at, ageMs: Math.max(0, now - Date.parse(at)) };
    };
    const fresh = live - this.lists.missing.length - this.lists.stale.length;
    return {
      counts: {
        missing: this.lists.missing.length,
        orphaned: this.lists.orphaned.length,
        stale: this.lists.stale.length,
        foreign: this.lists.foreign.length,
        unknownDigest: this.unknownDigest,
        unknownModel: this.unknownModel,
      },
      lists: this.lists,
      rows: this.source.size,
      live,
      points: this.points,
      completeness: live === 0 ? 1 : fresh / live,
      oldestUnresolved: pick((a, b) => a < b),
      newestUnindexed: pick((a, b) => a > b),
    };
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
