import { isUtf8 } from 'node:buffer';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTrecRun, readTrecRunColumns } from '../../src/dataset/trec-run.js';
import type { EvaluationFile } from '../../src/evaluation/types.js';
import { rankColumns, rankOrder } from '../../src/metrics/rank.js';
import { clip } from '../../src/report/clip.js';
import type { TraceRecord } from '../../src/results/trace.js';
import type { Verdict } from '../../src/results/verdict.js';
import { type CliResult, runCliInProcess } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Ids beyond ASCII (issue 16) through every output, compared as bytes with the ids read: two- to four-byte
 * UTF-8 characters, an astral one (𝔸, which UTF-16 order puts below ｆ but byte order above), and U+3000, a
 * space to JavaScript's \s but an id character to trec_eval (whose columns split on C's isspace only).
 */
const FIXTURE = join(FIXTURES, 'non-ascii');
const QUERY_IDS = ['qß', 'qü1', 'q€', 'q𝔸']; // byte order, as trec_eval walks them
const DOC_IDS = ['dé', 'ｆ', '𝔸', 'x\u3000y'];
const TREC_EVAL_ARGS = ['-q', '-c', '-m', 'runid', '-m', 'num_ret', '-m', 'num_rel', '-m', 'recip_rank'];

/** What reading UTF-8 bytes as latin1 and writing them as UTF-8 makes of an id: `ü` comes out as `Ã¼`. */
const doubleEncoded = (id: string): Buffer => Buffer.from(Buffer.from(id).toString('latin1'));

/** `bytes` is UTF-8 holding each id as its UTF-8 bytes, and none of them double-encoded. */
function expectIds(bytes: Buffer, ids: string[]): void {
  expect(isUtf8(bytes)).toBe(true);
  expect(ids.filter((id) => !bytes.includes(Buffer.from(id)))).toEqual([]);
  expect(ids.filter((id) => bytes.includes(doubleEncoded(id)))).toEqual([]);
}

/**
 * What a command printed, as bytes. The in-process CLI's streams decode what is written as UTF-8, so for
 * UTF-8 output these are exactly the bytes written (anything else would show as U+FFFD and differ).
 */
const stdoutBytes = (result: CliResult): Buffer => Buffer.from(result.stdout);

/** Column `n` of each line of a TREC file, as the hex of its bytes (split on spaces, nothing decoded). */
function trecColumn(bytes: Buffer, n: number): string[] {
  const columns: string[] = [];
  for (let start = 0, end = bytes.indexOf(10); end >= 0; start = end + 1, end = bytes.indexOf(10, start)) {
    let field = start;
    for (let i = 0; i < n; i++) field = bytes.indexOf(32, field) + 1;
    const fieldEnd = bytes.indexOf(32, field);
    columns.push(bytes.subarray(field, fieldEnd < 0 || fieldEnd > end ? end : fieldEnd).toString('hex'));
  }
  return columns;
}

const hex = (ids: string[]): string[] => ids.map((id) => Buffer.from(id).toString('hex'));

/** The records of a JSONL file's bytes. */
const jsonLines = <T>(bytes: Buffer): T[] =>
  bytes
    .toString()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);

async function cli(args: string[], cwd: string): Promise<CliResult> {
  const result = await runCliInProcess(args, cwd);
  expect(result.stderr).not.toMatch(/error:/);
  return result;
}

