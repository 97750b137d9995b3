import { beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/render-html.js';
import type { ReportData } from '../../src/report/report-data.types.js';
import { reportMarkdown } from '../../src/report/report-markdown.js';
import { writeReviewFile } from '../../src/results/review.js';
import { runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';
import { rendered, tableAfter } from './markdown-table.js';
import { PAYLOADS, reportFixture } from './report-fixture.js';
import { HOSTILE_QUERY, PIPE_DOC, reviewFixture } from './review-fixture.js';
import { runFolderReport } from './run-folder-report.js';

const reviewed = (): ReportData => ({ ...reportFixture(), review: reviewFixture() });

describe('the review section in report.md', () => {
  const markdown = reportMarkdown(reviewed());

  it('comes first, with the headline and what was reviewed', () => {
    expect(markdown.startsWith('## May we switch? — ❌ fail\n')).toBe(true);
    expect(markdown.indexOf('## May we switch?')).toBeLessThan(markdown.indexOf('retrieval-gate report'));
    for (const fact of [
      '- **Systems**: hash-128@kb (live) → hash-512@kb-next (candidate)',
      '- **Alias**: kb',
      '- **Targets**: kb\\_2026\\_10 (live) → kb\\_2026\\_11 (candidate)',
      '- **Store**: qdrant at http\\://localhost:6333',
      '- **Reviewed at**: 2026-11-23T10:00:00.000Z',
      '- **Dataset**: bike-repair\\@1.0.0 (sha256:0123456789ab…)',
      '- **Unjudged sample**: 200 queries of traffic.jsonl (sha256 333333333333…)',
      '- **Config**: retrieval-gate.yaml (sha256 111111111111…)',
      '- **Policy**: gates/cutover.yaml (sha256 222222222222…)',
    ]) {
      expect(markdown).toContain(fact);
    }
    expect(markdown).toContain('see the gate below');
  });

  it('shows agreement, the worst queries, completeness, both sides and the build', () => {
    expect(tableAfter(markdown, 'queries')).toEqual([
      ['judged', '10', '6', '0.8500', '0.8333'],
      ['unjudged sample', '10', '200', '0.9125', '0.9400'],
    ]);
    const [worst] = tableAfter(markdown, 'query');
    expect(worst?.map(rendered)).toEqual([
      'q05',
      HOSTILE_QUERY,
      '0.4000',
      '❌ no',
      'gear-indexing, derailleur-hanger, chain-wear',
      `${PIPE_DOC}, chain-wear, gear-indexing`,
    ]);
    expect(tableAfter(markdown, 'documents').map((row) => row.map(rendered))).toEqual([
      ['in the corpus', '120', ''],
      ['indexed', '118', ''],
      ['missing from the index', '2', 'wheel-truing, spoke-tension'],
      ['extra: not in the corpus', '0', '—'],
      ['stale: embedded from other text', '1', PIPE_DOC],
      ['no text digest: staleness unknown', '0', ''],
    ]);
    const sides = new Map(tableAfter(markdown, '').map(([field, ...both]) => [field, both.map(rendered)]));
    expect(sides.get('searched')).toEqual(['kb → kb_2026_10', 'kb_2026_11']);
    expect(sides.get('ready')).toEqual(['✅ yes', '❌ no']);
    expect(sides.get('readiness problems')).toEqual(['—', 'kb_2026_11 is still indexing']);
    expect(sides.get('compatibility warnings')).toEqual(['—', 'the build record names no tokenizer']);
    expect(sides.get('build record')).toEqual(['sha256 aaaaaaaaaaaa…', 'sha256 bbbbbbbbbbbb…']);
    expect(tableAfter(markdown, 'documents | tokens')).toEqual([
      ['118', '45210', '0.000904', '12.3 s', '2026-11-22T18:00:00.000Z'],
    ]);
  });

  it('renders the query text and a doc id with a pipe inert', () => {
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(markdown).toContain('chain\\|lube');
    expect(tableAfter(markdown, 'query')[0]).toHaveLength(6);
  });

  it('says what was not measured', () => {
    const review = { ...reviewFixture(), agreement: [], completeness: null, build: null };
    const text = reportMarkdown({ ...reportFixture(), review });
    expect(text).toContain('_No agreement was measured: a system failed before answering._');
    expect(text).toContain('_The dataset has no corpus: completeness was not checked._');
    expect(text).not.toContain('index’s build');
  });
});

/** The tags the review section is made of: once they are removed, any `<` left came from the data. */
const SECTION_TAGS = /<\/?(?:section|div|h2|h3|dl|dt|dd|p|a|table|thead|tbody|tr|th|td)\b[^<>]*>/g;

function reviewHtml(data: ReportData): string {
  const html = renderReportHtml(data);
  const start = html.indexOf('<section id="review"');
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('<section id="verdict"'));
}

describe('the review section in report.html', () => {
  it('is drawn before the gate, with the figures, by the template', () => {
    const section = reviewHtml(reviewed());
    expect(section).toContain('<div class="verdict fail" data-status="fail">');
    expect(section).toContain('May we switch? — ❌ fail');
    expect(section).toContain('<a href="#verdict">see the gate below</a>');
    expect(section).toContain('<dt>Alias</dt><dd>kb</dd>');
    expect(section).toContain('<td class="number">0.8333</td>');
    expect(section).toContain('<td class="doc">wheel-truing, spoke-tension</td>');
    expect(section).toContain('<td class="number">12.3 s</td>');
  });

  it('escapes the query text and ids, so no data becomes markup', () => {
    const section = reviewHtml(reviewed());
    expect(section).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(section).toContain(PIPE_DOC);
    expect(section.replace(SECTION_TAGS, '')).not.toContain('<');
  });

  it('keeps hostile strings in every field inert, and the page to its three scripts', () => {
    const review = reviewFixture();
    const payload = (i: number) => PAYLOADS[i % PAYLOADS.length] as string;
    review.live.system = payload(0);
    review.candidate.target = payload(1);
    review.candidate.readiness.problems = [payload(2)];
    review.config.file = payload(3);
    const worst = review.agreement[0]?.worst[0];
    if (worst) Object.assign(worst, { qid: payload(4), text: payload(5), live: [payload(0)] });
    const data = { ...reportFixture(), review };
    const html = renderReportHtml(data);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(reviewHtml(data).replace(SECTION_TAGS, '')).not.toContain('<');
  });
});

describe('a run folder with and without review.json', () => {
  let dir: string;
  const report = (): ReportData => runFolderReport(dir);

  beforeAll(async () => {
    dir = await runExample(tempDir(), 'plain', ['bm25']);
  });

  it('gets no section without one, and the review when it holds one', () => {
    const plain = report();
    expect('review' in plain).toBe(false);
    expect(reportMarkdown(plain)).not.toContain('May we switch?');
    expect(renderReportHtml(plain)).not.toContain('id="review"');

    writeReviewFile(dir, reviewFixture());
    expect(report().review).toEqual(reviewFixture());
  });
});
