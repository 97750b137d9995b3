import { describe, expect, it } from 'vitest';
import { inert } from '../../src/report/gate-markdown.js';
import type { ReportData, ReportSystem } from '../../src/report/report-data.types.js';
import { reportMarkdown } from '../../src/report/report-markdown.js';
import { rendered, tableAfter } from './markdown-table.js';
import { CRASH_REASON, HOSTILE, verdictFixture } from './verdict-fixture.js';

/** A query text that would break a table row, open HTML, make a link and emphasis, over two lines. */
const HOSTILE_TEXT =
  'why does my *chain* | skip? [x](http://e.test) <img src=x onerror=alert(1)> `rm`\nsecond line';

const QUERIES = Array.from({ length: 12 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`);

/** An ok system measured on every query; `perQuery` gives its nDCG@10 per query (R@5 is 0.5 throughout). */
function okSystem(id: string, nDCG: (number | null)[], gate: ReportSystem['gate'] = {}): ReportSystem {
  return {
    id,
    status: 'ok',
    error: null,
    warnings: [],
    description: {
      model: null,
      index: { alias: 'bm25', kind: 'bm25', resolved: null },
      reranker: null,
      k: 10,
    },
    measures: {
      'nDCG@10': { value: 0.41, ciLow: 0.35, ciHigh: 0.47 },
      'R@5': { value: 0.5, ciLow: 0.45, ciHigh: 0.55 },
    },
    vsBaseline: {
      'nDCG@10': { difference: -0.05, ciLow: -0.08, ciHigh: -0.02 },
      'R@5': { difference: 0, ciLow: 0, ciHigh: 0 },
    },
    gate,
    perQuery: { 'nDCG@10': nDCG, 'R@5': QUERIES.map(() => 0.5) },
    baselinePerQuery: { 'nDCG@10': QUERIES.map(() => 1), 'R@5': QUERIES.map(() => 0.5) },
    curves: { recall: [0.5], precision: [0.5] },
    lift: null,
    latencyMs: {},
    batchLatencyMs: {},
    batchSizes: { embed: [], search: [] },
    costPerQuery: null,
    hits: { docs: [], scores: [], rerank: [], latencyMs: [] },
  };
}

/**
 * Every drop is a multiple of 1/16 (exact in binary). The hostile system gets worse on every query, by
 * 1, 15/16, 14/16…; bm25 only on q03, by 1 (a tie with the hostile system's q01), and has no value for q05.
 */
function reportFixture(): ReportData {
  const verdict = verdictFixture();
  return {
    schemaVersion: 1,
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    generatedAt: '2026-11-23T10:00:00.000Z',
    run: { id: 'pr-7', startedAt: null, finishedAt: null },
    dataset: { ...verdict.dataset, queries: 12 },
    measures: ['nDCG@10', 'R@5'],
    verdict: { status: 'fail', policy: 'gates/default.yaml', outcomes: verdict.outcomes, warnings: [] },
    baseline: { source: 'git:origin/main:gates/baselines/main.json', runId: 'main-41' },
    queries: { ids: QUERIES, texts: QUERIES.map((id, i) => (i === 0 ? HOSTILE_TEXT : `text of ${id}`)) },
    docs: [],
    judgments: QUERIES.map(() => []),
    curveK: [1],
    systems: [
      okSystem(
        HOSTILE,
        QUERIES.map((_, i) => i / 16),
        { 'nDCG@10': 'fail' },
      ),
      okSystem(
        'bm25',
        QUERIES.map((id) => (id === 'q03' ? 0 : id === 'q05' ? null : 1)),
      ),
      {
        ...okSystem('broken', []),
        status: 'failed',
        error: CRASH_REASON,
        measures: {},
        vsBaseline: null,
        perQuery: {},
        baselinePerQuery: null,
      },
    ],
  };
}

describe('reportMarkdown', () => {
  const markdown = reportMarkdown(reportFixture());

  it("starts with the gate's verdict, then the run, the dataset, the baseline and the gate's counts", () => {
    const [title, , summary] = markdown.split('\n');
    expect(title).toBe('## ❌ fail · retrieval-gate report');
    expect(summary).toBe(
      'Run pr-7 on dataset bike-repair\\@1.0.0 (sha256:0123456789ab…, 40 judged queries) · ' +
        'baseline git:origin/main:gates/baselines/main.json (run main-41) · ' +
        'gate **2 failed · 1 warned · 3 passed**, policy gates/default.yaml',
    );
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('has one row per system: mean [CI] and Δ vs the baseline per measure, behind the gate sign', () => {
    const rows = tableAfter(markdown, 'system');
    const header = markdown.split('\n').find((line) => line.startsWith('| system |'));
    expect(header).toBe('| system | nDCG@10 | Δ nDCG@10 | R@5 | Δ R@5 |');
    expect(rows[0]).toEqual([
      'a\\|b&lt;script&gt;',
      '❌ 0.4100 [0.3500, 0.4700]',
      '-0.0500 [-0.0800, -0.0200]',
      '0.5000 [0.4500, 0.5500]',
      '+0.0000 [+0.0000, +0.0000]',
    ]);
    expect(rows[1]?.[1]).toBe('0.4100 [0.3500, 0.4700]');
    const broken = rows[2] ?? [];
    expect(broken).toHaveLength(5);
    expect(broken.slice(2)).toEqual(['—', '—', '—']);
    // The error's first line, cut to 100 characters, inert.
    expect(rendered(broken[1] ?? '')).toBe(`❌ failed: ${CRASH_REASON.split('\r\n')[0]?.slice(0, 99)}…`);
  });

  it("names the system a Δ is against when the gate compared with another one (a rule's baselineSystem)", () => {
    const data = reportFixture();
    const [first] = data.systems;
    if (first?.vsBaseline)
      first.vsBaseline['nDCG@10'] = { difference: -0.0085, ciLow: -0.02, ciHigh: 0.003, against: 'bm25' };
    const [row] = tableAfter(reportMarkdown(data), 'system');
    expect(row?.[2]).toBe('-0.0085 [-0.0200, +0.0030] vs bm25');
    expect(row?.[4]).toBe('+0.0000 [+0.0000, +0.0000]');
  });

  it('lists the 10 largest per-query drops on the headline measure, largest first, ties by query', () => {
    const section = markdown.split('### Largest per-query regressions on nDCG@10')[1] ?? '';
    const rows = tableAfter(section, 'query');
    expect(rows.map((row) => `${row[0]} ${row[2]} ${rendered(row[3] ?? '')}`)).toEqual([
      `q01 1.0000 → 0.0000 ${HOSTILE}`,
      'q03 1.0000 → 0.0000 bm25',
      `q02 1.0000 → 0.0625 ${HOSTILE}`,
      `q03 1.0000 → 0.1250 ${HOSTILE}`,
      `q04 1.0000 → 0.1875 ${HOSTILE}`,
      `q05 1.0000 → 0.2500 ${HOSTILE}`,
      `q06 1.0000 → 0.3125 ${HOSTILE}`,
      `q07 1.0000 → 0.3750 ${HOSTILE}`,
      `q08 1.0000 → 0.4375 ${HOSTILE}`,
      `q09 1.0000 → 0.5000 ${HOSTILE}`,
    ]);
    expect(rows[2]?.[1]).toBe('text of q02');
    expect(section).toContain('… and 3 more in the HTML report.');
  });

  it('renders user text inert: no HTML, no link, no broken row, and it reads back as written', () => {
    expect(markdown).not.toMatch(/<script>|<img|(?<!\\)\]\(/); // no tag, no unescaped link
    const rows = tableAfter(markdown.split('### Largest')[1] ?? '', 'query');
    const text = rows[0]?.[1] ?? '';
    expect(text).toContain('\\*chain\\* \\| skip? \\[x\\](http\\://e.test) &lt;img');
    expect(rendered(text)).toBe(HOSTILE_TEXT.split('\n')[0]);
    for (const row of rows) expect(row).toHaveLength(4);
  });

  it("lists each system's warnings under the table, inert", () => {
    const fixture = reportFixture();
    const [first, ...rest] = fixture.systems as [ReportSystem, ...ReportSystem[]];
    const warned = reportMarkdown({
      ...fixture,
      systems: [
        { ...first, warnings: ['collection <b>docs</b> lacks 1 judged-relevant documents: d025'] },
        ...rest,
      ],
    });
    expect(warned).toContain(
      `- ⚠️ ${inert(HOSTILE)}: collection &lt;b&gt;docs&lt;/b&gt; lacks 1 judged-relevant documents: d025`,
    );
    expect(markdown).not.toContain('⚠️ ');
  });

  it('without a verdict or a baseline: no verdict, no Δ columns, no regressions', () => {
    const plain = reportMarkdown({ ...reportFixture(), verdict: null, baseline: null });
    expect(plain.split('\n')[0]).toBe('## retrieval-gate report');
    expect(plain).toContain('· no baseline\n');
    expect(plain).toContain('| system | nDCG@10 | R@5 |');
    expect(plain).not.toContain('Δ');
    expect(plain).not.toContain('###');
  });

  it('says so when no query got worse', () => {
    const fixture = reportFixture();
    const same = reportMarkdown({
      ...fixture,
      systems: fixture.systems.map((s) => ({ ...s, perQuery: s.baselinePerQuery ?? {} })),
    });
    expect(same).toContain('_No query got worse than in the baseline._');
  });
});
