import { existsSync } from 'node:fs';
import type { CacheStats, PruneReport } from '../retrieve/cache/maintenance.js';
import { alignColumns } from '../text-columns.js';

/** `cache stats` for people: a table of namespaces, the totals, and what `cache prune` would fix. */
export function formatCacheStats(stats: CacheStats): string {
  const lines: string[] = [];
  if (stats.namespaces.length === 0 && stats.unknown.length === 0 && !stats.legacy) {
    const why = existsSync(stats.cacheDir) ? 'holds no embeddings' : 'does not exist';
    return `${stats.cacheDir} ${why}\n`;
  }
  lines.push(`cache: ${stats.cacheDir}`);
  if (stats.namespaces.length > 0) {
    const table = alignColumns(
      [
        'namespace',
        'embedder',
        'version',
        'dims',
        'entries',
        'size',
        'segments',
        'damaged',
        'torn',
        'dups',
        'last write (UTC)',
        'last used (UTC)',
      ],
      stats.namespaces.map((n) => [
        n.name,
        n.id,
        n.version,
        String(n.dimensions),
        count(n.entries),
        bytes(n.bytes),
        n.liveSegments > 0 ? `${n.segments} (${n.liveSegments} live)` : String(n.segments),
        count(n.damaged),
        count(n.torn),
        count(n.duplicates),
        n.lastWrite ? minute(n.lastWrite) : '-',
        minute(n.lastUsed),
      ]),
    );
    lines.push(table.header, table.rule, ...table.rows);
  }
  const { totals } = stats;
  lines.push(
    `total: ${totals.namespaces} namespaces, ${count(totals.entries)} entries, ${bytes(totals.bytes)} in ${totals.segments} segments`,
  );
  for (const name of stats.unknown) lines.push(`not a namespace (no readable namespace.json): ${name}`);
  if (stats.legacy) {
    lines.push(
      `legacy chunk cache (no longer read): ${stats.legacy.dir}, ${bytes(stats.legacy.bytes)} in ${count(stats.legacy.files)} file(s); \`retrieval-gate cache prune\` removes it`,
    );
  }
  const damaged = stats.namespaces.filter((n) => n.damaged + n.torn + n.duplicates > 0);
  if (damaged.length > 0) {
    lines.push(
      'damaged, torn and duplicate records are never served (their texts are embedded again); `retrieval-gate cache prune` drops them',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `cache prune` for people: one line per action taken (or, in a dry run, that would be), and the bytes freed. */
export function formatPruneReport(report: PruneReport): string {
  const verb = (action: string) =>
    report.dryRun
      ? action === 'removed'
        ? 'would remove'
        : action === 'compacted'
          ? 'would compact'
          : action
      : action;
  const lines = report.actions
    .filter((a) => a.action !== 'skipped' || a.reason !== 'nothing to compact')
    .map(
      (a) => `${verb(a.action)} ${a.name}: ${a.reason}${a.bytesFreed > 0 ? ` (${bytes(a.bytesFreed)})` : ''}`,
    );
  lines.push(`${report.dryRun ? 'would free' : 'freed'} ${bytes(report.bytesFreed)}`);
  return `${lines.join('\n')}\n`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function minute(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}
