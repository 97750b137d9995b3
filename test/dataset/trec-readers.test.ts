import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toResults } from '../../src/dataset/packed-results.js';
import { readTrecQrels } from '../../src/dataset/trec-qrels.js';
import { readTrecRun, readTrecRunBlocks, readTrecRunColumns } from '../../src/dataset/trec-run.js';
import type { QueryResults } from '../../src/metrics/types.js';
import { inputFile, userErrorOf } from '../helpers/input-files.js';
import { tempDir } from '../helpers/tmp.js';

/** A file with these lines in a fresh temporary folder. */
const file = (lines: string[] | string, name = 'input.trec'): string => inputFile(name, lines);

const RUN = [
  '# a comment line',
  'q1 Q0 d3 1 0.9 first',
  'q1 Q0 d1 2 0.5 first',
  '',
  'q2 Q0 d2 1 1e-3 first extra columns are ignored',
  'q2\tQ0\td9\t2\t-4\tlast',
];

describe('readTrecRun', () => {
  it('keeps each query’s results in file order, skips comments and blank lines, and takes the last tag', () => {
    const run = readTrecRun(file(RUN));
    expect(run.runId).toBe('last');
    expect([...run.queries.keys()]).toEqual(['q1', 'q2']);
    expect(run.queries.get('q1')).toEqual({ docids: ['d3', 'd1'], scores: [0.9, 0.5] });
    expect(run.queries.get('q2')).toEqual({ docids: ['d2', 'd9'], scores: [0.001, -4] });
  });

  it('gathers a query whose lines come back after another query', () => {
    const run = readTrecRun(file(['q1 Q0 a 1 3 t', 'q2 Q0 b 1 2 t', 'q1 Q0 c 2 1 t']));
    expect(run.queries.get('q1')).toEqual({ docids: ['a', 'c'], scores: [3, 1] });
  });

  it('reads ids as UTF-8, and refuses bytes that are not UTF-8 by line and field', () => {
    expect([...(readTrecRun(file(['qé Q0 dö 1 1 t'])).queries.get('qé')?.docids ?? [])]).toEqual(['dö']);
    for (const [line, field] of [
      ['q\xe9 Q0 d 1 1 t', 'qid'],
      ['q Q\xe9 d 1 1 t', 'Q0'],
      ['q Q0 d\xf6 1 1 t', 'docid'],
      ['q Q0 d 1 1 t\xe9', 'tag'],
    ]) {
      const path = join(tempDir(), 'latin1.trec');
      writeFileSync(path, Buffer.from(`q Q0 a 1 2 t\n${line}\n`, 'latin1'));
      const error = userErrorOf(() => readTrecRun(path));
      expect(error.location).toEqual({ file: path, line: 2, field });
      expect(error.message).toMatch(
        /not UTF-8 text \(bytes [0-9a-f ]*(e9|f6)\): ids are read and written as UTF-8/,
      );
    }
  });

  it.each([
    [['q1 Q0 d1 1 0.5'], 1, 'line', /expected 6 columns 'qid Q0 docid rank score tag', found 5/],
    [['q1 Q0 d1 1 0.5 t', 'q1 Q0 d2 x 0.4 t'], 2, 'rank', /rank is not a number: 'x'/],
    [['q1 Q0 d1 1 high t'], 1, 'score', /score is not a number: 'high'/],
    [['q1 Q0 d1 1 1 t', 'q1 Q0 d1 2 0.5 t'], 2, 'docid', /'d1' appears twice in the results of query 'q1'/],
  ])('refuses %j at line %i, field %s', (lines, line, field, message) => {
    const path = file(lines);
    const error = userErrorOf(() => readTrecRun(path));
    expect(error.location).toEqual({ file: path, line, field });
    expect(error.message).toMatch(message);
  });

  it('refuses a run with no results, naming the file', () => {
    const path = file(['# only a comment', '']);
    expect(userErrorOf(() => readTrecRun(path)).message).toBe(`${path}: the run has no results`);
  });
});

describe('readTrecRunColumns and readTrecRunBlocks', () => {
  const decoded = (columns: Parameters<typeof toResults>[0]): QueryResults => toResults(columns);

  it('hold the same results as readTrecRun, packed as columns', () => {
    const path = file(RUN);
    const columns = readTrecRunColumns(path);
    expect(columns.runId).toBe('last');
    const plain = readTrecRun(path);
    for (const [qid, results] of plain.queries) {
      expect(decoded(columns.queries.get(qid) as Parameters<typeof toResults>[0])).toEqual(results);
    }
  });

  it('stream query blocks one at a time, and give up on a query that comes back', () => {
    const seen: [string, QueryResults][] = [];
    const grouped = readTrecRunBlocks(file(RUN), (qid, results) => seen.push([qid, decoded(results)]));
    expect(grouped).toEqual({ runId: 'last' });
    expect(seen).toEqual([...readTrecRun(file(RUN)).queries.entries()]);
    const interleaved = file(['q1 Q0 a 1 3 t', 'q2 Q0 b 1 2 t', 'q1 Q0 c 2 1 t']);
    expect(readTrecRunBlocks(interleaved, () => {})).toBeUndefined();
  });
});

describe('readTrecQrels', () => {
  it('reads graded judgments, ignoring the iteration column, comments and blank lines', () => {
    const qrels = readTrecQrels(
      file(['# judged by two annotators', 'q1 0 d1 2', '', 'q1 7 d2 0', 'q2 0 d1 -1']),
    );
    expect(qrels).toEqual(
      new Map([
        [
          'q1',
          new Map([
            ['d1', 2],
            ['d2', 0],
          ]),
        ],
        ['q2', new Map([['d1', -1]])],
      ]),
    );
  });

  it.each([
    [['q1 0 d1 1 extra'], 1, 'line', /expected 4 columns 'qid iter docid rel', found more/],
    [['q1 0 d1'], 1, 'line', /found 3/],
    [['q1 0 d1 yes'], 1, 'rel', /relevance must be an integer, got 'yes'/],
    [['q1 0 d1 1.5'], 1, 'rel', /relevance must be an integer, got '1.5'/],
    [['q1 0 d1 1', 'q1 0 d1 0'], 2, 'docid', /'d1' is judged twice for query 'q1'/],
  ])('refuses %j at line %i, field %s', (lines, line, field, message) => {
    const path = file(lines, 'qrels.trec');
    const error = userErrorOf(() => readTrecQrels(path));
    expect(error.location).toEqual({ file: path, line, field });
    expect(error.message).toMatch(message);
  });

  it.each([
    ['q1 0 d\xf6 1', 'docid', '64 f6'],
    ['q1 \xf6 d2 1', 'iter', 'f6'],
  ])('refuses %j, not UTF-8, by line and field (%s)', (line, field, bytes) => {
    const path = join(tempDir(), 'latin1.qrels');
    writeFileSync(path, Buffer.from(`q1 0 d1 1\n${line}\n`, 'latin1'));
    const error = userErrorOf(() => readTrecQrels(path));
    expect(error.location).toEqual({ file: path, line: 2, field });
    expect(error.message).toMatch(`not UTF-8 text (bytes ${bytes})`);
  });

  it('refuses a file with no judgments', () => {
    const path = file('', 'qrels.trec');
    expect(userErrorOf(() => readTrecQrels(path)).message).toBe(`${path}: the qrels file has no judgments`);
  });
});
