import { loadConfig } from '../config/load.js';
import {
  type CutoverRecord,
  cutoverRecordName,
  DEFAULT_RETENTION_MS,
  pendingCutover,
  readCutoverRecords,
  writeCutoverRecord,
} from '../results/cutovers.js';
import { withConfigStore } from './migrate-store.js';

export interface StatusOptions {
  configFile: string;
  reportsDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface MigrationStatus {
  stores: { where: string; kind: string; aliases: [string, string][] }[];
  /** Cutovers whose previous target is still the rollback target. */
  rollbacks: {
    alias: string;
    from: string;
    to: string;
    at: string;
    retentionUntil: string | null;
    expired: boolean;
  }[];
  lines: string[];
}

/**
 * `migrate status`: every alias of the config's live stores (Qdrant servers, pgvector databases) and its
 * target, and the cutovers that can still be rolled back, with their retention deadlines.
 */
export async function migrationStatus(options: StatusOptions): Promise<MigrationStatus> {
  const env = options.env ?? process.env;
  const now = (options.now ?? (() => new Date()))();
  const config = loadConfig(options.configFile, env);
  const stores: MigrationStatus['stores'] = [];
  const seen = new Set<string>();
  for (const index of config.indexes) {
    if (index.kind !== 'qdrant' && index.kind !== 'pgvector') continue;
    await withConfigStore(config, index.alias, env, async ({ store }) => {
      if (seen.has(store.where)) return;
      seen.add(store.where);
      stores.push({ where: store.where, kind: store.kind, aliases: [...(await store.aliases())] });
    });
  }
  const aliases = new Set(readCutoverRecords(options.reportsDir).map((r) => r.record.alias));
  const rollbacks = [...aliases].sort().flatMap((alias) => {
    const pending = pendingCutover(options.reportsDir, alias);
    if (!pending) return [];
    const { record } = pending;
    const until = record.retentionUntil ?? null;
    return [
      {
        alias,
        from: record.from,
        to: record.to,
        at: record.at,
        retentionUntil: until,
        expired: until !== null && Date.parse(until) <= now.getTime(),
      },
    ];
  });
  const lines = [
    ...stores.flatMap((s) => [
      `${s.kind} ${s.where}:`,
      ...(s.aliases.length === 0
        ? ['  no aliases']
        : s.aliases.map(([alias, target]) => `  ${alias} → ${target}`)),
    ]),
    ...(rollbacks.length === 0
      ? ['no pending rollbacks']
      : rollbacks.map(
          (r) =>
            `rollback of ${r.alias} possible: back to ${r.from} (switched to ${r.to} at ${r.at}; retention ${r.expired ? 'passed' : 'until'} ${r.retentionUntil ?? 'unknown'})`,
        )),
  ];
  return { stores, rollbacks, lines };
}

export interface CleanupOptions {
  reportsDir: string;
  /** How long after a switch its previous target is kept (default 48 h). */
  retentionMs?: number;
  yes: boolean;
  /** The config to reach stores through; default: each record's own. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface CleanupOutcome {
  dryRun: boolean;
  deleted: string[];
  kept: { index: string; reason: string }[];
  lines: string[];
}

/**
 * `migrate cleanup`: deletes the indexes that cutovers (and rollbacks) left behind, but only once their
 * retention has passed and no alias points at them; dry-run by default. Each deletion is recorded.
 */
export async function cleanup(options: CleanupOptions): Promise<CleanupOutcome> {
  const env = options.env ?? process.env;
  const now = (options.now ?? (() => new Date()))();
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const records = readCutoverRecords(options.reportsDir);
  const cleaned = new Set(
    records
      .filter((r) => r.record.kind === 'cleanup' && r.record.state === 'done')
      .map((r) => key(r.record, r.record.from)),
  );
  // Each index left behind by a switch that took effect, once, with the latest switch away from it.
  const leftBehind = new Map<string, { name: string; record: CutoverRecord }>();
  for (const entry of records) {
    const { record } = entry;
    if (record.kind === 'cleanup' || record.state !== 'done') continue;
    if (!cleaned.has(key(record, record.from))) leftBehind.set(key(record, record.from), entry);
  }
  const outcome: CleanupOutcome = { dryRun: !options.yes, deleted: [], kept: [], lines: [] };
  for (const { name, record } of leftBehind.values()) {
    const index = record.from;
    const until = new Date(Date.parse(record.at) + retentionMs);
    const keep = (reason: string, verb = 'kept') => {
      outcome.kept.push({ index, reason });
      outcome.lines.push(`${verb} ${index}: ${reason}`);
    };
    await withConfigStore(
      options.configFile ?? record.store.config,
      record.store.index,
      env,
      async ({ store, ref }) => {
        if (!(await store.exists(index))) {
          keep(`it no longer exists in ${store.where}`, 'skipped');
          return;
        }
        const pointing = [...(await store.aliases())]
          .filter(([, target]) => target === index)
          .map(([alias]) => alias);
        if (pointing.length > 0) {
          keep(`alias ${pointing.join(', ')} points at it`);
          return;
        }
        if (until.getTime() > now.getTime()) {
          const role =
            record.kind === 'cutover'
              ? `the rollback target of ${record.alias}`
              : `left behind by the rollback of ${record.alias}`;
          keep(
            `${role}, kept until ${until.toISOString()} (retention ${retentionMs / 3_600_000} h from the ${record.kind} at ${record.at})`,
          );
          return;
        }
        if (!options.yes) {
          outcome.lines.push(
            `would delete ${index} from ${store.where} (left behind by the ${record.kind} of ${record.alias} at ${record.at})`,
          );
          return;
        }
        await store.drop(index);
        const at = now.toISOString();
        const cleanupRecord: CutoverRecord = {
          schemaVersion: 1,
          kind: 'cleanup',
          alias: record.alias,
          from: index,
          to: record.to,
          store: ref,
          at,
          state: 'done',
          detail: `deleted ${index} (retention passed at ${until.toISOString()}; no alias pointed at it)`,
          cutover: name,
        };
        writeCutoverRecord(options.reportsDir, cutoverRecordName(cleanupRecord), cleanupRecord);
        outcome.deleted.push(index);
        outcome.lines.push(`deleted ${index} from ${store.where}`);
      },
    );
  }
  if (leftBehind.size === 0) outcome.lines.push('nothing to clean up: no switch left an index behind');
  else if (!options.yes && outcome.kept.length < leftBehind.size)
    outcome.lines.push('dry run: nothing deleted; run again with --yes to delete');
  return outcome;
}

function key(record: CutoverRecord, index: string): string {
  return `${record.store.where}\u0000${index}`;
}
