import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startJudgeServer } from '../../src/app/judge-serve.js';
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

describe('judge merge', () => {
  /** A judgments.jsonl line, as the judging page writes it, for the pool's `i`-th pair. */
  const act = (i: number, annotator: string, grade: number, extra: Record<string, unknown> = {}) => {
    const [header, ...items] = lines(pool);
    const item = items[i];
    return JSON.stringify({
      kind: 'grade',
      annotator,
      pool: header.id,
      dataset: header.dataset.digest,
      qid: item.qid,
      docid: item.docid,
      grade,
      ms: 1200,
      at: '2026-12-04T10:00:00.000Z',
      ...(item.production ? { query: item.query } : {}),
      ...extra,
    });
  };
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const merge = (judgments: string, version: string, ...args: string[]) =>
    runCliInProcess(
      [
        'judge',
        'merge',
        '--judgments',
        judgments,
        '--dataset',
        EXAMPLE_DATASET,
        '--version',
        version,
        ...args,
      ],
      dir,
    );
  const lastProduction = () => lines(pool).length - 2;

  it('refuses disagreeing annotators under the strict rule, with the list (exit 2)', async () => {
    const file = write(
      'conflict.jsonl',
      `${[act(0, 'alice', 3), act(0, 'bob', 1), act(1, 'alice', 2)].join('\n')}\n`,
    );
    const result = await merge(file, '1.1.0');
    expect(result.status).toBe(2);
    const items = lines(pool).slice(1);
    expect(result.stderr).toContain('1 pair(s) have disagreeing grades, refused under --conflicts strict');
    expect(result.stderr).toContain(`${items[0].qid}/${items[0].docid}: alice 3, bob 1`);
  });

  it('writes a new version that validate accepts, recording pools, annotators and dates; a torn last line is ignored with a warning', async () => {
    const acts = [
      act(0, 'alice', 3),
      act(0, 'bob', 1),
      act(0, 'carol', 3), // majority: 3
      act(1, 'alice', 2),
      act(2, 'alice', 0, { at: '2026-12-05T09:00:00.000Z' }),
      act(3, 'alice', 1),
      JSON.stringify({ ...JSON.parse(act(3, 'alice', 1)), kind: 'undo' }), // alice withdrew her grade of pair 3
      act(lastProduction(), 'bob', 2),
    ];
    const file = write('judgments.jsonl', `${acts.join('\n')}\n${act(4, 'alice', 3).slice(0, 40)}`);
    const result = await merge(file, '1.1.0', '--conflicts', 'majority', '--out', join(dir, 'v2'));
    expect(result.stderr).toMatch(
      /warning: .*judgments\.jsonl:9: the last line is incomplete .*; it is ignored/,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^wrote bike-repair@1\.1\.0 to .*v2: 4 judgments added \(1 new queries, 1 disagreeing pairs, --conflicts majority\), 512 judgments in all, sha256:/,
    );
    const manifest = JSON.parse(readFileSync(join(dir, 'v2', 'manifest.json'), 'utf8'));
    const poolId = lines(pool)[0].id;
    expect(manifest.judging).toEqual({
      from: { version: '1.0.0', digest: lines(pool)[0].dataset.digest },
      conflicts: 'majority',
      added: { judgments: 4, queries: 1, conflicting: 1 },
      sources: [
        { pool: poolId, annotator: 'alice', date: '2026-12-04', judgments: 2 },
        { pool: poolId, annotator: 'alice', date: '2026-12-05', judgments: 1 },
        { pool: poolId, annotator: 'bob', date: '2026-12-04', judgments: 2 },
        { pool: poolId, annotator: 'carol', date: '2026-12-04', judgments: 1 },
      ],
    });
    const items = lines(pool).slice(1);
    const qrels = readJsonlQrels(join(dir, 'v2', 'qrels.jsonl'));
    expect(qrels.get(items[0].qid)?.get(items[0].docid)).toBe(3);
    expect(qrels.get(items[3].qid)?.has(items[3].docid)).toBe(false);
    const production = items[lastProduction()];
    expect(qrels.get(production.qid)?.get(production.docid)).toBe(2);
    expect(readFileSync(join(dir, 'v2', 'queries.jsonl'), 'utf8')).toContain(
      JSON.stringify(production.query),
    );
    const valid = await runCliInProcess(['validate', join(dir, 'v2')], dir);
    expect(valid.status).toBe(0);
    // The published version is left as it was.
    expect(readJsonlQrels(join(EXAMPLE_DATASET, 'qrels.jsonl')).get(items[0].qid)?.has(items[0].docid)).toBe(
      false,
    );
  });

  it('re-evaluated on the new version, a run shows Judged@k and the measures move', async () => {
    const run = join(runDir, 'systems', 'bm25', 'run.trec');
    const measure = async (dataset: string, name: string) => {
      const out = join(dir, name);
      const result = await runCliInProcess(
        ['eval', '--dataset', dataset, '--run', run, '--measures', 'Judged@5,nDCG@10', '--out', out],
        dir,
      );
      expect(result.status).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')).runs[0].measures;
    };
    const before = await measure(EXAMPLE_DATASET, 'before.json');
    const after = await measure(join(dir, 'v2'), 'after.json');
    expect(after['Judged@5'].value).toBeGreaterThan(before['Judged@5'].value);
    expect(after['nDCG@10'].value).not.toBe(before['nDCG@10'].value);
  });

  it('with --results, prints how each system’s Judged@k and measures moved', async () => {
    const file = write('shift.jsonl', `${[act(0, 'alice', 3), act(1, 'alice', 2)].join('\n')}\n`);
    const args = ['--out', join(dir, 'v3'), '--results', runDir, '--measures', 'Judged@5,nDCG@10'];
    const result = await merge(file, '1.3.0', ...args);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${runDir} on bike-repair@1.0.0 → 1.3.0:\nsystem  Judged@5`);
    const row = result.stdout.split('\n').find((line) => line.startsWith('bm25 '));
    const [before, after] = (/(\d\.\d{4}) → (\d\.\d{4})/.exec(row ?? '') ?? []).slice(1).map(Number);
    expect(after).toBeGreaterThan(before as number);
  });

  it('refuses a grade outside the scale and a judgment of another dataset version, naming the file and line (exit 2)', async () => {
    const outside = write('outside.jsonl', `${act(0, 'alice', 2)}\n${act(1, 'alice', 4)}\n`);
    const bad = await merge(outside, '1.2.0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${outside}:2`);
    expect(bad.stderr).toContain("grade 4 is outside the dataset's scale 0–3");
    const other = write('other.jsonl', `${act(0, 'alice', 2, { dataset: `sha256:${'0'.repeat(64)}` })}\n`);
    const wrong = await merge(other, '1.2.0');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`${other}:1`);
    expect(wrong.stderr).toContain('made on a pool of another dataset version');
  });

  it('never edits a published version', async () => {
    const file = write('again.jsonl', `${act(1, 'alice', 2)}\n`);
    const result = await merge(file, '1.0.0', '--out', EXAMPLE_DATASET);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('a published version is never edited');
  });
});

