import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { EXAMPLE_DATASET, runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Input hygiene (issue 17 item 5, issue 21 item 8): bytes that are not UTF-8, ids outside the id alphabet,
 * gate bounds outside a measure's range, measure flags, duplicate YAML keys and broken manifests, and
 * baselines that cannot be read. Each case's input is made here, at test time (Latin-1 bytes by Buffer).
 */

const dir = tempDir();
const LATIN1 = Buffer.from([0xe9]); // "é" in Latin-1: not UTF-8

function file(name: string, ...parts: (string | Buffer)[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  return path;
}

/** A command that must exit 2 with one message at `file:line: field 'field': ` naming `text`. */
interface Case {
  name: string;
  args: string[];
  file: string;
  line?: number;
  field?: string;
  text: string[];
  /** A path the command must not leave behind (partial output). */
  absent?: string;
}

const policy = (rule: string) => `samples: 2000\nrules:\n  - ${rule}\n`;

const CASES: Case[] = [
  // bytes that are not UTF-8, in every reader
  ...(() => {
    const queries = file('q-latin1.jsonl', '{"id":"q1","text":"ok"}\n{"id":"q2","text":"caf', LATIN1, '"}\n');
    const corpus = file('c-latin1.jsonl', '{"id":"d1","title":"T', LATIN1, '","text":"x"}\n');
    const trecQrels = file('qrels-latin1.trec', 'q1 0 d1 1\nq1 0 d', LATIN1, ' 1\n');
    const jsonlQrels = file('qrels-latin1.jsonl', '{"qid":"q1","docid":"d', LATIN1, '","rel":1}\n');
    const trecRun = file('run-latin1.trec', 'q1 Q0 d1 1 2.0 t\nq1 Q0 d', LATIN1, ' 2 1.0 t\n');
    const jsonlRun = file(
      'run-latin1.jsonl',
      '{"qid":"q1","results":[{"docid":"d',
      LATIN1,
      '","score":1}]}\n',
    );
    const dictRun = file('run-latin1.json', '{\n  "q1": {\n    "d', LATIN1, '": 1.5\n  }\n}\n');
    const msmarco = file('run-latin1.tsv', '1\t7\t1\n1\t', LATIN1, '\t2\n');
    const beir = file('qrels-latin1.tsv', 'query-id\tcorpus-id\tscore\nq1\td', LATIN1, '\t1\n');
    const tsvQrels = file('latin1-import.trec', 'q1 0 d1 1\n');
    const tsv = file('latin1-topics.tsv', 'q1\tcaf', LATIN1, '\n');
    return [
      { name: 'queries', args: ['validate', queries], file: queries, line: 2, field: 'text', text: [] },
      {
        name: 'corpus',
        args: ['validate', corpus, '--kind', 'corpus'],
        file: corpus,
        line: 1,
        field: 'title',
        text: [],
      },
      {
        name: 'TREC qrels',
        args: ['validate', trecQrels],
        file: trecQrels,
        line: 2,
        field: 'docid',
        text: [],
      },
      {
        name: 'JSONL qrels',
        args: ['validate', jsonlQrels],
        file: jsonlQrels,
        line: 1,
        field: 'docid',
        text: [],
      },
      { name: 'TREC run', args: ['validate', trecRun], file: trecRun, line: 2, field: 'docid', text: [] },
      {
        name: 'JSONL run',
        args: ['validate', jsonlRun],
        file: jsonlRun,
        line: 1,
        field: 'results[0].docid',
        text: [],
      },
      {
        name: 'dict run',
        args: ['validate', dictRun, '--kind', 'run'],
        file: dictRun,
        line: 3,
        field: 'q1.d\uFFFD',
        text: [],
      },
      {
        name: 'MS MARCO run',
        args: ['validate', msmarco, '--kind', 'run'],
        file: msmarco,
        line: 2,
        field: 'docid',
        text: [],
      },
      { name: 'BEIR qrels', args: ['validate', beir, '--kind', 'qrels'], file: beir, line: 2, text: [] },
      {
        name: 'dataset import (TSV queries)',
        args: [
          'dataset',
          'import',
          tsvQrels,
          '--from',
          'trec',
          '--queries',
          tsv,
          '--name',
          'x',
          '--version',
          '1',
          '--out',
          join(dir, 'imported-latin1'),
        ],
        file: tsv,
        line: 1,
        text: [],
        absent: join(dir, 'imported-latin1'),
      },
    ].map((c) => ({ ...c, name: `not UTF-8: ${c.name}`, text: ['not UTF-8 text', 'e9'] }));
  })(),
  // ids outside the id alphabet
  ...(() => {
    const queries = file('q-space.jsonl', '{"id":"q 1","text":"a question"}\n');
    const jsonlRun = file(
      'run-space.jsonl',
      '{"qid":"q1","docid":"d1","score":2}\n{"qid":"q1","docid":"d 2","score":1}\n',
    );
    const jsonlQrels = file('qrels-tab.jsonl', '{"qid":"q\\t1","docid":"d1","rel":1}\n');
    const dictRun = file('run-space.json', '{\n  "q1": {\n    "d1": 2,\n    "d 2": 1\n  }\n}\n');
    const beirQrels = file('qrels-space.tsv', 'q 1\td1\t1\n');
    const beirFolder = join(dir, 'beir-space');
    const out = join(dir, 'imported-space');
    return [
      {
        name: 'JSONL queries',
        args: ['validate', queries, '--kind', 'queries'],
        file: queries,
        line: 1,
        field: 'id',
        text: ['query id "q 1"', 'a space at character 2'],
      },
      {
        name: 'JSONL run',
        args: ['validate', jsonlRun],
        file: jsonlRun,
        line: 2,
        field: 'docid',
        text: ['document id "d 2"'],
      },
      {
        name: 'JSONL qrels',
        args: ['validate', jsonlQrels],
        file: jsonlQrels,
        line: 1,
        field: 'qid',
        text: ['query id "q\\t1"', 'a tab'],
      },
      {
        name: 'dict run',
        args: ['validate', dictRun, '--kind', 'run'],
        file: dictRun,
        line: 4,
        field: 'q1.d 2',
        text: ['document id "d 2"'],
      },
      {
        name: 'BEIR qrels',
        args: ['validate', beirQrels, '--kind', 'qrels'],
        file: beirQrels,
        line: 1,
        field: 'query-id',
        text: ['query id "q 1"'],
      },
      {
        name: 'dataset import (BEIR corpus)',
        args: [
          'dataset',
          'import',
          beirFolder,
          '--from',
          'beir',
          '--name',
          'x',
          '--version',
          '1',
          '--out',
          out,
        ],
        file: join(beirFolder, 'corpus.jsonl'),
        line: 2,
        field: '_id',
        text: ['document id "d 2"'],
        absent: out,
      },
      ...(() => {
        const qrels = file('import.trec', 'q1 0 d1 1\n');
        const tsv = file('topics.tsv', 'q1\tfine\nq 2\tspaced\n');
        const topics = file('topics.txt', '<top>\n<num> Number: 30 1\n<title> a topic\n</top>\n');
        const importing = (queries: string, name: string) => {
          const target = join(dir, name);
          return {
            args: [
              'dataset',
              'import',
              qrels,
              '--from',
              'trec',
              '--queries',
              queries,
              '--name',
              'x',
              '--version',
              '1',
              '--out',
              target,
            ],
            absent: target,
          };
        };
        return [
          {
            name: 'dataset import (TSV queries)',
            ...importing(tsv, 'imported-tsv'),
            file: tsv,
            line: 2,
            field: 'qid',
            text: ['query id "q 2"'],
          },
          {
            name: 'dataset import (TREC topics)',
            ...importing(topics, 'imported-topics'),
            file: topics,
            line: 1,
            field: 'num',
            text: ['topic number "30 1"'],
          },
        ];
      })(),
    ].map((c) => ({
      ...c,
      name: `whitespace in an id: ${c.name}`,
      text: [...c.text, 'split columns on whitespace'],
    }));
  })(),
  // gate bounds of measures in [0, 1]
  ...(() => {
    const above = file('floor-above.yaml', policy('{ kind: floor, metric: R@5, min: 1.5 }'));
    const below = file('floor-below.yaml', policy('{ kind: floor, metric: nDCG@10, min: -1 }'));
    const drop = file('drop-abs.yaml', policy('{ kind: maxDrop, metric: RR, maxDrop: { abs: 2 } }'));
    const rel = file('drop-rel.yaml', policy('{ kind: maxDrop, metric: AP, maxDrop: { rel: 1.5 } }'));
    return [
      {
        name: 'floor above 1',
        args: ['validate', above],
        file: above,
        line: 3,
        field: 'rules[0].min',
        text: ['a floor of 1.5 would always fail', 'R@5 lies in [0, 1]'],
      },
      {
        name: 'floor below 0',
        args: ['validate', below],
        file: below,
        line: 3,
        field: 'rules[0].min',
        text: ['a floor of -1 could never fail'],
      },
      {
        name: 'drop above 1',
        args: ['validate', drop],
        file: drop,
        line: 3,
        field: 'rules[0].maxDrop.abs',
        text: ['maxDrop.abs must be at most 1'],
      },
      {
        name: 'relative drop above 1',
        args: ['validate', rel],
        file: rel,
        line: 3,
        field: 'rules[0].maxDrop.rel',
        text: ['maxDrop.rel must be at most 1'],
      },
    ].map((c) => ({ ...c, name: `bounds: ${c.name}` }));
  })(),
  // a duplicate YAML key and a broken manifest
  ...(() => {
    const dup = file(
      'dup.yaml',
      'samples: 2000\nrules:\n  - kind: floor\n    metric: R@5\n    min: 0.5\n    min: 0.6\n',
    );
    const dataset = join(dir, 'broken-manifest');
    cpSync(EXAMPLE_DATASET, dataset, { recursive: true });
    const manifest = join(dataset, 'manifest.json');
    const lines = readFileSync(manifest, 'utf8').split('\n');
    lines.splice(2, 0, '  "broken": ,'); // V8 names no position for this one
    writeFileSync(manifest, lines.join('\n'));
    return [
      {
        name: 'duplicate YAML key',
        args: ['validate', dup],
        file: dup,
        line: 6,
        field: 'rules[0].min',
        text: ["the key 'min' is given twice"],
      },
      {
        name: 'broken manifest JSON',
        args: ['validate', dataset],
        file: manifest,
        line: 3,
        text: ["malformed JSON: Unexpected token ','"],
      },
    ];
  })(),
];

// The BEIR folder of the import case: its second document's _id holds a space.
mkdirSync(join(dir, 'beir-space', 'qrels'), { recursive: true });
writeFileSync(join(dir, 'beir-space', 'corpus.jsonl'), '{"_id":"d1","text":"a"}\n{"_id":"d 2","text":"b"}\n');
writeFileSync(join(dir, 'beir-space', 'queries.jsonl'), '{"_id":"q1","text":"a question"}\n');
writeFileSync(join(dir, 'beir-space', 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');

function expectLocated(
  stderr: string,
  { file, line, field, text }: Pick<Case, 'file' | 'line' | 'field' | 'text'>,
) {
  expect(stderr).not.toContain('    at ');
  expect(stderr).not.toContain('internal error');
  const location = line === undefined ? `${file}: ` : `${file}:${line}: `;
  expect(stderr, stderr).toContain(`retrieval-gate: ${location}`);
  if (field !== undefined) expect(stderr).toContain(`${location}field '${field}': `);
  for (const part of text) expect(stderr).toContain(part);
}

describe('bad input is exit 2 with its file, line and field', () => {
  it.each(CASES)('$name', async (c) => {
    const result = await runCliInProcess(c.args, dir);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expectLocated(result.stderr, c);
    if (c.absent) expect(existsSync(c.absent)).toBe(false);
  });

  it('a floor on a measure that is not bounded by [0, 1] (Hits@10) may exceed 1', async () => {
    const ok = file('floor-hits.yaml', policy('{ kind: floor, metric: Hits@10, min: 3 }'));
    const result = await runCliInProcess(['validate', ok], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('--measures and -m name the flag', () => {
  const run = join(REPO_ROOT, 'test', 'fixtures', 'good', 'run.trec');
  const other = join(dir, 'other.trec');
  cpSync(run, other);
  it.each([
    {
      command: 'eval',
      list: 'P@0',
      text: "--measures: measure 'P': cutoff must be a positive integer, got 0",
    },
    { command: 'eval', list: '', text: '--measures: no measures given' },
    { command: 'compare', list: 'P@0', text: "--measures: measure 'P'" },
    { command: 'compare', list: '', text: '--measures: no measures given' },
    { command: 'trec-eval', list: 'P.0', text: "-m: trec_eval measure 'P.0': cutoffs must be positive" },
    { command: 'trec-eval', list: '', text: "-m: unknown trec_eval measure ''" },
  ])('$command --measures "$list"', async ({ command, list, text }) => {
    const out = join(dir, `${command}-measures.json`);
    const qrels = join(REPO_ROOT, 'test', 'fixtures', 'good', 'qrels.trec');
    const args =
      command === 'eval'
        ? ['eval', '--dataset', EXAMPLE_DATASET, '--run', run, '--measures', list, '--out', out]
        : command === 'compare'
          ? ['compare', '--dataset', EXAMPLE_DATASET, '--run', run, '--run', other, '--measures', list]
          : ['trec-eval', '-m', list, qrels, run];
    const result = await runCliInProcess(args, dir);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain(`retrieval-gate: ${text}`);
    expect(result.stderr).not.toContain('    at ');
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it("a config's measures: names its file, line and field", async () => {
    const config = join(dir, 'measures.yaml');
    writeFileSync(
      config,
      readFileSync(join(REPO_ROOT, 'retrieval-gate.yaml'), 'utf8')
        .replace(/^measures: .*$/m, 'measures: [nDCG@10, P@0]')
        .replace(/^dataset: (.*)$/m, `dataset: ${EXAMPLE_DATASET}`),
    );
    const result = await runCliInProcess(['validate', config], dir);
    expect(result.status, result.stderr).toBe(2);
    expectLocated(result.stderr, {
      file: config,
      line: 5,
      field: 'measures[1]',
      text: ["measure 'P': cutoff must be a positive integer"],
    });
  });
});

describe('a baseline that cannot be read fails the gate closed, naming the file and why', () => {
  let candidate: string;
  let drops: string;
  beforeAll(async () => {
    candidate = await runExample(dir, 'candidate', ['bm25']);
    drops = file('drops.yaml', policy('{ kind: maxDrop, metric: nDCG@10, maxDrop: { abs: 0.02 } }'));
  });

  it.each([
    {
      name: 'missing',
      ref: () => join(dir, 'baselines', 'nothing.json'),
      why: ['cannot read: no such file'],
    },
    { name: 'not JSON', ref: () => file('not-json.json', 'this is not JSON\n'), why: ['malformed JSON'] },
    {
      name: 'of an unknown schemaVersion',
      ref: () => file('v9.json', '{"schemaVersion": 9, "kind": "baseline"}\n'),
      why: ["field 'schemaVersion': has schemaVersion 9", 'reads baselines of schemaVersion 1'],
    },
    {
      name: 'a git: ref that does not exist',
      ref: () => 'git:no-such-ref-anywhere:gates/baselines/main.json',
      why: ["revision 'no-such-ref-anywhere'"],
    },
  ])('$name', async ({ ref, why }) => {
    const reference = ref();
    const out = join(dir, `gate-${Math.random().toString(36).slice(2)}`);
    const result = await runCliInProcess(
      ['gate', '--policy', drops, '--results', candidate, '--baseline', reference, '--out', out],
      REPO_ROOT,
    );
    expect(result.status).toBe(1); // failed closed
    expect(result.stderr).not.toContain('    at ');
    const failed = result.stderr.split('\n').find((l) => l.includes('the gate failed')) ?? '';
    expect(failed).toContain(`the baseline could not be read: ${reference}`);
    for (const part of why) expect(failed).toContain(part);
    const markdown = readFileSync(join(out, 'gate.md'), 'utf8');
    expect(markdown).toContain(reference);
    for (const part of why) expect(markdown).toContain(part);
  });
});
