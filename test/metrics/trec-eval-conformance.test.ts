import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, sharedPath } from '../helpers/cli.js';

/**
 * `retrieval-gate trec-eval` against NIST trec_eval 10.0: its own regression outputs
 * (../shared/conformance/trec_eval, produced by its Makefile's quicktest), and outputs of the same binary for
 * -J, -N, custom gains and a query missing from the run (test/fixtures/trec-eval, see its README). Every row is
 * reproduced: the output is byte-identical.
 */
const shared = sharedPath('conformance', 'trec_eval');
const local = join(REPO_ROOT, 'test', 'fixtures', 'trec-eval');

interface Case {
  flags: string[];
  qrels: string;
  run: string;
  expected: string;
}

const NIST: Case[] = [
  { flags: [], qrels: 'qrels.test', run: 'results.test', expected: 'out.test' },
  { flags: [], qrels: 'qrels.test.with-comments', run: 'results.test', expected: 'out.test' },
  { flags: [], qrels: 'qrels.comment.test', run: 'results.comment.test', expected: 'out.comment.test' },
  { flags: ['-m', 'all_trec'], qrels: 'qrels.test', run: 'results.test', expected: 'out.test.a' },
  { flags: ['-m', 'all_trec', '-q'], qrels: 'qrels.test', run: 'results.test', expected: 'out.test.aq' },
  {
    flags: ['-m', 'all_trec', '-q', '-c'],
    qrels: 'qrels.test',
    run: 'results.trunc',
    expected: 'out.test.aqc',
  },
  {
    flags: ['-m', 'all_trec', '-q', '-c', '-M100'],
    qrels: 'qrels.test',
    run: 'results.trunc',
    expected: 'out.test.aqcM',
  },
  {
    flags: ['-m', 'all_trec', '-mrelstring.20', '-q', '-l2'],
    qrels: 'qrels.rel_level',
    run: 'results.test',
    expected: 'out.test.aql',
  },
  {
    flags: [
      '-q',
      '-miprec_at_recall..10,.20,.25,.75,.50',
      '-m',
      'P.5,7,3',
      '-m',
      'recall.20,2000',
      '-m',
      'Rprec_mult.5.0,0.2,0.35',
      '-mutility.2,-1,0,0',
      '-m',
      '11pt_avg..25,.5,.75',
      '-mndcg.1=3,2=9,4=4.5',
      '-mndcg_cut.10,20,23.4',
      '-msuccess.2,5,20',
    ],
    qrels: 'qrels.test',
    run: 'results.test',
    expected: 'out.test.meas_params',
  },
];

const UTILITY_N = ['-N', '500', '-m', 'all_trec', '-m', 'utility.2,-1,-0.5,0.01'];

const LOCAL: Case[] = [
  { flags: ['-q', '-c', ...UTILITY_N], qrels: 'qrels', run: 'run', expected: 'out.cN' },
  { flags: ['-q', '-J', '-l0', '-m', 'all_trec'], qrels: 'qrels.no-q4', run: 'run', expected: 'out.J' },
  {
    flags: [
      '-q',
      '-c',
      '-l2',
      '-M20',
      '-m',
      'all_trec',
      '-mrelstring.15',
      '-mrbp.p=0.8,2=5',
      '-mndcg.0=0.5,3=1',
      '-mG.1=2',
      '-mndcg_rel.2=0.3',
      '-mRndcg.4=1',
      '-m11pt_avg.0.5,0.2,0.9',
      '-mset_F.0.5',
      '-mrbp_resid.p=0.7',
    ],
    qrels: 'qrels',
    run: 'run',
    expected: 'out.params',
  },
  // -Z: z-scores against a reference file with queries and measures missing, stddev 0, gm_map and counts.
  {
    flags: ['-q', '-c', '-Z', 'zscores', '-m', 'all_trec'],
    qrels: 'qrels',
    run: 'run',
    expected: 'out.cZall',
  },
  {
    flags: [
      '-q',
      '-c',
      '-Z',
      'zscores',
      ...['-m', 'map', '-m', 'P.5,10', '-m', 'num_ret', '-m', 'num_rel', '-m', 'gm_map', '-m', 'ndcg_cut.10'],
      ...['-m', 'recip_rank', '-m', 'relstring', '-m', 'runid', '-m', 'num_q'],
    ],
    qrels: 'qrels',
    run: 'run',
    expected: 'out.cZ',
  },
  {
    flags: ['-q', '-Z', 'zscores', '-m', 'map', '-m', 'P.5', '-m', 'num_ret', '-m', 'gm_map'],
    qrels: 'qrels.no-q4',
    run: 'run',
    expected: 'out.Z',
  },
];

/** Rows as "measure<TAB>qid" → value (the measure's padding trimmed). */
function rows(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line): [string, string] => {
        const [measure = '', qid = '', value = ''] = line.split('\t');
        return [`${measure.trimEnd()}\t${qid}`, value];
      }),
  );
}

function trecEval(dir: string, c: Case): string {
  // The z-score file (-Z) sits beside the qrels, as the other inputs.
  const flags = c.flags.map((flag, i) => (c.flags[i - 1] === '-Z' ? join(dir, flag) : flag));
  const result = runCli(['trec-eval', ...flags, join(dir, c.qrels), join(dir, c.run)]);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.status).toBe(0);
  return result.stdout;
}

function expectIdentical(dir: string, c: Case): void {
  const ours = trecEval(dir, c);
  const expected = readFileSync(join(dir, c.expected), 'latin1');
  // Row by row first, so that a failure names the measure and query.
  const theirs = rows(expected);
  for (const [key, value] of rows(ours)) expect({ key, value }).toEqual({ key, value: theirs.get(key) });
  expect(ours).toBe(expected);
}

describe.skipIf(shared === undefined)('trec-eval reproduces NIST trec_eval 10.0 regression outputs', () => {
  for (const c of NIST) {
    it(`trec_eval ${[...c.flags, c.qrels, c.run].join(' ')} → ${c.expected}`, () => {
      expectIdentical(shared as string, c);
    });
  }
});

describe('trec-eval reproduces NIST trec_eval 10.0 on -J, -N, -Z, custom gains and a missing query', () => {
  for (const c of LOCAL) {
    it(`trec_eval ${[...c.flags, c.qrels, c.run].join(' ')} → ${c.expected}`, () => {
      expectIdentical(local, c);
    });
  }

  it('prints 0 where -J leaves a query without documents and trec_eval divides 0 by 0 (-nan)', () => {
    const ours = rows(
      trecEval(local, { flags: ['-q', '-c', '-J', ...UTILITY_N], qrels: 'qrels', run: 'run', expected: '' }),
    );
    const theirs = rows(readFileSync(join(local, 'out.cJN'), 'latin1'));
    const nan = [...theirs].filter(([, value]) => value.trim() === '-nan').map(([key]) => key);
    expect(nan).toEqual([
      'iprec_at_recall_0.00\tq4',
      '11pt_avg\tq4',
      'iprec_at_recall_0.00\tall',
      '11pt_avg\tall',
    ]);
    expect(ours.get('iprec_at_recall_0.00\tq4')).toBe('0.0000');
    expect(ours.get('11pt_avg\tq4')).toBe('0.0000');
    for (const [key, value] of theirs)
      if (!nan.includes(key)) expect({ key, value: ours.get(key) }).toEqual({ key, value });
  });
});
