import { describe, expect, it } from 'vitest';
import { cut } from '../../src/report/clip.js';
import {
  DOC_TEXT_KEPT,
  docsByRank,
  oneLineStart,
  reportDocTexts,
  TEXT_BUDGET,
  utf8Length,
} from '../../src/report/doc-texts.js';
import type { DocText, ReportSystem } from '../../src/report/report-data.types.js';

const TEXT = 'word '.repeat(100);

/** `count` documents d0… with a title of a few words and a text longer than the report keeps. */
function corpusOf(count: number): { ids: string[]; corpus: Map<string, { title: string; text: string }> } {
  const ids = Array.from({ length: count }, (_, i) => `d${i}`);
  return { ids, corpus: new Map(ids.map((id) => [id, { title: `Title of ${id}`, text: TEXT }])) };
}

/** What each entry keeps: 2 (title and text), 1 (title), 0 (neither), null (nothing to keep). */
const kept = (entry: DocText): number | null => (entry === null || entry === 0 ? entry : entry.length);

describe('docsByRank', () => {
  it("orders the shown documents by rank first: every list's first hit, then every list's second", () => {
    const system = (docs: number[][], baseline?: number[][]): ReportSystem =>
      ({
        hits: { docs },
        ...(baseline ? { baselineHits: { docs: baseline } } : {}),
      }) as ReportSystem;
    const systems = [
      system(
        [
          [0, 1, 2],
          [3, 4],
        ],
        [[5, 0], []],
      ),
      system([[1, 6], [7]]),
    ];
    // Rank 1: q0's lists (0, 5 of the baseline, 1), q1's (3, 7); rank 2: 1 seen, 0 seen, 6, 4; rank 3: 2.
    expect(docsByRank(systems)).toEqual([0, 5, 1, 3, 7, 6, 4, 2]);
  });
});

describe('oneLineStart', () => {
  it('is the whole text made one line and cut, whatever white space or astral characters meet the start', () => {
    const whole = (text: string, width: number) => cut(text.replace(/\s+/g, ' ').trim(), width);
    const width = 10;
    const crafted = [
      '',
      '   ',
      `${' '.repeat(25)}word`,
      `${'a'.repeat(19)}  \n\t  b`,
      `${'a'.repeat(10)}${' '.repeat(10)}${'b'.repeat(5)}`,
      `${'a'.repeat(11)}${' '.repeat(9)}`,
      `${'a'.repeat(8)}😀${'b'.repeat(20)}`,
      `${'a'.repeat(19)}😀 tail`,
      'a '.repeat(40),
    ];
    // Seeded texts of letters, spaces, line breaks and astral characters around twice the width.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const parts = ['a', 'b', ' ', '  ', '\n', '\t', '😀', 'é'];
    const seeded = Array.from({ length: 2000 }, () =>
      Array.from(
        { length: 10 + Math.floor(next() * 30) },
        () => parts[Math.floor(next() * parts.length)],
      ).join(''),
    );
    for (const text of [...crafted, ...seeded]) expect(oneLineStart(text, width)).toBe(whole(text, width));
  });
});

