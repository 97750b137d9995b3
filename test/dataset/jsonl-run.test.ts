import { describe, expect, it } from 'vitest';
import { jsonlRunScan, readJsonlRun } from '../../src/dataset/jsonl-run.js';
import { toResults } from '../../src/dataset/packed-results.js';
import { readRunBlocks } from '../../src/dataset/run-reader.js';
import { inputFile, userErrorOf } from '../helpers/input-files.js';

const file = (lines: string[]): string => inputFile('run.jsonl', lines);

const RUN = [
  '{"qid":"q1","docid":"d3","score":0.9}',
  '{"qid":"q1","docid":"dé","score":0.5}',
  '',
  '{"qid":"q2","results":[{"docid":"d2","score":1},{"docid":"d9","score":-4}]}',
  '{"qid":"q2","docid":"d1","score":0}',
  '{"qid":"q3","results":[]}',
];

describe('readJsonlRun', () => {
  it('reads both forms, mixed, through the run reader: results in file order, an empty query kept', () => {
    const run = readJsonlRun(file(RUN), 'name');
    expect(run.runId).toBe('name');
    expect(Object.fromEntries(run.queries)).toEqual({
      q1: { docids: ['d3', 'dé'], scores: [0.9, 0.5] },
      q2: { docids: ['d2', 'd9', 'd1'], scores: [1, -4, 0] },
      q3: { docids: [], scores: [] },
    });
  });

  it('streams its query blocks as TREC runs are streamed', () => {
    const blocks: [string, string[]][] = [];
    const read = readRunBlocks(jsonlRunScan(file(RUN), 'name'), (qid, results) => {
      blocks.push([qid, toResults(results).docids]);
    });
    expect(read).toEqual({ runId: 'name' });
    expect(blocks).toEqual([
      ['q1', ['d3', 'dé']],
      ['q2', ['d2', 'd9', 'd1']],
      ['q3', []],
    ]);
  });

  it.each([
    [
      ['{"qid":"q1","docid":"d1","score":1}', '{"qid":"q1","docid":"d1","score":0}'],
      'docid',
      /first at line 1/,
    ],
    [
      [
        '{"qid":"q1","docid":"d1","score":1}',
        '{"qid":"q1","results":[{"docid":"d2","score":1},{"docid":"d1","score":0}]}',
      ],
      'results[1].docid',
      /'d1' appears twice in the results of query 'q1' \(first at line 1\)/,
    ],
    [['{"qid":"q1","docid":"d\\ud800","score":1}'], 'docid', /not UTF-8 text \(a lone surrogate escape\)/],
    [['{"qid":"q1","docid":"d 1","score":1}'], 'docid', /document id "d 1" is refused/],
  ])('refuses %j at its line and field', (lines, field, message) => {
    const path = file(lines);
    const error = userErrorOf(() => readJsonlRun(path, 'run'));
    expect(error.location).toEqual({ file: path, line: lines.length, field });
    expect(error.message).toMatch(message);
  });

  it('refuses a run without results, unless told it may be empty (a shard that found nothing)', () => {
    const path = file(['{"qid":"q1","results":[]}']);
    expect(userErrorOf(() => readJsonlRun(path, 'run')).message).toMatch(/the run has no results/);
    expect(readJsonlRun(path, 'run', { emptyAllowed: true }).queries).toEqual(
      new Map([['q1', { docids: [], scores: [] }]]),
    );
  });
});
