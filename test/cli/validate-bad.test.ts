import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';

const BAD = join(FIXTURES, 'bad');
const GOOD = join(FIXTURES, 'good');

/**
 * One malformed input under test/fixtures/bad. `validate` must exit 2 with one stderr line that starts
 * with `<file>:<line>: field '<field>': ` (each part present only when it applies) and contains `text`.
 */
interface BadCase {
  /** File or dataset folder under test/fixtures/bad. */
  fixture: string;
  /** The file the message names, relative to a dataset folder (default: the fixture itself). */
  file?: string;
  line?: number;
  field?: string;
  /** Substrings the message must contain besides its location. */
  text: string[];
  /** Extra arguments for `validate` (e.g. --kind). */
  args?: string[];
}

const BAD_CASES: BadCase[] = [
  // queries and corpus
  {
    fixture: 'queries-malformed-json.jsonl',
    line: 2,
    text: ['malformed JSON', "Expected ',' or '}'"],
  },
  {
    fixture: 'queries-duplicate-id.jsonl',
    line: 3,
    field: 'id',
    text: ["duplicate query id 'q1'", 'first at line 1'],
  },
  { fixture: 'queries-empty-text.jsonl', line: 2, field: 'text', text: ['fewer than 1 characters'] },
  { fixture: 'queries-blank-text.jsonl', line: 2, field: 'text', text: ['must not be empty'] },
  {
    fixture: 'corpus-duplicate-id.jsonl',
    line: 3,
    field: 'id',
    text: ["duplicate document id 'd1'", 'first at line 1'],
  },
  // JSONL qrels
  { fixture: 'qrels-missing-rel.jsonl', line: 2, field: 'rel', text: ['is missing'] },
  { fixture: 'qrels-rel-not-integer.jsonl', line: 2, field: 'rel', text: ['must be integer'] },
  {
    fixture: 'qrels-judged-twice.jsonl',
    line: 3,
    field: 'docid',
    text: ["document 'd1' is judged twice for query 'q1'"],
  },
  // TREC qrels
  { fixture: 'qrels-rel-abc.trec', line: 2, field: 'rel', text: ["relevance must be an integer, got 'abc'"] },
  { fixture: 'qrels-three-columns.trec', line: 2, field: 'line', text: ['expected 4 columns', 'found 3'] },
  { fixture: 'qrels-five-columns.trec', line: 2, field: 'line', text: ['expected 4 columns'] },
  {
    fixture: 'qrels-judged-twice.trec',
    line: 3,
    field: 'docid',
    text: ["document 'd1' is judged twice for query 'q1'"],
  },
  // TREC runs
  { fixture: 'run-rank-not-number.trec', line: 2, field: 'rank', text: ["rank is not a number: 'second'"] },
  { fixture: 'run-score-not-number.trec', line: 2, field: 'score', text: ["score is not a number: 'high'"] },
  { fixture: 'run-score-nan.trec', line: 2, field: 'score', text: ["score is not a number: 'nan'"] },
  { fixture: 'run-score-inf.trec', line: 1, field: 'score', text: ["score is not a number: 'inf'"] },
  { fixture: 'run-empty.trec', text: ['the file is empty'] },
  { fixture: 'run-empty.trec', args: ['--kind', 'run'], text: ['the run has no results'] },
  { fixture: 'run-only-comments.trec', text: ['the file is empty'] },
  { fixture: 'run-only-comments.trec', args: ['--kind', 'run'], text: ['the run has no results'] },
  {
    fixture: 'run-duplicate-docno.trec',
    line: 4,
    field: 'docid',
    text: ["document 'd2' appears twice in the results of query 'q1'", 'first at line 2'],
  },
  { fixture: 'run-five-columns.trec', line: 2, field: 'line', text: ['expected 6 columns', 'found 5'] },
  {
    fixture: 'run-first-line-five-columns.trec',
    line: 1,
    text: ['cannot tell what this file is (5 columns', '--kind'],
  },
  {
    fixture: 'run-first-line-five-columns.trec',
    args: ['--kind', 'run'],
    line: 1,
    field: 'line',
    text: ['expected 6 columns', 'found 5'],
  },
  // JSONL runs
  {
    fixture: 'run-duplicate-docno.jsonl',
    line: 2,
    field: 'results[2].docid',
    text: ["document 'd3' appears twice in the results of query 'q2'"],
  },
  {
    fixture: 'run-duplicate-docno-lines.jsonl',
    line: 3,
    field: 'docid',
    text: ["document 'd1' appears twice in the results of query 'q1'"],
  },
  { fixture: 'run-results-not-array.jsonl', line: 2, field: 'results', text: ['must be array'] },
  { fixture: 'run-score-string.jsonl', line: 2, field: 'score', text: ['must be number'] },
  // hand-made eval sets
  { fixture: 'simple-relevant-not-array.json', field: '[1].relevant_passages', text: ['must be array'] },
  { fixture: 'simple-duplicate-id.json', field: '[1].id', text: ["duplicate query id 'q1'"] },
  {
    fixture: 'simple-judged-twice.jsonl',
    line: 2,
    field: 'irrelevant_passages',
    text: ["document 'd2' is judged twice for query 'q2'"],
  },
  // dataset folders (manifest consistent except for the fault under test)
  {
    fixture: 'dataset-manifest-missing-field',
    file: 'manifest.json',
    field: 'licence',
    text: ['is missing'],
  },
  {
    fixture: 'dataset-sha256-mismatch',
    file: 'manifest.json',
    field: 'files.queries.sha256',
    text: ['queries.jsonl has changed since the manifest was written'],
  },
  {
    fixture: 'dataset-file-missing',
    file: 'manifest.json',
    field: 'files.corpus.path',
    text: ["file 'corpus.jsonl' named in the manifest does not exist"],
  },
  {
    fixture: 'dataset-digest-mismatch',
    file: 'manifest.json',
    field: 'digest',
    text: ["differs from the manifest's sha256:0000"],
  },
  {
    fixture: 'dataset-digest-mismatch/manifest.json',
    file: '',
    field: 'digest',
    text: ["differs from the manifest's sha256:0000"],
  },
  {
    fixture: 'dataset-qrels-unknown-query',
    file: 'qrels.jsonl',
    line: 4,
    field: 'qid',
    text: ["judgments for query 'q9', which is not in the dataset's queries"],
  },
  {
    fixture: 'dataset-trec-qrels-unknown-query',
    file: 'qrels.trec',
    line: 3,
    field: 'qid',
    text: ["judgments for query 'q7', which is not in the dataset's queries"],
  },
  {
    fixture: 'run-line-not-object.jsonl',
    line: 2,
    text: ['each line must be a JSON object, found an array'],
  },
  // A whole-file JSON error is reported at its line, not V8's character position.
  { fixture: 'simple-malformed.json', line: 3, text: ['malformed JSON'] },
  { fixture: 'queries-empty.jsonl', args: ['--kind', 'queries'], text: ['the file has no queries'] },
  // 1e400 is a well-formed decimal that overflows to Infinity: not a usable score.
  { fixture: 'run-score-overflow.trec', line: 2, field: 'score', text: ["score is not a number: '1e400'"] },
  // gate policies
  { fixture: 'policy-floor-without-min.yaml', line: 3, field: 'rules[0].min', text: ['is missing'] },
  {
    fixture: 'policy-unknown-decide.yaml',
    line: 3,
    field: 'rules[0].decide',
    text: ['must be one of "point", "significant", "confident"'],
  },
  {
    fixture: 'config-unknown-model.yaml',
    line: 8,
    field: 'systems[0].model',
    text: ["unknown model 'large'; defined: small"],
  },
  {
    fixture: 'dataset-queries-malformed-json',
    file: 'queries.jsonl',
    line: 2,
    text: ['malformed JSON'],
  },
];