describe('judge serve, bad input', () => {
  /** `judge serve` on a pool of the example dataset, with the rest of its flags. */
  const serve = (poolFile: string, ...flags: string[]) =>
    runCliInProcess(['judge', 'serve', '--pool', poolFile, '--dataset', EXAMPLE_DATASET, ...flags], dir);

  it('says so when the port is in use (exit 2), naming the port', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const port = (busy.address() as AddressInfo).port;
    try {
      const result = await serve(pool, '--port', String(port));
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use; pick another with --port`);
    } finally {
      busy.close();
    }
  });

  it('refuses a second server on a judgments file another one is appending to (exit 2)', async () => {
    const judgments = join(dir, 'shared.jsonl');
    const first = await startJudgeServer({
      pool,
      dataset: EXAMPLE_DATASET,
      annotators: ['alice'],
      overlap: 0,
      judgments,
      port: 0,
    });
    try {
      const result = await serve(pool, '--judgments', judgments, '--port', '0');
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `another judge serve (process ${process.pid}) is appending to this file`,
      );
    } finally {
      await first.close();
    }
    expect(existsSync(`${judgments}.lock`)).toBe(false);
  });

  it('refuses to resume from a judgments file with a grade outside the scale, naming its line (exit 2)', async () => {
    const [header, first] = lines(pool);
    const judgments = join(dir, 'graded-7.jsonl');
    const grade = {
      kind: 'grade',
      annotator: 'alice',
      pool: header.id,
      dataset: header.dataset.digest,
      qid: first.qid,
      docid: first.docid,
      at: '2026-12-04T10:00:00.000Z',
    };
    writeFileSync(
      judgments,
      `${JSON.stringify({ ...grade, grade: 2 })}\n${JSON.stringify({ ...grade, grade: 7 })}\n`,
    );
    const result = await serve(pool, '--judgments', judgments, '--port', '0');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${judgments}:2`);
    expect(result.stderr).toContain("grade 7 is outside the dataset's scale 0–3");
  });

  it('refuses a pool drawn for another dataset version, naming the file and line (exit 2)', async () => {
    const [header, ...items] = readFileSync(pool, 'utf8').trim().split('\n');
    const other = join(dir, 'other-pool.jsonl');
    const moved = {
      ...JSON.parse(header as string),
      dataset: { name: 'bike-repair', version: '0.9', digest: `sha256:${'1'.repeat(64)}` },
    };
    writeFileSync(other, `${[JSON.stringify(moved), ...items].join('\n')}\n`);
    const result = await serve(other, '--port', '0');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${other}:1`);
    expect(result.stderr).toContain('the pool was drawn for bike-repair@0.9');
  });
});
