import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { readTextFile, writeTextFile } from '../files.js';
import { schemaProblem } from '../schemas.js';
import { parseJsonLine } from './json-text.js';
import { pairKey } from './pair-key.js';
import type { Dataset } from './types.js';

/**
 * A judging pool (pool.jsonl): a header naming the dataset version it was drawn for, then the unjudged
 * (query, document) pairs in the order they should be judged, each with the text a person reads.
 */
export interface PoolHeader {
  kind: 'judging-pool';
  schemaVersion: 1;
  /** "pool-" and 12 hex digits of the pairs' digest: judgments name the pool they came from. */
  id: string;
  dataset: { name: string; version: string; digest: string };
  depth: number;
  systems: string[];
  /** The run folders it was pooled from. */
  runs?: string[];
  /** The file of production queries it added, when it did. */
  queries?: string;
  pairs: number;
}

export interface PoolItem {
  qid: string;
  docid: string;
  query: string;
  document: { title?: string; text: string };
  systems: string[];
  bestRank: number;
  disagreement?: number;
  /** A query of real traffic, not yet in the dataset: merging its judgments adds it. */
  production?: true;
}

export interface Pool {
  header: PoolHeader;
  items: PoolItem[];
}

/** Writes the pool, its id derived from the dataset and the pairs (the same pool always has the same id). */
export function writePoolFile(
  path: string,
  header: Omit<PoolHeader, 'kind' | 'schemaVersion' | 'id' | 'pairs'>,
  items: PoolItem[],
): PoolHeader {
  const lines = items.map((item) => JSON.stringify(item));
  const hash = createHash('sha256').update(`${header.dataset.digest}\n`);
  for (const line of lines) hash.update(`${line}\n`);
  const full: PoolHeader = {
    kind: 'judging-pool',
    schemaVersion: 1,
    id: `pool-${hash.digest('hex').slice(0, 12)}`,
    ...header,
    pairs: items.length,
  };
  writeTextFile(path, [JSON.stringify(full), ...lines].map((line) => `${line}\n`).join(''));
  return full;
}

/** Reads and checks a pool file: its header on line 1, every pair against the schema, no pair twice. */
export function readPoolFile(path: string): Pool {
  const lines = readTextFile(path).split('\n');
  if (lines.at(-1) === '') lines.pop();
  const parse = <T>(index: number, definition: 'header' | 'pair'): T => {
    const value = parseJsonLine(lines[index] as string, path, index + 1);
    const problem = schemaProblem('pool', value, definition);
    if (problem) throw new UserError(problem.message, { file: path, line: index + 1, field: problem.field });
    return value as T;
  };
  if (lines.length === 0) throw new UserError('the pool file is empty', { file: path });
  const header = parse<PoolHeader>(0, 'header');
  const items: PoolItem[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const item = parse<PoolItem>(i, 'pair');
    const key = pairKey(item.qid, item.docid);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new UserError(`pair ${item.qid}/${item.docid} is in the pool twice (first at line ${first})`, {
        file: path,
        line: i + 1,
      });
    }
    seen.set(key, i + 1);
    items.push(item);
  }
  return { header, items };
}

/** A pool drawn for another dataset version cannot be judged or merged into this one. */
export function checkPoolDataset(pool: Pool, dataset: Dataset, path: string): void {
  const { name, version, digest } = pool.header.dataset;
  if (digest !== dataset.digest) {
    throw new UserError(
      `the pool was drawn for ${name}@${version} (${digest}), not for ${dataset.manifest.name}@${dataset.manifest.version} (${dataset.digest})`,
      { file: path, line: 1, field: 'dataset.digest' },
    );
  }
}
