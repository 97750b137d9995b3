import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { EmbeddingsServer } from '../servers/openai-embeddings-server.js';
import type { CliResult } from './cli.js';

/** Texts embedded during `step`, with how many times each was: a text seen twice was billed twice. */
export async function embeddedBy(
  openai: EmbeddingsServer,
  step: () => Promise<void>,
): Promise<Map<string, number>> {
  const before = new Map(openai.stats.embedCounts);
  await step();
  const counts = new Map<string, number>();
  for (const [text, n] of openai.stats.embedCounts) {
    const added = n - (before.get(text) ?? 0);
    if (added > 0) counts.set(text, added);
  }
  return counts;
}

export interface ShardedBuildCase {
  openai: EmbeddingsServer;
  /** The folder the commands run in: its cache/ and reports/ are the config's. */
  dir: string;
  documents: number;
  /** `index build` with these flags added (the config, model and --quiet already given). */
  build: (...flags: string[]) => Promise<CliResult>;
  /** The flags of the unsharded build and of the sharded one (each into its own collection or table). */
  whole: string[];
  sharded: string[];
}

/**
 * An unsharded build, then the same corpus in 3 shards, one shard run again, and --finish, each from a cold
 * embedding cache (as separate CI jobs): every text is embedded once across the shards, the retried shard
 * writes nothing, and the build record sums the shards to the unsharded build's figures.
 */
export async function buildWholeAndSharded(c: ShardedBuildCase): Promise<void> {
  const clearCache = () => rmSync(join(c.dir, 'cache'), { recursive: true, force: true });
  clearCache();
  const single = await c.build(...c.whole, '--json');
  expect(single.status, single.stderr).toBe(0);
  const unsharded = JSON.parse(single.stdout);
  clearCache();
  const embedded = await embeddedBy(c.openai, async () => {
    for (const i of [1, 2, 3]) {
      clearCache();
      const result = await c.build(...c.sharded, '--shard', `${i}/3`);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain(`shard ${i}/3 written`);
    }
  });
  expect(embedded.size).toBe(c.documents);
  expect([...embedded.values()].every((n) => n === 1)).toBe(true);

  // A retried shard, its cache lost too, embeds and writes nothing: points are kept by content digest.
  clearCache();
  const again = await embeddedBy(c.openai, async () => {
    const result = await c.build(...c.sharded, '--shard', '2/3', '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ written: 0, embeddingCalls: 0 });
  });
  expect(again.size).toBe(0);

  const finished = await c.build(...c.sharded, '--finish', '--json');
  expect(finished.status, finished.stderr).toBe(0);
  const record = JSON.parse(finished.stdout);
  expect(record).toMatchObject({ documents: c.documents, written: c.documents, tokens: unsharded.tokens });
  expect(record.cost).toBeCloseTo(unsharded.cost, 12);
  const records = readdirSync(join(c.dir, 'reports', 'index-builds'));
  expect(records.filter((name) => name.includes('.shard-'))).toEqual([]);
}