describe('non-ASCII ids', () => {
  it('are in the fixtures as their UTF-8 bytes', () => {
    expectIds(readFileSync(join(FIXTURE, 'qrels.trec')), [...QUERY_IDS, ...DOC_IDS]);
    expect(new Set(trecColumn(readFileSync(join(FIXTURE, 'qrels.trec')), 0))).toEqual(
      new Set(hex(QUERY_IDS)),
    );
    expect(new Set(trecColumn(readFileSync(join(FIXTURE, 'run.trec')), 2))).toEqual(new Set(hex(DOC_IDS)));
  });

  it('break score ties by doc id descending in byte order, read as strings or as columns', () => {
    const path = join(FIXTURE, 'run.trec');
    const strings = readTrecRun(path).queries;
    const columns = readTrecRunColumns(path).queries;
    for (const [qid, tied] of [
      ['qü1', ['𝔸', 'ｆ', 'dé']],
      ['q𝔸', ['𝔸', 'ｆ']],
    ] as const) {
      const results = strings.get(qid);
      if (!results) throw new Error(`no query ${qid}`);
      const ranked = (order: Uint32Array) => Array.from(order, (i) => results.docids[i]);
      expect(ranked(rankOrder(results))).toEqual(tied);
      const packed = columns.get(qid);
      if (!packed) throw new Error(`no query ${qid}`);
      expect(ranked(rankColumns(packed))).toEqual(tied);
    }
  });

  it('are clipped for a report table between characters, never inside an astral one', () => {
    expect(clip('𝔸'.repeat(60), 100)).toBe(`${'𝔸'.repeat(49)}…`);
    expect(clip(`a${'𝔸'.repeat(60)}`, 100)).toBe(`a${'𝔸'.repeat(49)}…`);
  });

  describe('retrieval-gate trec-eval', () => {
    it('prints per-query lines byte for byte as NIST trec_eval 10.0 does', async () => {
      // trec_eval.q.out: `trec_eval <TREC_EVAL_ARGS> -m P.1 qrels.trec run.trec`, run by NIST trec_eval 10.0.
      // recip_rank 0.5 for qü1 and 1 for q𝔸 hold only when 𝔸 outranks ｆ on their tied scores (byte order).
      const result = await cli(
        ['trec-eval', ...TREC_EVAL_ARGS, '-m', 'P.1', 'qrels.trec', 'run.trec'],
        FIXTURE,
      );
      expect(result.status).toBe(0);
      expect(stdoutBytes(result).equals(readFileSync(join(FIXTURE, 'trec_eval.q.out')))).toBe(true);
    });

    it('names ids byte-exactly in warnings and errors', async () => {
      const skipped = await runCliInProcess(['trec-eval', 'qrels.trec', 'run.trec'], FIXTURE);
      expect(skipped.status).toBe(0);
      expect(skipped.stderr).toContain('judged queries have no results in the run and are not averaged (qß)');

      const dir = tempDir();
      writeFileSync(join(dir, 'run.trec'), 'q€ Q0 dé 1 2 t\nq€ Q0 dé 2 1 t\n');
      const duplicate = await runCliInProcess(['trec-eval', join(FIXTURE, 'qrels.trec'), 'run.trec'], dir);
      expect(duplicate.status).toBe(2);
      expect(duplicate.stderr).toContain("document 'dé' appears twice in the results of query 'q€'");
    });
  });

  describe('through the dataset, eval, run, gate and report', () => {
    let dir: string;
    let dataset: string;
    let results: string;

    beforeAll(async () => {
      dir = tempDir();
      dataset = join(dir, 'dataset');
      const imported = await cli(
        [
          'dataset',
          'import',
          '--from',
          'trec',
          join(FIXTURE, 'qrels.trec'),
          '--queries',
          join(FIXTURE, 'queries.tsv'),
          '--corpus',
          join(FIXTURE, 'corpus.jsonl'),
          '--name',
          'ids',
          '--version',
          '1',
          '--out',
          dataset,
        ],
        dir,
      );
      expect(imported.status).toBe(0);
      const config = join(dir, 'retrieval-gate.yaml');
      writeFileSync(
        config,
        [
          `dataset: ${JSON.stringify(dataset)}`,
          'cacheDir: cache',
          'measures: [RR, P@1]',
          'indexes: { bm25: { kind: bm25 } }',
          'systems: [{ id: bm25, index: bm25, k: 10 }]',
          '',
        ].join('\n'),
      );
      const ran = await cli(['run', '--config', config, '--run-id', 'r1', '--quiet'], dir);
      expect(ran.status).toBe(0);
      results = join(dir, 'reports', 'r1');
    });

    it('dataset import writes the ids it read', () => {
      const qrels = readFileSync(join(dataset, 'qrels.jsonl'));
      expectIds(qrels, [...QUERY_IDS, ...DOC_IDS]);
      const judgments = jsonLines<{ qid: string; docid: string }>(qrels);
      expect(new Set(judgments.map((j) => j.qid))).toEqual(new Set(QUERY_IDS));
      expect(new Set(judgments.map((j) => j.docid))).toEqual(new Set(DOC_IDS));
      expectIds(readFileSync(join(dataset, 'queries.jsonl')), QUERY_IDS);
      expectIds(readFileSync(join(dataset, 'corpus.jsonl')), DOC_IDS);
    });

    it('eval writes them in the evaluation JSON and the run name in its table', async () => {
      const run = join(dir, 'rün.trec');
      copyFileSync(join(FIXTURE, 'run.trec'), run);
      const out = join(dir, 'evaluation.json');
      const result = await cli(
        ['eval', '--dataset', dataset, '--run', run, '--measures', 'RR,P@1', '--out', out],
        dir,
      );
      expect(result.status).toBe(0);
      expect(stdoutBytes(result).toString()).toMatch(/^rün {2}0\.6250 /m);
      const bytes = readFileSync(out);
      expectIds(bytes, [...QUERY_IDS, 'rün']);
      const evaluation = JSON.parse(bytes.toString()) as EvaluationFile;
      const [measured] = evaluation.runs;
      expect(measured?.name).toBe('rün');
      expect(measured?.missingQueries).toEqual(['qß']);
      // The same values as trec_eval's recip_rank: ties broken in byte order.
      expect(measured?.perQuery).toMatchObject({ qids: QUERY_IDS, values: { RR: [0, 0.5, 1, 1] } });
    });

    it('run writes them in run.trec, run.jsonl, the trace, the summary and the evaluation', () => {
      const system = join(results, 'systems', 'bm25');
      const trec = readFileSync(join(system, 'run.trec'));
      expect(new Set(trecColumn(trec, 0))).toEqual(new Set(hex(QUERY_IDS)));
      expect(new Set(trecColumn(trec, 2))).toEqual(new Set(hex(DOC_IDS)));
      const jsonl = readFileSync(join(system, 'run.jsonl'));
      expectIds(jsonl, [...QUERY_IDS, ...DOC_IDS]);
      expect(jsonLines<{ qid: string }>(jsonl).map((q) => q.qid)).toEqual(QUERY_IDS); // written in byte order
      const trace = readFileSync(join(system, 'trace.jsonl'));
      expectIds(trace, [...QUERY_IDS, ...DOC_IDS]);
      const traced = jsonLines<TraceRecord>(trace);
      expect(traced.map((t) => t.qid).sort()).toEqual([...QUERY_IDS].sort());
      expect(new Set(traced.flatMap((t) => t.firstStage.map((hit) => hit.docid)))).toEqual(new Set(DOC_IDS));
      expectIds(readFileSync(join(results, 'evaluation.json')), QUERY_IDS);
      // BM25 scores ｆ and 𝔸 alike (same text): 𝔸 ranks first in byte order, judged 0 for qü1, 1 for q𝔸;
      // for qß, x　y (unjudged) ties with dé and ranks above it.
      const evaluation = JSON.parse(readFileSync(join(results, 'evaluation.json'), 'utf8')) as EvaluationFile;
      expect(evaluation.runs[0]?.perQuery).toMatchObject({
        qids: QUERY_IDS,
        values: { RR: [0.5, 0.5, 1, 1] },
      });
      expect(isUtf8(readFileSync(join(results, 'summary.json')))).toBe(true);
    });

    it('gate writes them in gate.json, gate.md and gate.junit.xml', async () => {
      // Below the judged share asked for, the gate lists the unjudged documents.
      const policy = join(dir, 'coverage.yaml');
      writeFileSync(policy, 'rules:\n  - { kind: coverage, k: 10, minJudged: 0.9 }\n');
      const result = await runCliInProcess(
        ['gate', '--policy', policy, '--results', results, '--dataset', dataset],
        dir,
      );
      expect(result.status).toBe(1);
      const verdict = JSON.parse(readFileSync(join(results, 'gate.json'), 'utf8')) as Verdict;
      // q𝔸 retrieves ｆ, which is judged for qü1 only.
      expect(verdict.unjudged.map((d) => [d.qid, d.docid])).toContainEqual(['q𝔸', 'ｆ']);
      expectIds(readFileSync(join(results, 'gate.json')), ['q𝔸', 'ｆ']);
      expect(readFileSync(join(results, 'gate.md'), 'utf8')).toContain('| bm25 | q𝔸 | ｆ |');
      expect(isUtf8(readFileSync(join(results, 'gate.junit.xml')))).toBe(true);
    });

    it('report writes them in the HTML page and the Markdown', async () => {
      const result = await cli(['report', results, '--dataset', dataset], dir);
      expect(result.status).toBe(0);
      expectIds(readFileSync(join(results, 'report.html')), [...QUERY_IDS, ...DOC_IDS]);
      expect(isUtf8(readFileSync(join(results, 'report.md')))).toBe(true);
    });
  });
});
