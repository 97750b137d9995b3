import { type Command, InvalidArgumentError } from 'commander';
import type { CacheLocation } from '../app/cache.js';
import { UserError } from '../errors.js';
import type { Cli } from './io.js';
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

export function registerCache(program: Command, cli: Cli): void {
  const cache = program.command('cache').description('inspect and clean the embedding cache');
  whereOptions(
    cache
      .command('stats')
      .description('per embedding namespace (model id, version, dimensions): entries, size, damaged records')
      .option('--verify', 'also check every record’s checksum (reads the whole cache)'),
  ).action(async (flags: StatsFlags) => {
    const [{ inspectCache }, { formatCacheStats }] = await Promise.all([
      import('../app/cache.js'),
      import('../app/cache-text.js'),
    ]);
    const stats = inspectCache(locationOf(flags), flags.verify === true);
    cli.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatCacheStats(stats));
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
  ).action(async (flags: PruneFlags) => {
    const [{ pruneCacheAt }, { formatPruneReport }] = await Promise.all([
      import('../app/cache.js'),
      import('../app/cache-text.js'),
    ]);
    const report = pruneCacheAt(locationOf(flags), {
      ...(flags.olderThan === undefined ? {} : { olderThanMs: flags.olderThan }),
      namespaces: flags.namespace,
      keepLegacy: flags.keepLegacy === true,
      dryRun: flags.dryRun === true,
    });
    cli.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatPruneReport(report));
  });
}

function whereOptions(command: Command): Command {
  return command
    .option('--cache-dir <dir>', `the cache folder (default: ${DEFAULT_CACHE_DIR}, the config default)`)
    .option('--config <file>', 'take the cache folder from this run configuration')
    .option('--json', 'print JSON');
}

function locationOf(flags: WhereFlags): CacheLocation {
  if (flags.cacheDir !== undefined && flags.config !== undefined) {
    throw new UserError('give --cache-dir or --config, not both');
  }
  return flags.config === undefined ? { dir: flags.cacheDir ?? DEFAULT_CACHE_DIR } : { config: flags.config };
}

const AGE_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d" → milliseconds (units m, h, d, w). */
function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('takes a number and a unit: m, h, d or w (e.g. 30d)');
  return Number(match[1]) * (AGE_UNITS[match[2] as string] as number);
}
