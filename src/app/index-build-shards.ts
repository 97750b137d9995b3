import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonDocument } from '../dataset/json-text.js';
import { missingShards, type Shard, shardLabel, shardsPhrase } from '../dataset/shards.js';
import { UserError } from '../errors.js';
import { folderName, readTextFile, writeTextFile } from '../files.js';
import type { IndexBuildRecord } from '../lifecycle/index-build.js';

/**
 * The records `index build --shard I/N` leaves in <reports>/index-builds/, one per shard and target, and
 * the one build record `index build --finish` makes of them: tokens, cost and duration summed.
 */

interface ShardBuildFile {
  schemaVersion: 1;
  kind: 'index-build-shard';
  shard: Shard;
  record: IndexBuildRecord;
}

/** The target's name as one file name, never a path (the collection is the user's --collection). */
export function recordBaseName(recordName: string): string {
  return folderName(recordName).slice(0, 150);
}

/**
 * Records a shard's step; a shard run again (a retried CI job) adds its cost to the earlier attempts', so
 * the build record counts what was spent, not only the last attempt (which found most points stored).
 */
export function writeShardRecord(
  dir: string,
  recordName: string,
  shard: Shard,
  record: IndexBuildRecord,
): string {
  const file = join(dir, `${recordBaseName(recordName)}.shard-${shard.index}-of-${shard.count}.json`);
  const earlier = existsSync(file) ? readShardFile(file).record : undefined;
  const content: ShardBuildFile = {
    schemaVersion: 1,
    kind: 'index-build-shard',
    shard,
    record: earlier ? withAttempt(earlier, record) : record,
  };
  writeTextFile(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}

/** The shards' records of a build, checked to be all N of one build (same N, model and dataset), in order. */
export function readShardRecords(
  dir: string,
  recordName: string,
): { files: string[]; records: IndexBuildRecord[] } {
  const prefix = `${recordBaseName(recordName)}.shard-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(prefix) && name.endsWith('.json'));
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new UserError(
      `no shard records of ${recordName} in ${dir}: run index build --shard I/N for every shard first (with the same --reports)`,
    );
  }
  const shards = names.map((name) => {
    const file = join(dir, name);
    return { file, ...readShardFile(file) };
  });
  const [first] = shards as [(typeof shards)[number]];
  for (const other of shards) {
    const why =
      other.shard.count !== first.shard.count
        ? `shard ${shardLabel(other.shard)} is of ${other.shard.count} shards, shard ${shardLabel(first.shard)} of ${first.shard.count}`
        : other.record.dataset.digest !== first.record.dataset.digest
          ? `dataset ${other.record.dataset.digest} differs from ${first.record.dataset.digest}`
          : other.record.model.version !== first.record.model.version ||
              other.record.model.model !== first.record.model.model
            ? `model ${other.record.model.model}@${other.record.model.version} differs from ${first.record.model.model}@${first.record.model.version}`
            : undefined;
    if (why) {
      throw new UserError(`${why} (${first.file}): the shard records are not of one build`, {
        file: other.file,
      });
    }
  }
  const count = first.shard.count;
  const missing = missingShards(new Set(shards.map((s) => s.shard.index)), count);
  if (missing.length > 0) {
    throw new UserError(
      `${shardsPhrase(missing, count)} of ${recordName} missing in ${dir}: run them before --finish`,
    );
  }
  shards.sort((a, b) => a.shard.index - b.shard.index);
  return { files: shards.map((s) => s.file), records: shards.map((s) => s.record) };
}

function readShardFile(file: string): ShardBuildFile {
  const parsed = parseJsonDocument(readTextFile(file), file) as Partial<ShardBuildFile>;
  if (parsed.kind !== 'index-build-shard' || !parsed.shard || !parsed.record) {
    throw new UserError('is not a shard record of index build', { file });
  }
  return parsed as ShardBuildFile;
}

/** Two attempts at one shard as one: what each embedded, wrote and cost, added up. */
function withAttempt(earlier: IndexBuildRecord, latest: IndexBuildRecord): IndexBuildRecord {
  const written = earlier.written + latest.written;
  return {
    ...latest,
    written,
    unchanged: Math.max(0, latest.documents - written),
    fromCache: earlier.fromCache + latest.fromCache,
    embeddingCalls: earlier.embeddingCalls + latest.embeddingCalls,
    retries: earlier.retries + latest.retries,
    tokens: earlier.tokens + latest.tokens,
    cost: earlier.cost + latest.cost,
    truncated: [...new Set([...earlier.truncated, ...latest.truncated])],
    durationMs: earlier.durationMs + latest.durationMs,
  };
}

/** The shards' records as one build's: counts, tokens, cost and duration summed (the finish step's added later). */
export function sumShardRecords(records: IndexBuildRecord[]): IndexBuildRecord {
  const [first] = records as [IndexBuildRecord];
  const sum = (of: (r: IndexBuildRecord) => number): number => records.reduce((t, r) => t + of(r), 0);
  return {
    ...first,
    documents: sum((r) => r.documents),
    unchanged: sum((r) => r.unchanged),
    written: sum((r) => r.written),
    fromCache: sum((r) => r.fromCache),
    embeddingCalls: sum((r) => r.embeddingCalls),
    retries: sum((r) => r.retries),
    tokens: sum((r) => r.tokens),
    cost: sum((r) => r.cost),
    truncated: records.flatMap((r) => r.truncated),
    durationMs: sum((r) => r.durationMs),
    builtAt: new Date().toISOString(),
  };
}

/** After the build record is written, the shards' are spent: a second --finish would count them twice. */
export function removeShardRecords(files: string[]): void {
  for (const file of files) rmSync(file, { force: true });
}
