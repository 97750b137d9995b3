import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { type CacheStats, cacheStats, type PruneReport, pruneCache } from '../retrieve/cache/maintenance.js';
import { alignColumns } from '../text-columns.js';
import { collect } from './options.js';

const DEFAULT_CACHE_DIR = '.cache/retrieval-gate';

interface WhereFlags {
  cacheDir?: string;
  config?: string;
  json?: boolean;
}

interface StatsFlags extends WhereFlags {
  verify?: boolean;
}

interface PruneFlags extends WhereFlags {
  olderThan?: number;
  namespace: string[];
  keepLegacy?: boolean;
  dryRun?: boolean;
}

export function registerCache(program: Command): void {
  const cache = program.command('cache').description('inspect and clean the embedding cache');
  whereOptions(
    cache
      .command('stats')
      .description('per embedding namespace (model id, version, dimensions): entries, size, damaged records')
      .option('--verify', 'also check every record’s checksum (reads the whole cache)'),
  ).action((flags: StatsFlags) => {
    const stats = cacheStats(cacheDirOf(flags), { verify: flags.verify === true });
    process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
  });
  whereOptions(
    cache
      .command('prune')
      .description('remove embeddings no run will read again and compact the rest')
      .option(
        '--older-than <age>',
        'remove namespaces no run has read or written for this long, e.g. 30d, 12h, 2w',
        parseAge,
      )
      .option(
        '--namespace <name>',
        'remove this namespace (its folder name, as `cache stats` prints it; repeatable)',
        collect,
        [],
      )
      .option('--keep-legacy', 'keep the chunk cache of earlier versions (<cache>/vectors/, no longer read)')
      .option('--dry-run', 'print what would be removed, remove nothing')
      .addHelpText(
        'after',
        [
          '',
          'Always, without flags: merges the finished segments of each namespace into one, dropping damaged,',
          'torn and duplicate records; deletes temporary files of processes that are gone; removes the legacy',
          'chunk cache. Nothing a run can still read is lost. Segments of running processes are never touched,',
          'and a namespace a running process writes to is never removed, so pruning during a run is safe.',
          '',
        ].join('\n'),
      ),
  ).action((flags: PruneFlags) => {
    const report = pruneCache(cacheDirOf(flags), {
      ...(flags.olderThan === undefined ? {} : { olderThanMs: flags.olderThan }),
      namespaces: flags.namespace,
      keepLegacy: flags.keepLegacy === true,
      dryRun: flags.dryRun === true,
    });
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatPrune(report));
  });
}

function whereOptions(command: Command): Command {
  return command
    .option('--cache-dir <dir>', `the cache folder (default: ${DEFAULT_CACHE_DIR}, the config default)`)
    .option('--config <file>', 'take the cache folder from this run configuration')
    .option('--json', 'print JSON');
}

function cacheDirOf(flags: WhereFlags): string {
  if (flags.cacheDir !== undefined && flags.config !== undefined) {
    throw new UserError('give --cache-dir or --config, not both');
  }
  if (flags.config !== undefined) {
    // The cache commands call no service: API key variables need not be set.
    const anyKey = new Proxy({}, { get: () => 'unused' }) as NodeJS.ProcessEnv;
    return loadConfig(flags.config, anyKey).cacheDir;
  }
  return resolve(flags.cacheDir ?? DEFAULT_CACHE_DIR);
}

const AGE_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d" → milliseconds (units m, h, d, w). */
export function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('takes a number and a unit: m, h, d or w (e.g. 30d)');
  return Number(match[1]) * (AGE_UNITS[match[2] as string] as number);
}

function formatStats(stats: CacheStats): string {
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

function formatPrune(report: PruneReport): string {
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
