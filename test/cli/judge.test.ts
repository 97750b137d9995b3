import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonlQrels } from '../../src/dataset/native.js';
import { runCliInProcess } from '../helpers/cli.js';
import { EXAMPLE_DATASET, runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

/** Real traffic the systems answered beside the dataset's queries (sample.trec): no judgments yet. */
const PRODUCTION = [
  { id: 'p1', text: 'chain keeps falling off the front ring' },
  { id: 'p2', text: 'how often should I oil my chain' },
];

let dir: string;
let runDir: string;
let pool: string;

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

beforeAll(async () => {
  dir = tempDir();
  runDir = await runExample(dir, 'pooled', ['bm25', 'hash'], PRODUCTION);
  writeFileSync(join(dir, 'production.jsonl'), PRODUCTION.map((q) => `${JSON.stringify(q)}\n`).join(''));
  pool = join(dir, 'pool.jsonl');
  const result = await runCliInProcess(
    ['judge', 'pool', '--from', runDir, '--depth', '5', '--queries', 'production.jsonl', '--out', pool],
    dir,
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(
    /^wrote pool-[0-9a-f]{12} to .*pool\.jsonl: \d+ unjudged pairs over \d+ queries of bike-repair@1\.0\.0 \(top 5 of 2 systems\)\n$/,
  );
});

describe('judge pool', () => {
  it('pools the top 5 of both systems minus the judged pairs, most useful first, with the texts', () => {
    const [header, ...items] = lines(pool);
    expect(header).toMatchObject({ kind: 'judging-pool', depth: 5, systems: ['bm25', 'hash'] });
    expect(header.pairs).toBe(items.length);
    const qrels = readJsonlQrels(join(EXAMPLE_DATASET, 'qrels.jsonl'));
    const judged = items.filter((item) => !item.production && qrels.get(item.qid)?.has(item.docid));
    expect(judged).toEqual([]);
    // Agreement first: every pair both systems retrieved comes before every pair only one did.
    const votes = items.filter((item) => !item.production).map((item) => item.systems.length);
    expect(votes).toEqual([...votes].sort((x, y) => y - x));
    expect(votes[0]).toBe(2);
    expect(items.every((item) => item.bestRank >= 1 && item.bestRank <= 5)).toBe(true);
    const first = items[0];
    expect(first.query).toBe(
      lines(join(EXAMPLE_DATASET, 'queries.jsonl')).find((q) => q.id === first.qid).text,
    );
    expect(first.document.text.length).toBeGreaterThan(20);
  });

  it('adds the production queries from the systems’ sample runs, after the dataset’s', () => {
    const items = lines(pool).slice(1);
    const production = items.filter((item) => item.production);
    expect(new Set(production.map((item) => item.qid))).toEqual(new Set(['p1', 'p2']));
    expect(production[0].query).toBe(PRODUCTION.find((q) => q.id === production[0].qid)?.text);
    expect(items.findIndex((item) => item.production)).toBe(items.length - production.length);
  });

  it('keeps to --systems, and refuses a system that did not run (exit 2)', async () => {
    const only = join(dir, 'bm25-pool.jsonl');
    const ok = await runCliInProcess(
      ['judge', 'pool', '--from', runDir, '--systems', 'bm25', '--out', only],
      dir,
    );
    expect(ok.status).toBe(0);
    expect(
      lines(only)
        .slice(1)
        .every((item) => item.systems.join() === 'bm25'),
    ).toBe(true);
    const bad = await runCliInProcess(
      ['judge', 'pool', '--from', runDir, '--systems', 'bm99', '--out', only],
      dir,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--systems names 'bm99', not among the systems that ran: bm25, hash");
  });

  it('refuses a production query id the dataset already has, naming the file and line (exit 2)', async () => {
    const clash = join(dir, 'clash.jsonl');
    writeFileSync(clash, `${JSON.stringify(PRODUCTION[0])}\n{"id":"q01","text":"my bike clicks"}\n`);
    const result = await runCliInProcess(['judge', 'pool', '--from', runDir, '--queries', clash], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${clash}:2`);
    expect(result.stderr).toContain("query id 'q01' is already a query of the dataset");
  });
});
