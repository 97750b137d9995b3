import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedPath } from '../helpers/cli.js';

/**
 * `retrieval-gate trec-eval` against NIST trec_eval 10.0's own regression outputs
 * (../shared/conformance/trec_eval, produced by its Makefile's quicktest). Every row we print must exist in
 * the expected file with the identical string, in the same order.
 */
const dir = sharedPath('conformance', 'trec_eval');

const CASES: { flags: string[]; qrels: string; run: string; expected: string; rows: number }[] = [
  { flags: [], qrels: 'qrels.test', run: 'results.test', expected: 'out.test', rows: 30 },
  { flags: [], qrels: 'qrels.test.with-comments', run: 'results.test', expected: 'out.test', rows: 30 },
  {
    flags: [],
    qrels: 'qrels.comment.test',
    run: 'results.comment.test',
    expected: 'out.comment.test',
    rows: 30,
  },
  { flags: ['-m', 'all_trec'], qrels: 'qrels.test', run: 'results.test', expected: 'out.test.a', rows: 99 },
  {
    flags: ['-m', 'all_trec', '-q'],
    qrels: 'qrels.test',
    run: 'results.test',
    expected: 'out.test.aq',
    rows: 387,
  },
  {
    flags: ['-m', 'all_trec', '-q', '-c'],
    qrels: 'qrels.test',
    run: 'results.trunc',
    expected: 'out.test.aqc',
    rows: 387,
  },
  {
    flags: ['-m', 'all_trec', '-q', '-c', '-M100'],
    qrels: 'qrels.test',
    run: 'results.trunc',
    expected: 'out.test.aqcM',
    rows: 387,
  },
  {
    flags: ['-m', 'all_trec', '-mrelstring.20', '-q', '-l2'],
    qrels: 'qrels.rel_level',
    run: 'results.test',
    expected: 'out.test.aql',
    rows: 387,
  },
  {
    // The supported subset of trec_eval's measure-parameter test (custom-gain ndcg etc. are not supported).
    flags: ['-q', '-m', 'P.5,7,3', '-m', 'recall.20,2000', '-mndcg_cut.10,20,23.4', '-msuccess.2,5,20'],
    qrels: 'qrels.test',
    run: 'results.test',
    expected: 'out.test.meas_params',
    rows: 44,
  },
];

/** Rows keyed by "measure<TAB>qid" (the measure's padding trimmed), in file order. */
function rows(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [measure = '', qid = '', value = ''] = line.split('\t');
      return [`${measure.trimEnd()}\t${qid}`, value];
    });
}

describe.skipIf(dir === undefined)('trec-eval reproduces NIST trec_eval 10.0 output', () => {
  for (const c of CASES) {
    it(`trec_eval ${[...c.flags, c.qrels, c.run].join(' ')} → ${c.expected}`, () => {
      const base = dir as string;
      const result = runCli(['trec-eval', ...c.flags, join(base, c.qrels), join(base, c.run)]);
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.status).toBe(0);
      const ours = rows(result.stdout);
      const expected = rows(readFileSync(join(base, c.expected), 'utf8'));
      const expectedByKey = new Map(expected);
      expect(ours.length).toBe(c.rows);
      for (const [key, value] of ours) {
        expect({ key, value }).toEqual({ key, value: expectedByKey.get(key) });
      }
      // Same relative order as trec_eval for the rows we print.
      const ourKeys = new Set(ours.map(([key]) => key));
      expect(ours.map(([key]) => key)).toEqual(
        expected.map(([key]) => key).filter((key) => ourKeys.has(key)),
      );
      // The padded measure column is byte-identical too.
      for (const line of result.stdout.trimEnd().split('\n')) expect(line).toMatch(/^.{22}\t[^\t]+\t[^\t]+$/);
    });
  }
});
