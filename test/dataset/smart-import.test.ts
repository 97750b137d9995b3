import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSmartFolder } from '../../src/dataset/import/smart.js';
import { REPO_ROOT, runCliInProcess, sharedPath } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A SMART folder written for the test: Cranfield's quirks (zero-padded, gapped query ids; 3-column codes), CRLF queries. */
function smartFolder(files: Record<string, string>): string {
  const dir = join(tempDir(), 'smart');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const DOCS = [
  '.I 1',
  '.T',
  'flat tyres',
  '.A',
  'someone',
  '.W',
  'flat tyres .',
  'patch the tube   ',
  '.I 2',
  '.T',
  'brake pads',
  '.W',
  '.I 3',
  '.T',
  '.W',
  '',
].join('\n');
const QUERIES = [
  '.I 001',
  '.W',
  'how to fix a flat',
  '.I 004',
  '.W',
  'worn brakes',
  '.I 009',
  '.W',
  'unjudged',
  '',
].join('\r\n');

describe('dataset import --from smart (a hand-made collection)', () => {
  it('reads titles and text, numbers queries by position when the judgments do, maps Cranfield codes', () => {
    const dir = smartFolder({
      'tiny.all.3': DOCS,
      'tiny.qry': QUERIES,
      tinyqrel: '1 1 1 \n1 2 -1\n2 2 4 \n',
    });
    const read = readSmartFolder(dir);
    expect([...(read.corpus?.values() ?? [])]).toEqual([
      { id: '1', title: 'flat tyres', text: 'flat tyres .\npatch the tube' },
      { id: '2', title: 'brake pads', text: 'brake pads' }, // no .W: the title is its text
      { id: '3', text: '' },
    ]);
    // .I 001 and 004 are queries 1 and 2 of the judgments; the third has no judgments and is left out.
    expect([...read.queries.values()]).toEqual([
      { id: '1', text: 'how to fix a flat' },
      { id: '2', text: 'worn brakes' },
    ]);
    expect(read.qrels).toEqual(
      new Map([
        [
          '1',
          new Map([
            ['1', 4],
            ['2', 0],
          ]),
        ],
        ['2', new Map([['2', 1]])],
      ]),
    );
    expect(read.notes).toContain('1 of 3 queries have no judgments and were left out');
    expect(read.notes.join('\n')).toContain('query ids are positions in tiny.qry');
    expect(readSmartFolder(dir, 'binary').qrels.get('1')).toEqual(
      new Map([
        ['1', 1],
        ['2', 0],
      ]),
    );
    expect(readSmartFolder(dir, 'as-written').qrels.get('1')).toEqual(
      new Map([
        ['1', 1],
        ['2', -1],
      ]),
    );
  });

  it("keeps .I numbers as ids when the judgments use them; reads TREC and 'qid docid 0 0.0' layouts", () => {
    const queries = ['.I 1', '.W', 'a', '.I 2', '.W', 'b', ''].join('\n');
    const trec = readSmartFolder(
      smartFolder({ 'X.ALL': DOCS, 'X.QRY': queries, 'X.REL': '2 0 1 1\n2 0 3 1\n' }),
    );
    expect([...trec.queries.keys()]).toEqual(['2']);
    expect(trec.qrels.get('2')).toEqual(
      new Map([
        ['1', 1],
        ['3', 1],
      ]),
    );
    expect(trec.notes).toContain('query ids are the .I numbers of X.QRY');
    const pairs = readSmartFolder(
      smartFolder({ 'X.ALL': DOCS, 'X.QRY': queries, 'X.REL': '     1     2\t0\t0.000000\r\n' }),
    );
    expect(pairs.qrels).toEqual(new Map([['1', new Map([['2', 1]])]]));
  });

  it('names what is missing or ambiguous in the folder, and judgments it cannot place', () => {
    expect(() => readSmartFolder(smartFolder({ 'X.ALL': DOCS, 'X.REL': '' }))).toThrow(/no queries file/);
    expect(() =>
      readSmartFolder(smartFolder({ 'X.ALL': DOCS, 'X.QRY': QUERIES, 'X.REL': '', 'Y.REL': '' })),
    ).toThrow('more than one judgments file');
    expect(() =>
      readSmartFolder(smartFolder({ 'X.ALL': DOCS, 'X.QRY': QUERIES, 'X.REL': '7 1 1\n' })),
    ).toThrow("judgments for query '7', which is neither a .I number of X.QRY nor a position in it");
  });
});

const collections = sharedPath('datasets');

describe.skipIf(collections === undefined)('dataset import --from smart on ../shared/datasets', () => {
  const root = collections as string;
  const imported = async (name: string, ...extra: string[]) => {
    const out = join(tempDir(), name);
    const result = await runCliInProcess([
      'dataset',
      'import',
      '--from',
      'smart',
      join(root, name),
      '--name',
      name,
      '--version',
      '1',
      '--out',
      out,
      ...extra,
    ]);
    expect(result.status, result.stderr).toBe(0);
    return { out, stdout: result.stdout };
  };

  it("Cranfield: 1,400 documents, 225 queries, 1,837 judgments, BM25 above narsil's floors", async () => {
    const { out, stdout } = await imported('cranfield', '--relevance', 'binary');
    expect(stdout).toContain('225 queries, 1400 documents, 1837 judgments');
    // The 225th query (.I 365) is qrels query 225: hypersonic lift-drag, judged with docs 1379 and 1305.
    const qrels = readFileSync(join(out, 'qrels.jsonl'), 'utf8');
    expect(qrels).toContain('{"docid":"1379","qid":"225","rel":1}');
    const queries = readFileSync(join(out, 'queries.jsonl'), 'utf8');
    expect(queries).toMatch(/"id":"225","text":"what design factors can be used to control lift-drag ratios/);
    // The README's commands: the shipped config and gate, the dataset imported where `cranfield@1` is looked up.
    // (`name@version` is looked up in datasets/ beside the config, then in the package's own datasets/.)
    const project = tempDir();
    cpSync(out, join(project, 'datasets', 'cranfield', '1'), { recursive: true });
    cpSync(join(REPO_ROOT, 'examples', 'cranfield.yaml'), join(project, 'cranfield.yaml'));
    const run = await runCliInProcess(
      [
        'run',
        '--config',
        'cranfield.yaml',
        '--gate',
        join(REPO_ROOT, 'gates', 'cranfield.yaml'),
        '--run-id',
        'r',
        '--quiet',
        '--no-report',
      ],
      project,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('gate PASS · cranfield@1, 225 judged queries');
    const evaluation = JSON.parse(readFileSync(join(project, 'reports', 'r', 'evaluation.json'), 'utf8'));
    const means = evaluation.runs[0].measures;
    // assetcorp/narsil's Cranfield floors (../shared/datasets/BASELINES.md), which gates/cranfield.yaml holds.
    expect(means['nDCG@10'].value).toBeGreaterThanOrEqual(0.32);
    expect(means['P@10'].value).toBeGreaterThanOrEqual(0.21);
    expect(means.AP.value).toBeGreaterThanOrEqual(0.27);
    expect(means.RR.value).toBeGreaterThanOrEqual(0.48);
    // The figures the README prints.
    expect(means['nDCG@10'].value.toFixed(4)).toBe('0.3617');
    expect(means['nDCG@20'].value.toFixed(4)).toBe('0.3927');
  });

  it('CISI: 1,460 documents, the 76 judged of 112 queries, 3,114 relevant pairs', async () => {
    const { stdout } = await imported('cisi');
    expect(stdout).toContain('76 queries, 1460 documents, 3114 judgments');
    expect(stdout).toContain('36 of 112 queries have no judgments and were left out');
  });

  it('MEDLINE: 1,033 documents, 30 queries, 696 relevant pairs (MED.REL, TREC layout; MED.REL.OLD is not read)', async () => {
    const { stdout } = await imported('medline');
    expect(stdout).toContain('30 queries, 1033 documents, 696 judgments');
    expect(stdout).toContain('judgments from MED.REL\n');
  });
});