describe('reportDocTexts', () => {
  it("keeps every shown hit's title and 300-character start in a report of a few hundred queries", () => {
    // 300 queries × 4 lists × 10 hits, no two alike: the most documents such a report shows.
    const { ids, corpus } = corpusOf(12_000);
    const texts = reportDocTexts(ids, [...ids.keys()], corpus, TEXT_BUDGET);
    for (const [i, entry] of texts.entries()) {
      expect(entry).toEqual([`Title of d${i}`, `${TEXT.slice(0, DOC_TEXT_KEPT - 1)}…`]);
    }
  });

  it('spends the budget on the first documents of the order: titles first, within a third, then texts', () => {
    const { ids, corpus } = corpusOf(1000);
    const order = [...ids.keys()].reverse(); // the last document is the one a reader meets first
    const budget = 20_000;
    const texts = reportDocTexts(ids, order, corpus, budget);
    const levels = order.map((i) => kept(texts[i] as DocText));
    // Each document keeps no more than the one before it: texts, then titles alone, then nothing.
    const full = levels.filter((level) => level === 2).length;
    const titled = levels.filter((level) => level === 1).length;
    expect(full).toBeGreaterThan(0);
    expect(titled).toBeGreaterThan(0);
    expect(levels).toEqual([
      ...Array(full).fill(2),
      ...Array(titled).fill(1),
      ...Array(1000 - full - titled).fill(0),
    ]);
    // The budget holds: the JSON beyond a 0 for each document is within it, its titles within a third.
    const beyondZeros = utf8Length(JSON.stringify(texts)) - JSON.stringify(texts.map(() => 0)).length;
    expect(beyondZeros).toBeLessThanOrEqual(budget);
    expect(beyondZeros).toBeGreaterThan(budget - 310); // one more text (303 bytes) would not have fitted
    const titles = JSON.stringify(texts.map((entry) => (entry ? [entry[0]] : 0))).length;
    expect(titles - JSON.stringify(texts.map(() => 0)).length).toBeLessThanOrEqual(budget / 3);
    expect(texts[999]).toEqual(['Title of d999', `${TEXT.slice(0, DOC_TEXT_KEPT - 1)}…`]);
    expect(texts[0]).toBe(0);
  });

  it('counts what escapes, CJK and astral characters take in the JSON against the budget', () => {
    const kinds = ['plain words', 'a "quoted" \\ word', '中文字符', 'a😀b', 'ctrl\u0001char', 'é…'];
    const ids = Array.from({ length: 600 }, (_, i) => `d${i}`);
    const corpus = new Map(
      ids.map((id, i) => [
        id,
        { title: kinds[i % 6] as string, text: (kinds[(i + 1) % 6] as string).repeat(20) },
      ]),
    );
    const budget = 40_000;
    const texts = reportDocTexts(ids, [...ids.keys()], corpus, budget);
    expect(texts.filter((entry) => kept(entry) === 2).length).toBeGreaterThan(0);
    expect(texts.filter((entry) => kept(entry) !== 2).length).toBeGreaterThan(0);
    const beyondZeros = utf8Length(JSON.stringify(texts)) - JSON.stringify(texts.map(() => 0)).length;
    expect(beyondZeros).toBeLessThanOrEqual(budget);
    expect(beyondZeros).toBeGreaterThan(budget - 1000); // one more text (under 1 kB) would not have fitted
  });

  it('keeps every title and text that fit in all, even where the titles are the longer part', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `d${i}`);
    const corpus = new Map(ids.map((id) => [id, { title: 'T'.repeat(150), text: 'short text' }]));
    const texts = reportDocTexts(ids, [...ids.keys()], corpus, 100 * 180);
    expect(texts.map(kept)).toEqual(Array(100).fill(2));
  });

  it('keeps nothing for documents no hit shows or the corpus lacks, and nothing at all without a budget', () => {
    const { ids, corpus } = corpusOf(3);
    const texts = reportDocTexts([...ids, 'missing'], [2, 3, 0], corpus, TEXT_BUDGET);
    expect(texts.map(kept)).toEqual([2, null, 2, null]);
    expect(reportDocTexts(ids, [0, 1], corpus, 0)).toEqual([0, 0, null]);
    // Runs of white space are one space: a hit's text is read on one line.
    const spaced = new Map([['d', { title: ' A\n title ', text: 'one\t\ttwo\n' }]]);
    expect(reportDocTexts(['d'], [0], spaced, TEXT_BUDGET)).toEqual([['A title', 'one two']]);
  });
});

describe('utf8Length', () => {
  it('counts the bytes the report file takes, as UTF-8 writes them', () => {
    for (const text of ['', 'plain', 'é…', '中文', 'a😀b', '\u07ff\u0800']) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});
