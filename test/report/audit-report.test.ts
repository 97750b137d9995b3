import { beforeAll, describe, expect, it } from 'vitest';
import { auditMarkdown } from '../../src/report/audit-markdown.js';
import { renderAuditHtml } from '../../src/report/render-audit-html.js';
import { renderReportHtml } from '../../src/report/render-html.js';
import type { ReportData } from '../../src/report/report-data.types.js';
import { reportMarkdown } from '../../src/report/report-markdown.js';
import { type AuditFile, writeAuditFile } from '../../src/results/audit.js';
import { writeReviewFile } from '../../src/results/review.js';
import { runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';
import { auditFixture, HOSTILE_ID, PIPE_ID } from './audit-fixture.js';
import { cells, rendered, tableAfter } from './markdown-table.js';
import { PAYLOADS, reportFixture } from './report-fixture.js';
import { reviewFixture } from './review-fixture.js';
import { runFolderReport } from './run-folder-report.js';

describe('audit.md', () => {
  const markdown = auditMarkdown(auditFixture());

  it('opens with the completeness and what was audited against what', () => {
    expect(markdown.startsWith('## Index audit: 97.4 % complete\n')).toBe(true);
    for (const fact of [
      '- **Index**: kb: kb-live → kb\\_2026\\_11',
      '- **Store**: qdrant at http\\://localhost:6333',
      '- **Against**: articles (postgres table public.articles)',
      '- **Rows**: 1010 in the source (1000 live, 10 deleted), 978 points in the index',
      '- **Audited at**: 2026-11-23T12:00:00.000Z',
    ]) {
      expect(markdown).toContain(fact);
    }
  });

  it('counts each inconsistency with its share of the live rows', () => {
    expect(tableAfter(markdown, 'documents')).toEqual([
      ['missing: live rows with no point', '25', '2.5 %'],
      ['orphaned: points of no live row', '1', '0.1 %'],
      ['stale: embedded from older content', '1', '0.1 %'],
      ['foreign: embedded by another model', '1', '0.1 %'],
      ['no content digest: staleness unknown', '3', '0.3 %'],
      ['no model recorded: foreignness unknown', '0', '0.0 %'],
    ]);
  });

  it('dates the oldest unresolved and the newest unindexed document', () => {
    expect(tableAfter(markdown, '').map((row) => row.map(rendered))).toEqual([
      ['oldest unresolved', HOSTILE_ID, '2026-11-22T06:00:00.000Z', '30.0 h'],
      ['newest unindexed', 'wheel-truing', '2026-11-23T11:45:00.000Z', '15 min'],
    ]);
  });

  it('lists the first 20 of each list, says where the rest is, and gives the figures', () => {
    expect(markdown).toContain('### Missing (25, the first 20 shown)');
    expect(markdown).toContain('audit.json holds the full lists');
    expect(markdown).not.toContain('doc-20');
    expect(markdown).toContain('### Orphaned (1)');
    expect(markdown).toContain('| spoke-tension | 42 | — | embedded with hashing:hash-64 |');
    expect(tableAfter(markdown, 'duration')).toEqual([['2.3 s', '4210', '3891', '188 MB']]);
  });

  it('renders hostile ids inert', () => {
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const orphan = markdown.split('\n').find((line) => line.startsWith('| chain'));
    expect(cells(orphan ?? '').map(rendered)).toEqual([
      PIPE_ID,
      '17',
      '2026-11-21T12:00:00.000Z',
      'soft-deleted in the source',
    ]);
  });

  it('says when nothing waits and leaves out empty lists and absent figures', () => {
    const clean: AuditFile = {
      ...auditFixture(),
      counts: { missing: 0, orphaned: 0, stale: 0, foreign: 0, unknownDigest: 0, unknownModel: 0 },
      completeness: 1,
      oldestUnresolved: null,
      newestUnindexed: null,
      lists: { missing: [], orphaned: [], stale: [], foreign: [] },
    };
    // A hand-written audit.json may lack the figures: the schema does not require them.
    Reflect.deleteProperty(clean, 'figures');
    const text = auditMarkdown(clean);
    expect(text).toContain('## Index audit: 100.0 % complete');
    expect(text).toContain('_Nothing: no document is missing or stale._');
    expect(text).not.toContain('audit.json holds');
    expect(text).not.toContain('### Missing');
    expect(text).toContain('_audit.json records no figures._');
  });

  it('never rounds an incomplete index up to 100 %', () => {
    expect(auditMarkdown({ ...auditFixture(), completeness: 0.9999 })).toContain('99.9 % complete');
  });
});

/** The tags the audit section is made of: once they are removed, any `<` left came from the data. */
const SECTION_TAGS = /<\/?(?:section|div|h2|h3|dl|dt|dd|p|table|thead|tbody|tr|th|td)\b[^<>]*>/g;

function auditHtml(html: string): string {
  const start = html.indexOf('<section id="audit"');
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The fixture with a script-running payload in every string from the source and the index. */
function hostileAudit(): AuditFile {
  const audit = auditFixture();
  const payload = (i: number) => PAYLOADS[i % PAYLOADS.length] as string;
  Object.assign(audit.index, { alias: payload(0), target: payload(1), where: payload(2) });
  Object.assign(audit.source, { name: payload(3), description: payload(4) });
  audit.lists.orphaned = [{ id: payload(5), pointId: payload(0), updatedAt: null, reason: payload(1) }];
  audit.lists.missing.forEach((item, i) => {
    item.id = payload(i);
  });
  return audit;
}

describe('audit.html', () => {
  const html = renderAuditHtml(auditFixture());

  it('shows the section, escaping ids', () => {
    const section = auditHtml(html);
    expect(section).toContain('<h2 id="audit-headline">Index audit: 97.4 % complete</h2>');
    expect(section).toContain('<dt>Against</dt><dd>articles (postgres table public.articles)</dd>');
    expect(section).toContain('<td class="doc">&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</td>');
    expect(section).toContain(`<td class="doc">${PIPE_ID}</td>`);
    expect(section).toContain('<td class="number">188 MB</td>');
    expect(section.replace(SECTION_TAGS, '')).not.toContain('<');
  });

  it('is self-contained: the CSS inlined, nothing to fetch, and no script may run', () => {
    expect(html).toContain('<style>/* The report');
    expect(html).toContain("script-src 'none'".replace(/'/g, '&#x27;'));
    expect(html).not.toMatch(/<script|<link|\s(?:src|href)=|url\(/i);
    // The store's address is the one URL on the page, and only as text.
    expect(html.match(/https?:\/\/[^\s<"]*/g)).toEqual(['http://localhost:6333']);
  });

  it('keeps hostile strings in every field inert', () => {
    const page = renderAuditHtml(hostileAudit());
    expect(page).not.toMatch(/<script|<img|<!--/i);
    expect(page).not.toContain('__pwned=1"');
    expect(auditHtml(page).replace(SECTION_TAGS, '')).not.toContain('<');
  });
});

describe('the audit section in the run report', () => {
  const audited = (): ReportData => ({ ...reportFixture(), review: reviewFixture(), audit: auditFixture() });

  it('comes after the migration review and before the gate, in report.md', () => {
    const markdown = reportMarkdown(audited());
    const [review, audit, gate] = ['## May we switch?', '## Index audit', 'retrieval-gate report'].map((s) =>
      markdown.indexOf(s),
    );
    expect(review).toBe(0);
    expect(audit).toBeGreaterThan(review as number);
    expect(gate).toBeGreaterThan(audit as number);
    expect(markdown).toContain(auditMarkdown(auditFixture()));
  });

  it('comes after the migration review and before the gate, in report.html, escaped', () => {
    const data = { ...audited(), audit: hostileAudit() };
    const html = renderReportHtml(data);
    const [review, audit, gate] = [
      '<section id="review"',
      '<section id="audit"',
      '<section id="verdict"',
    ].map((s) => html.indexOf(s));
    expect(review).toBeGreaterThan(0);
    expect(audit).toBeGreaterThan(review as number);
    expect(gate).toBeGreaterThan(audit as number);
    expect(auditHtml(html).replace(SECTION_TAGS, '')).not.toContain('<');
    // The report's own three scripts only: none came from the audit.
    expect(html.match(/<\/script/gi)).toHaveLength(3);
  });
});

describe('a run folder with and without audit.json', () => {
  let dir: string;
  const report = (): ReportData => runFolderReport(dir);

  beforeAll(async () => {
    dir = await runExample(tempDir(), 'plain', ['bm25']);
  });

  it('gets no section without one, and the audit when it holds one', () => {
    const plain = report();
    expect('audit' in plain).toBe(false);
    expect(reportMarkdown(plain)).not.toContain('Index audit');
    expect(renderReportHtml(plain)).not.toContain('id="audit"');

    writeAuditFile(dir, auditFixture());
    writeReviewFile(dir, reviewFixture());
    const audited = report();
    expect(audited.audit).toEqual(auditFixture());
    const markdown = reportMarkdown(audited);
    expect(markdown).toContain(auditMarkdown(auditFixture()));
    expect(markdown.indexOf('## Index audit')).toBeGreaterThan(markdown.indexOf('## May we switch?'));
    expect(renderReportHtml(audited)).toContain('<section id="audit"');
  });
});
