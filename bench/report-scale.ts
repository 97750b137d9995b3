import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pageData } from '../src/report/page-data.js';
import { renderReportHtml } from '../src/report/render-html.js';
import type { ReportData } from '../src/report/report-data.types.js';
import { chromiumMissing, launchChromium, openReport } from './headless.js';
import { reportDataFromSpec } from './report-spec.js';
import { syntheticReportSpec } from './synthetic-report.js';

/**
 * Does the HTML report hold a large evaluation? 10,000 queries × 4 systems (10 hits each, ~5 judgments per
 * query, every chart's data), rendered to one file and opened in headless Chromium by file://. Targets: the
 * file under 10 MB (it is a CI artifact people download), and the page drawn in under 2 s from navigation
 * start (the page's own clock, body[data-render-ms]; wall time around goto + wait is printed too).
 */
export const name = 'report-scale';

const QUERIES = 10_000;
const SEED = 7;

export async function run(): Promise<void> {
  let start = performance.now();
  const data = reportDataFromSpec(syntheticReportSpec(QUERIES, SEED));
  const synthesized = performance.now() - start;
  start = performance.now();
  const html = renderReportHtml(data);
  const rendered = performance.now() - start;
  const megabytes = Buffer.byteLength(html) / 1e6;
  console.log(
    `${QUERIES.toLocaleString('en')} queries × ${data.systems.length} systems, ${data.docs.length.toLocaleString('en')} distinct docs (synthesized in ${(synthesized / 1000).toFixed(1)} s)`,
  );
  console.log(
    `HTML: ${megabytes.toFixed(2)} MB (target < 10 MB), written by renderReportHtml in ${rendered.toFixed(0)} ms`,
  );
  console.log(`  of which: ${breakdown(data)}`);
  const missing = chromiumMissing();
  if (missing) {
    console.log(`browser render: skipped, ${missing}`);
    return;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'rg-bench-report-')), 'report.html');
  writeFileSync(file, html);
  const browser = await launchChromium();
  try {
    const times: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const wallStart = performance.now();
      const opened = await openReport(browser, file);
      const wall = performance.now() - wallStart;
      const rows = await opened.page.locator('tr.query-row').count();
      if (opened.errors.length > 0 || opened.outbound.length > 0) {
        throw new Error(`the page failed: ${[...opened.errors, ...opened.outbound].join('; ')}`);
      }
      times.push(
        `${(opened.renderMs / 1000).toFixed(2)} s drawn (${(wall / 1000).toFixed(2)} s wall, ${rows} query rows in the DOM)`,
      );
      await opened.context.close();
    }
    console.log(`headless Chromium, 3 loads: ${times.join('; ')} (target < 2 s)`);
  } finally {
    await browser.close();
  }
}

/** Where the bytes go: the parts of the embedded JSON worth shrinking first. */
function breakdown(data: ReportData): string {
  const mb = (value: unknown): string => `${(JSON.stringify(value).length / 1e6).toFixed(2)} MB`;
  const unreranked = data.systems.filter((system) => system.lift === null);
  const hits = (pageData(data) as { systems: { hits: unknown }[] }).systems.map((system) => system.hits);
  return [
    `hits ${mb(hits)} (scores as integers over a power of ten; the rerank lists of the ${unreranked.length} systems without a reranker, empty: ${mb(unreranked.map((system) => system.hits.rerank))})`,
    `per-query values ${mb(data.systems.map((system) => [system.perQuery, system.baselinePerQuery]))}`,
    `doc ids ${mb(data.docs)}`,
    `hits' titles and texts ${mb(data.docTexts ?? [])} (${kept(data.docTexts ?? [])})`,
    `pairwise tests ${mb(data.pairwise ?? null)}`,
    `query ids and texts ${mb(data.queries)}`,
    `judgments ${mb(data.judgments)}`,
  ].join(', ');
}

/** How many shown documents kept a title and text, a title only, or their id only (the texts' budget). */
function kept(texts: NonNullable<ReportData['docTexts']>): string {
  const count = (level: number): string =>
    texts.filter((entry) => (entry === 0 ? 0 : (entry?.length ?? -1)) === level).length.toLocaleString('en');
  return `${count(2)} documents with text, ${count(1)} with a title only, ${count(0)} with their id only`;
}
