import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/evaluation/compare-runs.js';
import type { EvaluationFile, RunResult } from '../../src/evaluation/types.js';
import { formatComparison } from '../../src/report/compare-tables.js';
import { gateMarkdown, inert } from '../../src/report/gate-markdown.js';
import { reportMarkdown } from '../../src/report/report-markdown.js';
import type { Verdict } from '../../src/results/verdict.js';
import { auditFixture } from './audit-fixture.js';
import { reportFixture } from './report-fixture.js';
import { reviewFixture } from './review-fixture.js';
import { verdictFixture } from './verdict-fixture.js';

/** What GitHub-flavoured Markdown makes of a writer's output: the HTML a CI summary or a PR comment shows. */
const gfm = (markdown: string): string => marked.parse(markdown, { gfm: true, async: false });

/** Ids and texts a GFM renderer would turn into links: a `name@version`, an address, a URL, a www. name. */
const LINKY = ['te3-small@notes.v2', 'ops@example.com', 'https://e.test/x', 'www.example.com'];

function linkyVerdict(): Verdict {
  const verdict = verdictFixture();
  const failing = verdict.outcomes.findIndex((o) => o.status === 'fail');
  return {
    ...verdict,
    outcomes: verdict.outcomes.map((o, i) =>
      i === failing ? { ...o, system: LINKY[0] ?? '', reason: `see ${LINKY.join(' and ')}` } : o,
    ),
    warnings: [...verdict.warnings, `asked ${LINKY[1]}, read ${LINKY[2]}`],
  };
}

describe('Markdown outputs rendered as GitHub-flavoured Markdown', () => {
  it('make no link of an id, an address or a URL in user text, and show each as written', () => {
    for (const text of LINKY) {
      const html = gfm(inert(text));
      expect(html).not.toMatch(/<a |mailto:/);
      expect(html.trim()).toBe(`<p>${text}</p>`);
    }
  });

  it('gate.md: no autolinks anywhere, ids read as written', () => {
    const html = gfm(gateMarkdown(linkyVerdict()));
    expect(html).not.toMatch(/<a |mailto:/);
    expect(html).toContain('bike-repair@1.0.0');
    expect(html).toContain('te3-small@notes.v2');
  });

  it('report.md with a review and an audit: no autolinks anywhere', () => {
    const html = gfm(reportMarkdown({ ...reportFixture(), review: reviewFixture(), audit: auditFixture() }));
    expect(html).not.toMatch(/<a |mailto:/);
    expect(html).toContain('bike-repair@1.0.0');
  });

  it("compare's Markdown table: no autolinks of run names or the dataset", () => {
    const qids = ['q1', 'q2', 'q3', 'q4'];
    const run = (name: string, values: number[]): RunResult => ({
      name,
      runId: name,
      file: { name: `${name}.trec`, sha256: '0' },
      queriesEvaluated: qids.length,
      measures: { 'nDCG@10': { value: 0.5, ciLow: 0.4, ciHigh: 0.6 } },
      missingQueries: [],
      unjudgedQueries: 0,
      perQuery: { qids, values: { 'nDCG@10': values } },
    });
    const evaluation: EvaluationFile = {
      schemaVersion: 1,
      kind: 'evaluation',
      tool: { name: 'retrieval-gate', version: '0' },
      dataset: { name: 'bike-repair', version: '1.0.0', digest: 'sha256:0', queries: 4, judgedQueries: 4 },
      settings: {
        measures: ['nDCG@10'],
        relevanceLevel: 1,
        missingQueries: 'zero',
        bootstrap: { samples: 100, confidence: 0.95, seed: 1 },
      },
      runs: [run(LINKY[0] ?? '', [0.9, 0.8, 0.7, 0.9]), run(LINKY[3] ?? '', [0.1, 0.2, 0.3, 0.2])],
    };
    const options = { test: 't', correction: 'holm', alpha: 0.05, samples: 100, seed: 1 } as const;
    const html = gfm(formatComparison(compareRuns(evaluation, options), 'markdown'));
    expect(html).not.toMatch(/<a |mailto:/);
    expect(html).toContain('bike-repair@1.0.0');
    expect(html).toContain('te3-small@notes.v2');
  });

  it('gate.md leads with the verdict and the failing and warning rules; the rest is folded', () => {
    const markdown = gateMarkdown(linkyVerdict());
    const top = markdown.split('<details>')[0] ?? '';
    // The headline, the counts and one line per failing or warning outcome (2 failures, 1 warning), blank-separated.
    expect(top.trim().split('\n')).toHaveLength(7);
    expect(top).not.toContain('| system |');
    const lines = top.split('\n').filter((line) => line.startsWith('- '));
    expect(lines.map((line) => line.split(' ')[1])).toEqual(['❌', '❌', '⚠️']);
    expect(lines[0]).toContain('te3-small\\@notes.v2 · maxDrop nDCG@10 (Δ -0.0500 [-0.0800, -0.0200])');
    const html = gfm(markdown);
    for (const title of [
      'All rule outcomes (6)',
      'Detectable effects (2)',
      'Warnings (2)',
      'Unjudged documents (55)',
    ])
      expect(html).toContain(`<details><summary>${title}</summary>`);
    // Markdown inside the folds still renders: the outcome table is a table.
    expect(html).toMatch(/<details><summary>All rule outcomes \(6\)<\/summary>\s*<table>/);
  });

  it('lists at most 10 flagged rules at the top and counts the rest', () => {
    const verdict = verdictFixture();
    const failing = verdict.outcomes.find((o) => o.status === 'fail');
    if (!failing) throw new Error('the fixture has a failure');
    const many = Array.from({ length: 13 }, (_, i) => ({ ...failing, system: `s${i}` }));
    const top = gateMarkdown({ ...verdict, outcomes: many }).split('<details>')[0] ?? '';
    expect(top.split('\n').filter((line) => line.startsWith('- ❌'))).toHaveLength(10);
    expect(top).toContain('- … and 3 more in the table below.');
  });
});
