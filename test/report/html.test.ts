import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumMissing, launchChromium, type OpenedReport, openReport } from '../../bench/headless.js';
import { NOT_COMPARED, type ReportSpec, reportDataFromSpec } from '../../bench/report-spec.js';
import { syntheticReportSpec } from '../../bench/synthetic-report.js';
import { renderReportHtml } from '../../src/report/render-html.js';
import { reportAnn } from '../../src/report/report-ann.js';
import type { ReportAnnCheck, ReportData, ReportSystem } from '../../src/report/report-data.types.js';
import type { RuleOutcome, Verdict } from '../../src/results/verdict.js';
import { tempDir } from '../helpers/tmp.js';
import {
  hostileFixture,
  PAYLOADS,
  reportFixture,
  reportSpec,
  SYSTEM_IDS,
  UNJUDGED,
} from './report-fixture.js';
import { sweepRun } from './sweep-run.js';

/** What the tests read of a canvas, in the page (this program runs in Node, without the DOM's types). */
interface Canvas {
  width: number;
  height: number;
  getAttribute(name: string): string | null;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** What the sweep test reads of a chart.js chart, in the page (its global `Chart` is the inlined UMD build). */
interface ChartOf {
  ctx: { fillText(text: string, x: number, y: number): void };
  data: { datasets: { label: string; data: { label: string }[] }[] };
  draw(): void;
}
declare const Chart: { getChart(canvas: unknown): unknown };

/** What the curve test reads of a line chart. */
interface CurveChart {
  scales: { x: { ticks: { value: number }[] } };
  data: { datasets: { borderWidth: number; borderDash: number[] }[] };
  legend: { legendHitBoxes: { left: number; top: number; width: number; height: number }[] };
  isDatasetVisible(i: number): boolean;
}

const SWEEP_IDS = [
  'bm25',
  'hash@hnsw[hnswEf=2]',
  'hash@hnsw[hnswEf=8]',
  'hash@hnsw[hnswEf=64]',
  'hash@hnsw[exact=true]',
];

const missing = chromiumMissing();
if (missing) console.log(`HTML report browser tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)(
  'the HTML report in headless Chromium, opened offline by file://',
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    /** Renders `data`, opens it and runs `check`; the page must raise no error and fetch nothing. */
    async function withReport(
      data: ReportData,
      check: (page: Page) => Promise<void>,
      viewport?: { width: number; height: number },
    ): Promise<void> {
      const file = join(tempDir('rg-html-'), 'report.html');
      writeFileSync(file, renderReportHtml(data));
      await withReportFile(file, check, viewport);
    }

    /** Opens a report file and runs `check`; the page must raise no error and fetch nothing. */
    async function withReportFile(
      file: string,
      check: (page: Page) => Promise<void>,
      viewport?: { width: number; height: number },
    ): Promise<void> {
      const opened: OpenedReport = await openReport(browser, file, viewport);
      try {
        await check(opened.page);
        expect(opened.errors).toEqual([]);
        expect(opened.outbound).toEqual([]);
      } finally {
        await opened.context.close();
      }
    }

    const texts = (page: Page, selector: string): Promise<string[]> =>
      page.locator(selector).allTextContents();
    const firstCells = (page: Page): Promise<string[]> => texts(page, 'tr.query-row td:first-child');
    /** Doc ids of the n-th list of hits in the opened query. */
    const hitDocs = (page: Page, n: number): Promise<string[]> =>
      texts(page, `.hits >> nth=${n} >> tr.hit span.doc`);

    /** Canvases with nothing drawn on them (every pixel transparent), by aria-label. */
    const blankCanvases = (page: Page): Promise<string[]> =>
      page.locator('canvas').evaluateAll((canvases: Canvas[]) =>
        canvases
          .filter((canvas) => {
            const pixels =
              canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return false;
            return true;
          })
          .map((canvas) => canvas.getAttribute('aria-label') ?? ''),
      );

    test('draws every chart: curves, differences, sweep, lift, latency per stage and cost', async () => {
      await withReport(reportFixture(), async (page) => {
        expect(await texts(page, 'figure.chart canvas >> xpath=../../figcaption/strong')).toEqual([
          'Recall@k',
          'Precision@k',
          'Per-query R@5 difference from the baseline',
          'R@5 by embedding dimensions',
          'Reranker lift: hash-512@kb+lexical',
          'Latency per query: embed',
          'Latency per call: embed',
          'Latency per query: search',
          'Latency per call: search',
          'Latency per query: rerank',
          'Latency per query: total',
          'Cost per query',
        ]);
        // No index was checked against exact search: a line says so, where no empty box takes a chart's room.
        expect(await texts(page, '.chart-missing strong')).toEqual(['Recall against search latency']);
        expect(await page.locator('figure.chart:not(:has(canvas))').count()).toBe(0);
        expect(await blankCanvases(page)).toEqual([]);
        expect(await page.locator('figure.chart', { hasText: 'Reranker lift' }).textContent()).toContain(
          "Ceiling: the first stage's R@20 is 1.0000",
        );
        const perCall = await page
          .locator('figure.chart', { hasText: 'Latency per call: search' })
          .textContent();
        expect(perCall).toContain(
          "Each search batch's own time. hash-128@kb p95 4.80 ms over 2 calls of 4 queries",
        );
        const perQuery = await page
          .locator('figure.chart', { hasText: 'Latency per query: search' })
          .textContent();
        expect(perQuery).toContain(
          "a batched call's time ÷ its batch size; the gate's latency rules read these",
        );
      });
    });

    test('charts fill the width, tick k at the usual cutoffs, tell coinciding lines apart and toggle by legend', async () => {
      const data = reportFixture();
      data.curveK = Array.from({ length: 100 }, (_, i) => i + 1);
      const rising = data.curveK.map((k) => Math.min(1, Math.log10(k + 1) / 2));
      for (const system of data.systems) {
        system.curves = { recall: [...rising], precision: rising.map((r) => r / 2) };
        system.costPerQuery = 0; // a free run: no chart of zero bars
      }
      (data.systems[0] as ReportSystem).curves.recall = rising.map((r) => r * 0.8);
      const wide = { width: 1400, height: 900 };
      await withReport(
        data,
        async (page) => {
          // Each row of charts spans its group, the last row too.
          expect(
            await page.locator('#charts .chart-grid').evaluateAll((grids) =>
              grids.map((grid) => {
                const box = grid.getBoundingClientRect();
                const rows = new Map<number, { left: number; right: number }>();
                for (const figure of grid.children) {
                  const r = figure.getBoundingClientRect();
                  const row = rows.get(Math.round(r.top)) ?? { left: r.left, right: r.right };
                  rows.set(Math.round(r.top), {
                    left: Math.min(row.left, r.left),
                    right: Math.max(row.right, r.right),
                  });
                }
                return [...rows.values()].every(
                  (row) => Math.abs(row.left - box.left) < 2 && Math.abs(row.right - box.right) < 2,
                );
              }),
            ),
          ).toEqual(Array(4).fill(true));
          expect(await page.locator('figure.chart', { hasText: 'Cost per query' }).count()).toBe(0);
          expect(await page.textContent('.chart-missing:has-text("Cost per query")')).toContain(
            'every priced system costs 0 per query',
          );
          const recall = page.locator('figure.chart', { hasText: 'Recall@k' });
          expect(await recall.locator('.caption').textContent()).toContain(
            'hash-512@kb+lexical has the same curve as hash-512@kb, so its line lies on that one.',
          );
          const chartState = () =>
            recall.locator('canvas').evaluate((canvas) => {
              const chart = Chart.getChart(canvas) as unknown as CurveChart;
              return {
                ticks: chart.scales.x.ticks.map((tick) => tick.value),
                styles: chart.data.datasets.map((d) => [d.borderWidth, d.borderDash.join(' ')]),
                visible: chart.data.datasets.map((_, i) => chart.isDatasetVisible(i)),
                legend: chart.legend.legendHitBoxes.map((b) => [b.left + b.width / 2, b.top + b.height / 2]),
              };
            });
          const before = await chartState();
          expect(before.ticks).toEqual([1, 5, 10, 20, 50, 100]);
          expect(new Set(before.styles.map((style) => style.join())).size).toBe(3);
          expect(before.visible).toEqual([true, true, true]);
          // A click on the second legend entry hides its line; a second click shows it again. chart.js handles
          // canvas events on the next animation frame, so each state is waited for.
          const visible = async () => (await chartState()).visible;
          const [x, y] = before.legend[1] as [number, number];
          await recall.locator('canvas').click({ position: { x, y } });
          await expect.poll(visible).toEqual([true, false, true]);
          await recall.locator('canvas').click({ position: { x, y } });
          await expect.poll(visible).toEqual([true, true, true]);
        },
        wide,
      );
    });

    test('a sweep run: ANNRecall@10 in the table, and recall and nDCG@10 against p95 search latency, a point per setting', async () => {
      const runDir = await sweepRun();
      await withReportFile(join(runDir, 'report.html'), async (page) => {
        expect(await texts(page, '.measures tbody th .system')).toEqual(SWEEP_IDS);
        const annCells = await texts(page, '.measures td[data-metric="ANNRecall@10"]');
        expect(annCells[0]).toBe('—');
        expect(annCells.slice(1, 4)).toEqual(Array(3).fill(expect.stringMatching(/^[01]\.\d{4}\[/)));
        expect(annCells[4]).toBe('exact');

        const figure = page.locator('figure.chart', { hasText: 'Recall against search latency' });
        expect(await figure.locator('figcaption strong').textContent()).toBe(
          'Recall against search latency: hash on hnsw',
        );
        expect(await figure.locator('.caption').textContent()).toMatch(
          /^hnswEf=2: ANNRecall@10 0\.\d{4}, nDCG@10 0\.\d{4}, p95 [\d.]+ ms; hnswEf=8: .*; hnswEf=64: .*\. Exact search \(star, exact=true\): nDCG@10 0\.\d{4}, p95 [\d.]+ ms\.$/,
        );
        // Each series' points with their settings, and the labels the chart wrote beside them.
        const drawn = await figure.locator('canvas').evaluate((canvas) => {
          const chart = Chart.getChart(canvas) as ChartOf;
          const written: string[] = [];
          const fillText = chart.ctx.fillText.bind(chart.ctx);
          chart.ctx.fillText = (text: string, x: number, y: number) => {
            written.push(text);
            fillText(text, x, y);
          };
          chart.draw();
          return {
            series: chart.data.datasets.map((d) => [d.label, d.data.map((point) => point.label)]),
            written,
          };
        });
        const settings = ['hnswEf=2', 'hnswEf=8', 'hnswEf=64'];
        expect(drawn.series).toEqual([
          ['ANNRecall@10', settings],
          ['ANNRecall@10, exact search', ['exact=true']],
          ['nDCG@10', settings],
          ['nDCG@10, exact search', ['exact=true']],
        ]);
        expect(drawn.written.filter((text) => text.includes('='))).toEqual([...settings, 'exact=true']);
        expect(await blankCanvases(page)).toEqual([]);
      });
    });

    test('a sweep without exact: true is weighed against its ANN check’s exact run; a failed check says so', async () => {
      const data = reportFixture();
      const [low, high, reranked] = data.systems as [ReportSystem, ReportSystem, ReportSystem];
      const { description } = high;
      const checked = (recall: number, sample: { size: number; seed: number } | null): ReportAnnCheck => ({
        status: 'ok',
        k: 5,
        queries: 6,
        sample,
        recall: { 'ANNRecall@10': { value: recall, ciLow: recall - 0.25, ciHigh: recall } },
        exactMeasures: { 'R@5': { value: 0.75, ciLow: null, ciHigh: null } },
        latencyMs: { count: 6, p50: 2, p95: 4, p99: 4, mean: 2, max: 4 },
      });
      Object.assign(low, {
        description: { ...description, index: { ...description.index, search: { efSearch: 8 } } },
        annCheck: checked(0.5, { size: 6, seed: 42 }),
      });
      Object.assign(high, {
        description: { ...description, index: { ...description.index, search: { efSearch: 32 } } },
        annCheck: checked(1, { size: 6, seed: 42 }),
      });
      reranked.annCheck = { status: 'failed', k: 5, queries: 6, sample: null, error: 'timed out' };
      data.ann = reportAnn(data.systems, data.measures[0]);
      await withReport(data, async (page) => {
        expect(await texts(page, '.measures td[data-metric="ANNRecall@10"]')).toEqual([
          '0.5000[0.2500, 0.5000]',
          '1.0000[0.7500, 1.0000]',
          'check failed',
        ]);
        const figure = page.locator('figure.chart', { hasText: 'Recall against search latency' });
        expect(await figure.locator('.caption').textContent()).toMatch(
          /\. Exact search \(star\): the ANN check of hash-128@kb on 6 sampled queries: R@5 0\.7500, p95 4\.00 ms\.$/,
        );
        const labels = await figure
          .locator('canvas')
          .evaluate((canvas) =>
            (Chart.getChart(canvas) as ChartOf).data.datasets.map((d) => d.data.map((point) => point.label)),
          );
        expect(labels).toEqual([
          ['efSearch=8', 'efSearch=32'],
          ['exact'],
          ['efSearch=8', 'efSearch=32'],
          ['exact'],
        ]);
      });
    });

    test('opens with the verdict: fail, with each failing and warning rule in words', async () => {
      await withReport(reportFixture(), async (page) => {
        expect(await page.getAttribute('#verdict', 'data-status')).toBe('fail');
        expect(await page.textContent('#verdict h2')).toBe('Gate failed');
        expect(await texts(page, '#verdict .failing li')).toEqual([
          'hash-128@kb — maxDrop R@5: R@5 dropped 0.2778 (1.0000 → 0.7222, 6 queries), more than the allowed 0.0300, and the drop is significant (p = 0.0310 < 0.05)',
        ]);
        expect(await texts(page, '#verdict .warning li')).toEqual([
          'hash-512@kb+lexical — latency rerank: p95 19.2 ms is above the budget of 15.0 ms',
        ]);
      });
    });

    test('says what was measured: dataset, digest, queries, systems with model, index, collection, reranker', async () => {
      await withReport(reportFixture(), async (page) => {
        const facts = await texts(page, '#facts dd');
        expect(facts).toEqual(
          expect.arrayContaining([
            'bike-repair@1.0.0',
            `sha256:${'0123456789abcdef'.repeat(4)}`,
            '6 judged (the ones evaluated) of 8',
            'retrieval-gate 0.1.0',
            '2026-11-02T10:15:00.000Z',
            'reports/main (run main-41)',
          ]),
        );
        expect(await texts(page, '#systems tbody tr:nth-child(3) > *')).toEqual([
          'hash-512@kb+lexical',
          'hash-512: hashing hashing-ngrams 1, 512 dimensions',
          'kb (qdrant) → kb_2026_10',
          'lexical (lexical, top 20)',
          '5',
          'ok',
        ]);
      });
    });

    test('measures table: mean, CI and difference per cell, coloured by the gate, sortable', async () => {
      await withReport(reportFixture(), async (page) => {
        const cell = (row: number, metric: string) =>
          page.locator(`.measures tbody tr >> nth=${row} >> td[data-metric="${metric}"]`);
        expect(await cell(0, 'R@5').getAttribute('class')).toContain('gate-fail');
        expect(await cell(0, 'R@5').textContent()).toMatch(
          /^0\.7222\[0\.\d{4}, 0\.\d{4}\]Δ −0\.2778 \[−0\.\d{4}, −0\.\d{4}\]$/,
        );
        expect(await cell(1, 'R@5').getAttribute('class')).toContain('gate-pass');
        expect(await cell(2, 'latency.total.p95').getAttribute('class')).toContain('gate-warn');
        expect(await cell(2, 'nDCG@10').getAttribute('class')).not.toContain('gate-');
        // Pairwise tests within the run: on nDCG@10 both 512-dimension systems are significantly higher than
        // hash-128@kb (a) after Holm's correction; on R@5 (p = 0.08 before correcting) nobody is.
        expect(await texts(page, '.measures tbody th .letter')).toEqual([' (a)', ' (b)', ' (c)']);
        expect(await texts(page, '.measures td[data-metric="nDCG@10"] sup.sig')).toEqual(['a', 'a']);
        expect(await cell(0, 'nDCG@10').locator('sup.sig').count()).toBe(0);
        expect(await cell(1, 'nDCG@10').locator('sup.sig').getAttribute('title')).toBe(
          'nDCG@10 significantly higher than hash-128@kb (a, corrected p = 0.0058)',
        );
        expect(await page.locator('.measures td[data-metric="R@5"] sup.sig').count()).toBe(0);
        expect(await page.textContent('.pairwise-note')).toContain(
          'paired t-test, two-sided, over the queries both evaluated; p-values Holm-corrected',
        );
        // The table and every per-query value download as CSV, numbers as stored.
        const downloaded = async (label: string): Promise<string[][]> => {
          const [download] = await Promise.all([
            page.waitForEvent('download'),
            page.click(`button.download:text-is("${label}")`),
          ]);
          const file = await download.path();
          return readFileSync(file, 'utf8')
            .trimEnd()
            .split('\r\n')
            .map((line) => line.split(','));
        };
        const table = await downloaded('Download the table (CSV)');
        const header = table[0] as string[];
        const at = (row: number, column: string) => table[row]?.[header.indexOf(column)];
        expect(header.slice(0, 5)).toEqual(['system', 'status', 'letter', 'R@5', 'R@5 ci low']);
        expect(table.map((row) => row[0])).toEqual(['system', ...SYSTEM_IDS]);
        expect(Number(at(1, 'R@5'))).toBeCloseTo(0.7222, 4);
        expect(Number(at(1, 'R@5 difference'))).toBeCloseTo(-0.2778, 4);
        expect(at(2, 'nDCG@10 significantly higher than')).toBe('hash-128@kb');
        expect(at(2, 'latency total p95 ms')).not.toBe('');
        const perQuery = await downloaded('Download per-query values (CSV)');
        expect(perQuery[0]).toEqual(['query', 'system', 'measure', 'value', 'baseline']);
        expect(perQuery).toHaveLength(1 + 6 * 3 * 4);
        expect(perQuery).toContainEqual(['q05', 'hash-128@kb', 'R@5', '0.3333', '1']);
        expect(perQuery).toContainEqual(['q05', 'hash-512@kb+lexical', 'R@5', '1', '']);
        const order = () => texts(page, '.measures tbody th .system');
        await page.click('.measures thead button:text-is("R@5")');
        expect(await order()).toEqual(['hash-512@kb', 'hash-512@kb+lexical', 'hash-128@kb']);
        await page.click('.measures thead button:text-is("R@5")');
        expect(await order()).toEqual(['hash-128@kb', 'hash-512@kb', 'hash-512@kb+lexical']);
        expect(await page.getAttribute('.measures thead th:nth-child(2)', 'aria-sort')).toBe('ascending');
      });
    });

    test('gate-aware table: the Judged@k a coverage rule judged has a column; Δ is against the system the gate compared with', async () => {
      const spec = reportSpec();
      const verdict = spec.verdict as Verdict;
      verdict.outcomes.push({
        ...NOT_COMPARED,
        rule: 'coverage',
        kind: 'coverage',
        system: 'hash-128@kb',
        metric: 'Judged@5',
        level: 'warn',
        status: 'warn',
        observed: 14 / 30,
        threshold: '≥ 0.8',
        reason: 'only 46.7 % of the top 5 is judged: 16 unjudged documents listed for annotation',
      });
      verdict.outcomes.unshift({
        ...(verdict.outcomes[0] as RuleOutcome),
        rule: 'maxDrop nDCG@10',
        system: 'hash-512@kb+lexical',
        metric: 'nDCG@10',
        baselineSystem: 'hash-512@kb',
        reason: 'nDCG@10 dropped against the baseline of hash-512@kb',
      });
      const data = reportDataFromSpec(spec);
      const [, plain, reranked] = data.systems as [ReportSystem, ReportSystem, ReportSystem];
      const mean = (values: (number | null)[] = []) =>
        values.reduce<number>((sum, v) => sum + (v ?? 0), 0) / values.length;
      const expected =
        mean(reranked.perQuery['nDCG@10']) - mean(plain.baselinePerQuery?.['nDCG@10'] ?? undefined);
      expect(Math.abs(expected)).toBeGreaterThan(0.005); // a real difference, not the Δ ±0 of no comparison
      await withReport(data, async (page) => {
        // Judged@5 of each system's top 5 (hash-128@kb: 14 of its 30 hits are judged), coloured by the rule.
        expect(await texts(page, '.measures thead th')).toContain('Judged@5');
        const judged = await texts(page, '.measures td[data-metric="Judged@5"]');
        expect(judged[0]).toBe('0.4667');
        expect(judged).toHaveLength(3);
        expect(
          await page
            .locator('.measures tbody tr >> nth=0 >> td[data-metric="Judged@5"]')
            .getAttribute('class'),
        ).toContain('gate-warn');
        const cell = page.locator('.measures tbody tr >> nth=2 >> td[data-metric="nDCG@10"]');
        expect(await cell.getAttribute('class')).toContain('gate-fail');
        const delta = (await cell.locator('.delta').textContent()) ?? '';
        expect(delta).toMatch(/^Δ [+−]\d\.\d{4} \[.*\] vs hash-512@kb$/);
        const shown = Number(delta.slice(2, 9).replace('−', '-').replace('+', ''));
        expect(shown).toBeCloseTo(expected, 3);
        // The system's own comparisons are unchanged, and say no "vs".
        const own = page.locator('.measures tbody tr >> nth=0 >> td[data-metric="R@5"] .delta');
        expect(await own.textContent()).toMatch(/^Δ −0\.2778 \[.*\]$/);
        // The drill-down compares the same way, and opens onto that system's baseline hits.
        await page.selectOption('#drilldown select[name="system"]', { label: 'hash-512@kb+lexical' });
        await page.selectOption('#drilldown select[name="measure"]', 'nDCG@10');
        expect(await page.textContent('#drilldown p.note')).toContain(
          'Δ is hash-512@kb+lexical − the baseline of hash-512@kb (as the gate compared) on nDCG@10',
        );
        await page.locator('tr.query-row').first().click();
        expect(await texts(page, '.hits h4')).toEqual(['hash-512@kb+lexical', 'Baseline of hash-512@kb']);
      });
    });

    test('drill-down: worst regressions first; a click opens the query onto its hits beside the baseline', async () => {
      await withReport(reportFixture(), async (page) => {
        expect((await firstCells(page)).slice(0, 3)).toEqual(['▸ q05', '▸ q03', '▸ q06']);
        expect(await page.locator('.detail-row').count()).toBe(0);
        await page.click('tr.query-row[data-index="4"]');
        expect(await texts(page, '.hits h4')).toEqual(['hash-128@kb', 'Baseline of hash-128@kb']);
        expect(await hitDocs(page, 0)).toEqual([
          'chain-lube',
          'chain-wear',
          'bottom-bracket',
          'headset-play',
          'torque-specs',
        ]);
        // Each hit with its title and the start of its text; a long text expands and folds back.
        const chainWear = page.locator('.hits >> nth=0 >> tr.hit >> nth=1');
        expect(await chainWear.locator('.doc-title').textContent()).toBe('Measuring chain wear');
        const text = chainWear.locator('.doc-text');
        const start = 'A worn chain skips and wears the cassette. Use a chain checker: at 0.5 % stretch';
        expect(await text.textContent()).toMatch(new RegExp(`^${start}.{30,}…$`));
        expect((await text.textContent())?.length).toBe(120);
        await chainWear.locator('button.more').click();
        expect((await text.textContent())?.length).toBe(300); // all the report keeps of it
        expect(await chainWear.locator('button.more').getAttribute('aria-expanded')).toBe('true');
        await chainWear.locator('button.more').click();
        expect((await text.textContent())?.length).toBe(120);
        expect(await page.locator('.detail-row').count()).toBe(1); // the button did not fold the query
        // A document without a title shows its text only.
        const headset = page.locator('.hits >> nth=0 >> tr.hit >> nth=3');
        expect(await headset.locator('.doc-title').count()).toBe(0);
        expect(await headset.locator('.doc-text').textContent()).toBe(
          'Rock the bike with the front brake on; a knock means play.',
        );
        expect(await texts(page, '.hits >> nth=0 >> .judgment')).toEqual([
          'judged not relevant',
          'relevant (grade 1)',
          'unjudged',
          'unjudged',
          'unjudged',
        ]);
        expect(await page.textContent('.hits >> nth=0 >> .missed')).toBe(
          'Relevant, not in this top 5: gear-indexing (grade 2), derailleur-hanger (grade 2)',
        );
        expect(await page.textContent('.hits >> nth=0 >> .meta')).toBe('R@5 0.3333 · latency 1.43 ms');
        expect(await hitDocs(page, 1)).toEqual([
          'gear-indexing',
          'derailleur-hanger',
          'chain-wear',
          'chain-lube',
          'bottom-bracket',
        ]);
        // Against the compared system instead: the reranked one, whose reranker scores show.
        await page.selectOption('select[name="compared-with"]', { label: SYSTEM_IDS[2] as string });
        await page.selectOption('select[name="difference-from"]', 'system');
        expect(await texts(page, '.hits h4')).toEqual(['hash-128@kb', 'hash-512@kb+lexical']);
        expect(await hitDocs(page, 1)).toEqual([
          'derailleur-hanger',
          'gear-indexing',
          'chain-wear',
          'chain-lube',
          'bottom-bracket',
        ]);
        expect(await texts(page, '.hits >> nth=1 >> thead th')).toContain('Reranker score');
        // Scores print as stored, without padding zeros; the hit shows its title and text.
        expect(await texts(page, '.hits >> nth=1 >> tr.hit >> nth=0 >> td')).toEqual([
          '1',
          'derailleur-hangerA bent derailleur hangerA bent hanger makes gears skip.',
          '0.82',
          '11.4',
          'relevant (grade 2)',
        ]);
        await page.click('tr.query-row[data-index="4"]');
        expect(await page.locator('.detail-row').count()).toBe(0);
      });
    });

    test('drill-down: a hit whose text or title a large report left out for size says so, as text', async () => {
      const data = reportFixture();
      const texts = [...(data.docTexts ?? [])];
      const [chainWear, chainLube] = ['chain-wear', 'chain-lube'].map((id) => data.docs.indexOf(id));
      texts[chainWear as number] = ['<b>Measuring chain wear</b>'];
      texts[chainLube as number] = 0;
      await withReport({ ...data, docTexts: texts }, async (page) => {
        await page.click('tr.query-row[data-index="4"]');
        const hit = (rank: number) => page.locator(`.hits >> nth=0 >> tr.hit >> nth=${rank} >> td.hit-doc`);
        expect(await hit(0).textContent()).toBe('chain-lubetitle and text left out to keep the report small');
        expect(await hit(1).locator('.doc-title').textContent()).toBe('<b>Measuring chain wear</b>');
        expect(await hit(1).locator('.doc-left-out').textContent()).toBe(
          'text left out to keep the report small',
        );
        expect(await hit(1).locator('.doc-text, button.more, b').count()).toBe(0);
      });
    });

    test('drill-down: search by text or id, sort by any column, choose the measure', async () => {
      await withReport(reportFixture(), async (page) => {
        await page.fill('input.search', 'TYRE');
        expect(await firstCells(page)).toEqual(['▸ q03']);
        await page.fill('input.search', 'q0');
        expect(await page.locator('tr.query-row').count()).toBe(6);
        await page.click('table.queries thead button:text-is("Query")');
        expect(await firstCells(page)).toEqual(['▸ q01', '▸ q02', '▸ q03', '▸ q04', '▸ q05', '▸ q06']);
        await page.selectOption('#drilldown select[name="measure"]', 'RR');
        expect(await page.textContent('#drilldown p.note')).toContain('on RR');
        expect(await texts(page, 'table.queries thead th')).toEqual([
          'Query',
          'Text',
          ...SYSTEM_IDS,
          'Baseline',
          'Δ',
        ]);
      });
    });

    test('lists the unjudged (query, document) pairs to send for annotation', async () => {
      await withReport(reportFixture(), async (page) => {
        await page.click('button.collect');
        const list = await page.inputValue('.unjudged textarea');
        expect(list.split('\n')).toEqual(['qid\tdocid', ...UNJUDGED.map(([qid, doc]) => `${qid}\t${doc}`)]);
        expect(await page.textContent('.unjudged-output p')).toContain('17 (query, document) pairs');
        await page.click('button.copy');
        await expect.poll(() => page.textContent('.unjudged .status')).not.toBe('');
      });
    });

    test('without a baseline or a gate: no verdict, a note instead of the histogram, differences between systems', async () => {
      const spec: ReportSpec = reportSpec();
      spec.baseline = null;
      spec.verdict = null;
      for (const system of spec.systems) delete system.baseline;
      await withReport(reportDataFromSpec(spec), async (page) => {
        expect(await page.textContent('#verdict h2')).toBe('Not gated');
        expect(await page.textContent('#charts .chart-missing >> nth=0')).toContain('No baseline');
        expect(await page.locator('figure.chart', { hasText: 'difference from the baseline' }).count()).toBe(
          0,
        );
        expect(await blankCanvases(page)).toEqual([]);
        expect(await page.locator('select[name="difference-from"]').count()).toBe(0);
        expect(await page.textContent('#drilldown p.note')).toContain(
          'Δ is hash-128@kb − hash-512@kb on R@5',
        );
        expect((await firstCells(page)).slice(0, 3)).toEqual(['▸ q05', '▸ q03', '▸ q06']);
        await page.click('tr.query-row[data-index="4"]');
        expect(await texts(page, '.hits h4')).toEqual(['hash-128@kb', 'hash-512@kb']);
      });
    });

    test('a failed system shows its error and stays out of the charts and the drill-down', async () => {
      const spec = reportSpec();
      spec.systems.push({
        ...(spec.systems[0] as ReportSpec['systems'][number]),
        id: '=broken@kb', // read as a formula by a spreadsheet, were it written as it is
        error: 'command exited 1: <b>Traceback</b>',
        hits: [],
        latencyMs: {},
      });
      await withReport(reportDataFromSpec(spec), async (page) => {
        expect(await page.textContent('#systems tbody tr:nth-child(4) td:last-child')).toBe(
          'failed: command exited 1: <b>Traceback</b>',
        );
        expect(await texts(page, '.measures tbody tr.failed td')).toEqual(['—', '—', '—', '—', '—', '—']);
        expect(await blankCanvases(page)).toEqual([]);
        expect(await page.locator('select[name="system"] option').count()).toBe(3);
        // In the CSV, its row says it failed, and its id cannot run as a formula.
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.click('button.download:text-is("Download the table (CSV)")'),
        ]);
        const rows = readFileSync(await download.path(), 'utf8')
          .trimEnd()
          .split('\r\n');
        expect(rows[4]).toMatch(/^'=broken@kb,failed,,,/);
      });
    });

    test('pages through 500 queries 50 rows at a time', async () => {
      await withReport(reportDataFromSpec(syntheticReportSpec(500, 3)), async (page) => {
        expect(await page.locator('tr.query-row').count()).toBe(50);
        expect(await page.textContent('.pager .range')).toBe(' Queries 1–50 of 500 ');
        await page.click('.pager button.next');
        expect(await page.textContent('.pager .range')).toBe(' Queries 51–100 of 500 ');
        await page.fill('input.search', 'q00012');
        expect((await firstCells(page)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `▸ q00012${i}`));
        expect(await page.textContent('.pager .range')).toBe(' Queries 1–10 of 10 (matching, of 500) ');
        expect(await page.locator('.pager button.next').isDisabled()).toBe(true);
        expect(await blankCanvases(page)).toEqual([]);
      });
    });

    test('bidirectional override characters in ids and texts are shown as marks, never obeyed', async () => {
      const spec = reportSpec();
      const spoof = 'D\u202Eevil\u202Cgnp.exe';
      spec.dataset.name = spoof;
      spec.queries = spec.queries.map((query, i) => (i === 0 ? { ...query, text: `read ${spoof}` } : query));
      await withReport(reportDataFromSpec(spec), async (page) => {
        await page.locator('tr.query-row').first().click();
        const shown = await page.locator('body').innerText();
        expect(shown).toContain('D⟨U+202E⟩evil⟨U+202C⟩gnp.exe');
        expect(shown).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
        expect(await page.title()).toContain('D⟨U+202E⟩evil⟨U+202C⟩gnp.exe');
      });
    });

    test('hostile strings in ids, texts and names render as text and run nothing', async () => {
      await withReport(hostileFixture(), async (page) => {
        for (const row of await page.locator('tr.query-row').all()) await row.click();
        await page.click('button.collect');
        const shown = await page.locator('body').innerText();
        for (const payload of PAYLOADS) expect(shown).toContain(payload);
        expect(await page.title()).toContain(PAYLOADS[0]);
        expect(await page.inputValue('.unjudged textarea')).toContain(PAYLOADS[1]);
        expect(await page.locator('ul.warnings li').first().innerText()).toContain(
          `collection lacks ${PAYLOADS[5]}`,
        );
        expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
        expect(await page.locator('img').count()).toBe(0);
        expect(await page.locator('script').count()).toBe(3);
      });
    });
  },
);
