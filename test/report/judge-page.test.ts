import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from '../../bench/headless.js';
import { startJudgeServer } from '../../src/app/judge-serve.js';
import { type PoolItem, writePoolFile } from '../../src/dataset/pool-file.js';
import { writeDataset } from '../../src/dataset/write.js';
import { cohenKappa } from '../../src/metrics/kappa.js';
import { CLI } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { PAYLOADS } from './report-fixture.js';

/** Three queries, eight documents, judged 0–3; the pool holds six unjudged pairs, one text of them hostile. */
const QUERIES = [
  { id: 'q1', text: 'squeaking disc brakes' },
  { id: 'q2', text: 'flat tyre repair' },
  { id: 'q3', text: `${PAYLOADS[0]} ${PAYLOADS[2]}` },
];
const DOCS = [
  {
    id: 'd1',
    title: 'Why disc brakes squeak',
    text: 'Contaminated pads make disc brakes squeal and squeak.',
  },
  { id: 'd2', text: 'Bleeding hydraulic brakes removes air from the line.' },
  { id: 'd3', text: 'Patch a flat inner tube: find the hole, roughen, glue, press the patch.' },
  { id: 'd4', text: 'Tyre levers lift the bead over the rim.' },
  { id: 'd5', title: PAYLOADS[1] as string, text: `${PAYLOADS[3]} ${PAYLOADS[5]}` },
  { id: 'd6', text: 'Saddle height: your leg almost straight at the bottom of the stroke.' },
  { id: 'd7', text: 'judged already' },
  { id: 'd8', text: 'judged already too' },
];
const PAIRS: [string, string][] = [
  ['q1', 'd1'],
  ['q2', 'd3'],
  ['q1', 'd2'],
  ['q3', 'd5'],
  ['q2', 'd4'],
  ['q3', 'd6'],
];

const missing = chromiumMissing();
if (missing) console.log(`judging page browser tests skipped: ${missing}`);

let dir: string;
let datasetDir: string;
let pool: string;
let browser: Browser;