const named = BAD_CASES.map((c) => ({ ...c, name: [c.fixture, ...(c.args ?? [])].join(' ') }));

describe('validate rejects malformed input with exit 2 and one located message', () => {
  it('covers every fixture in test/fixtures/bad, and at least 24 of them', () => {
    const onDisk = readdirSync(BAD).sort();
    const covered = new Set(BAD_CASES.map((c) => c.fixture.split('/')[0]));
    expect(onDisk.filter((name) => !covered.has(name))).toEqual([]);
    expect(covered.size).toBeGreaterThanOrEqual(24);
  });

  it.each(named)('$name', async ({ fixture, file, line, field, text, args }) => {
    const path = join(BAD, fixture);
    expect(existsSync(path), `${path} is missing`).toBe(true);

    const result = await runCliInProcess(['validate', path, ...(args ?? [])]);
    const { stderr } = result;
    expect(stderr).not.toContain('    at ');
    expect(stderr).not.toContain('internal error');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);

    const target = file === undefined || file === '' ? path : join(path, file);
    const location = line === undefined ? `${target}: ` : `${target}:${line}: `;
    expect(stderr.startsWith(`retrieval-gate: ${location}`), stderr).toBe(true);
    if (field !== undefined) expect(stderr).toContain(`${location}field '${field}': `);
    else expect(stderr).not.toContain("field '");
    for (const part of text) expect(stderr).toContain(part);
  });
});

describe('validate accepts well-formed files', () => {
  it.each([
    { fixture: 'run.trec', summary: "ok: run 'bm25': 2 queries, 4 results" },
    { fixture: 'qrels.trec', summary: 'ok: qrels: 2 queries, 4 judgments' },
    { fixture: 'run.jsonl', summary: "ok: run 'run': 2 queries, 4 results" },
  ])('$fixture', async ({ fixture, summary }) => {
    const path = join(GOOD, fixture);
    expect(existsSync(path), `${path} is missing`).toBe(true);
    const result = await runCliInProcess(['validate', path]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${summary}\n`);
    expect(result.status).toBe(0);
  });

  it('the shipped default gate policy', async () => {
    const result = await runCliInProcess(['validate', join(REPO_ROOT, 'gates', 'default.yaml')]);
    expect(result.stdout).toBe(
      'ok: gate policy: 5 rules (maxDrop nDCG@10, maxDrop R@5, latency total, cost, coverage @10), alpha 0.05\n',
    );
    expect(result.status).toBe(0);
  });

  it('the shipped example config', async () => {
    const result = await runCliInProcess(['validate', join(REPO_ROOT, 'retrieval-gate.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ok: config: dataset bike-repair@1\.0\.0, 5 systems \(bm25, /);
    expect(result.status).toBe(0);
  });
});

describe('validate on a file of a BEIR folder', () => {
  const beir = join(FIXTURES, 'beir-mini');

  it.each([
    { file: 'corpus.jsonl', kind: 'corpus', args: [] },
    { file: 'queries.jsonl', kind: 'queries', args: [] },
    { file: 'corpus.jsonl', kind: 'corpus', args: ['--kind', 'corpus'] },
  ])('$file $args: points at its folder with --kind beir', async ({ file, kind, args }) => {
    const path = join(beir, file);
    const result = await runCliInProcess(['validate', path, ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `retrieval-gate: ${path}:1: field '_id': a BEIR ${kind} file (its records have '_id'): check its folder as a BEIR folder, retrieval-gate validate ${beir} --kind beir\n`,
    );
    const folder = await runCliInProcess(['validate', beir, '--kind', 'beir']);
    expect(folder.status, folder.stderr).toBe(0);
  });
});