beforeAll(async () => {
  if (missing) return;
  dir = tempDir('rg-judge-');
  datasetDir = join(dir, 'tiny');
  const queries = new Map(QUERIES.map((q) => [q.id, q]));
  const corpus = new Map(DOCS.map((d) => [d.id, d]));
  const qrels = new Map([
    ['q1', new Map([['d7', 3]])],
    ['q2', new Map([['d8', 0]])],
  ]);
  const manifest = writeDataset(
    datasetDir,
    { queries, corpus, qrels },
    { name: 'tiny', version: '1', description: 'judging page tests', source: 'test', licence: 'CC0-1.0' },
  );
  const items: PoolItem[] = PAIRS.map(([qid, docid], i) => {
    const doc = DOCS.find((d) => d.id === docid) as (typeof DOCS)[number];
    return {
      qid,
      docid,
      query: QUERIES.find((q) => q.id === qid)?.text as string,
      document: { ...(doc.title ? { title: doc.title } : {}), text: doc.text },
      systems: ['bm25'],
      bestRank: i + 1,
    };
  });
  pool = join(dir, 'pool.jsonl');
  writePoolFile(
    pool,
    { dataset: { name: 'tiny', version: '1', digest: manifest.digest }, depth: 10, systems: ['bm25'] },
    items,
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** The acts in a judgments file, as `kind annotator qid/docid grade`. */
function acts(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const act = JSON.parse(line);
      return `${act.kind} ${act.annotator} ${act.qid}/${act.docid}${act.grade === undefined ? '' : ` ${act.grade}`}`;
    });
}

/** Opens an annotator's page; page errors are collected, and any request off the local server is refused. */
async function open(url: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const origin = new URL(url).origin;
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(origin)) return route.continue();
    errors.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('#progress');
  return { page, errors, close: () => context.close() };
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

/** Presses a key and waits until the page shows `progress` (the server answered and the page redrew). */
async function press(
  page: Page,
  key: string,
  until: { progress?: string; act?: string; doc?: string },
): Promise<void> {
  await page.keyboard.press(key);
  if (until.progress) await expect.poll(() => text(page, '#progress')).toBe(until.progress);
  if (until.act) await expect.poll(() => text(page, '#act')).toBe(until.act);
  if (until.doc) await expect.poll(() => text(page, '#document code')).toBe(until.doc);
}

/** One annotator, alice, judging the pool into `judgments` on a free port. */
function aliceServer(judgments: string) {
  return startJudgeServer({
    pool,
    dataset: datasetDir,
    annotators: ['alice'],
    overlap: 0,
    judgments,
    port: 0,
  });
}

describe.skipIf(missing !== undefined)('the judging page in headless Chromium', () => {
  it('judges with the keyboard alone: digits grade, s skips, u undoes, ←/→ move; every act is on disk', async () => {
    const judgments = join(dir, 'keyboard.jsonl');
    const server = await aliceServer(judgments);
    const { page, errors, close } = await open(server.urls.get('alice') as string);
    try {
      expect(await text(page, '#progress')).toBe('0 / 6 graded');
      expect(await text(page, '#query-progress')).toBe(' · query q1: 0 / 2');
      // The query's terms are marked in the document, as text (a long word by its first five letters).
      expect(await page.locator('#doc-text mark').allTextContents()).toEqual([
        'disc',
        'brakes',
        'squeal',
        'squeak',
      ]);
      expect(await page.locator('#doc-title mark').allTextContents()).toEqual(['disc', 'brakes', 'squeak']);
      await press(page, '2', { progress: '1 / 6 graded', doc: 'd3' });
      await press(page, '3', { progress: '2 / 6 graded', doc: 'd2' });
      await press(page, 's', { doc: 'd5' });
      expect(await text(page, '#skipped')).toBe(' (1 skipped)');
      await press(page, 'u', { doc: 'd2', act: 'not judged yet' });
      await press(page, 'ArrowLeft', { doc: 'd3', act: 'graded 3 (perfect)' });
      await press(page, '1', { progress: '2 / 6 graded', doc: 'd2' }); // regraded: still two pairs graded
      await press(page, 'ArrowRight', { doc: 'd5' });
      expect(await text(page, '#times')).toMatch(/^ · last \d+\.\d s, median \d+\.\d s per judgment$/);
      expect(acts(judgments)).toEqual([
        'grade alice q1/d1 2',
        'grade alice q2/d3 3',
        'skip alice q1/d2',
        'undo alice q1/d2',
        'grade alice q2/d3 1',
      ]);
      // Reloading mid-way resumes at the first pair without an act.
      await page.reload();
      await expect.poll(() => text(page, '#document code')).toBe('d2');
      expect(await text(page, '#progress')).toBe('2 / 6 graded');
      expect(errors).toEqual([]);
    } finally {
      await close();
      await server.close();
    }
  });

  it('renders hostile query and document text inert', async () => {
    const judgments = join(dir, 'hostile.jsonl');
    const server = await aliceServer(judgments);
    const { page, errors, close } = await open(server.urls.get('alice') as string);
    try {
      await press(page, 'ArrowRight', { doc: 'd3' });
      await press(page, 'ArrowRight', { doc: 'd2' });
      await press(page, 'ArrowRight', { doc: 'd5' });
      expect(await text(page, '#query .text')).toBe(QUERIES[2]?.text);
      expect(await text(page, '#doc-title')).toBe(PAYLOADS[1]);
      expect(await text(page, '#doc-text')).toBe(DOCS[4]?.text);
      expect(await page.locator('main img, main script').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      await close();
      await server.close();
    }
  });

  it('loses nothing and duplicates nothing when the server is killed mid-way, and resumes after a restart', async () => {
    const judgments = join(dir, 'killed.jsonl');
    const serve = async (): Promise<{ child: ResultPromise; url: string }> => {
      const child = execa(
        process.execPath,
        [
          CLI,
          'judge',
          'serve',
          '--pool',
          pool,
          '--dataset',
          datasetDir,
          '--annotator',
          'alice',
          '--judgments',
          judgments,
          '--port',
          '0',
        ],
        { reject: false, buffer: false },
      );
      const url = await new Promise<string>((found, fail) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /alice: (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(out);
          if (match) found(match[1] as string);
        });
        void child.then((result) => fail(new Error(`judge serve exited: ${String(result.exitCode)}`)));
      });
      return { child, url };
    };
    const first = await serve();
    const one = await open(first.url);
    await press(one.page, '3', { progress: '1 / 6 graded' });
    await press(one.page, '0', { progress: '2 / 6 graded' });
    first.child.kill('SIGKILL');
    await first.child;
    await one.close();
    // A write cut short by the kill leaves a torn last line: it is dropped, never half-read.
    appendFileSync(judgments, '{"kind":"grade","annotator":"alice","po');
    const second = await serve();
    const two = await open(second.url);
    try {
      expect(await text(two.page, '#progress')).toBe('2 / 6 graded');
      expect(await text(two.page, '#document code')).toBe('d2');
      for (const [i, key] of ['1', '2', '3', '0'].entries()) {
        await press(two.page, key, { progress: `${3 + i} / 6 graded` });
      }
      expect(await text(two.page, '#done')).toBe('Every pair assigned to alice has been judged or skipped.');
      await press(two.page, 'ArrowLeft', { doc: 'd6', act: 'graded 0 (not relevant)' }); // back to review
      const logged = acts(judgments);
      expect(logged).toHaveLength(6);
      expect(new Set(logged.map((act) => act.split(' ')[2])).size).toBe(6);
      expect(two.errors).toEqual([]);
    } finally {
      await two.close();
      second.child.kill('SIGTERM');
      await second.child;
    }
  });

  it('gives two annotators their share and the overlap pairs, and shows their kappa', async () => {
    const judgments = join(dir, 'two.jsonl');
    const server = await startJudgeServer({
      pool,
      dataset: datasetDir,
      annotators: ['alice', 'bob'],
      overlap: 0.5,
      judgments,
      port: 0,
    });
    // Overlap 0.5 over six pairs: pairs 1, 3 and 5 go to both; of the rest, 2 and 6 to alice, 4 to bob.
    const alice = await open(server.urls.get('alice') as string);
    const bob = await open(server.urls.get('bob') as string);
    try {
      expect(await text(alice.page, '#progress')).toBe('0 / 5 graded');
      expect(await text(bob.page, '#progress')).toBe('0 / 4 graded');
      const aliceGrades = ['3', '1', '2', '0', '2']; // pairs 1, 2, 3, 5, 6
      for (const [i, key] of aliceGrades.entries())
        await press(alice.page, key, { progress: `${i + 1} / 5 graded` });
      const bobGrades = ['3', '1', '2', '1']; // pairs 1, 3, 4 (his alone) and 5
      for (const [i, key] of bobGrades.entries())
        await press(bob.page, key, { progress: `${i + 1} / 4 graded` });
      // The overlap pairs, alice's grade and bob's: pair 1 (3, 3), pair 3 (2, 1), pair 5 (0, 1).
      const both: [number, number][] = [
        [3, 3],
        [2, 1],
        [0, 1],
      ];
      const expected = `alice and bob: Cohen's κ ${cohenKappa(both, { min: 0, max: 3 })?.toFixed(2)}, weighted for grades ${cohenKappa(both, { min: 0, max: 3 }, 'linear')?.toFixed(2)}, on 3 overlap pairs both graded`;
      await expect.poll(() => text(bob.page, '.agreement')).toBe(expected);
      await alice.page.reload();
      await expect.poll(() => text(alice.page, '.agreement')).toBe(expected);
      expect([...alice.errors, ...bob.errors]).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
      await server.close();
    }
  });
});
