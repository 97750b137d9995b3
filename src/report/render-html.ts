import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { jsonForScript } from './json-script.js';
import { linkPageScript } from './page-script.js';
import type { ReportData } from './report-data.types.js';
import { type ReviewSection, reviewSection } from './report-review.js';

/**
 * What the template receives: a few header strings and a migration review's section (all escaped by
 * `{{ }}`), and the page's own assets.
 */
interface PageContext {
  title: string;
  tool: string;
  generatedAt: string;
  review: ReviewSection | null;
  contentSecurityPolicy: string;
  css: string;
  chartJs: string;
  script: string;
  json: string;
}

interface PageAssets {
  template: Handlebars.TemplateDelegate<PageContext>;
  css: string;
  chartJs: string;
  script: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));

let assets: PageAssets | undefined;

/**
 * The report as one self-contained HTML file: it must open offline from a CI artifact (`file://`), so
 * chart.js, the page's script and its CSS are inlined and nothing is fetched. The data travels as JSON in a
 * `<script type="application/json">` block and the page builds every element from it with textContent, so
 * no string of the data is ever parsed as markup or as a template. A migration review's section is the one
 * exception drawn by the template itself (it is read and signed off, so it shows without JavaScript too),
 * through Handlebars' escaping `{{ }}` only.
 */
export function renderReportHtml(data: ReportData): string {
  assets ??= loadAssets();
  const { template, css, chartJs, script } = assets;
  return template({
    title: `${data.dataset.name}@${data.dataset.version} · run ${data.run.id}`,
    tool: `${data.tool.name} ${data.tool.version}`,
    generatedAt: data.generatedAt,
    review: data.review ? reviewSection(data.review) : null,
    contentSecurityPolicy: contentSecurityPolicy([chartJs, script]),
    css,
    chartJs,
    script,
    json: jsonForScript(data),
  });
}

/** Read once per process, from beside this module (src/ under tests, dist/src/ once built). */
function loadAssets(): PageAssets {
  const handlebars = Handlebars.create();
  const source = readFileSync(join(HERE, 'templates', 'report.hbs'), 'utf8');
  return {
    template: handlebars.compile<PageContext>(source, { strict: true }),
    css: inlineable(readFileSync(join(HERE, 'page', 'report.css'), 'utf8'), 'style', 'report.css'),
    chartJs: inlineable(readChartJs(), 'script', 'chart.js'),
    script: inlineable(linkPageScript(join(HERE, 'page'), 'main.js'), 'script', 'the page script'),
  };
}

/**
 * chart.js's UMD build (it sets `window.Chart` when run as a classic script). Its file is not in the
 * package's `exports`, so it is found beside the entry point that is. The source-map comment is dropped: the
 * map is not inlined and a devtools request for it would be the page's only attempt to fetch something.
 */
function readChartJs(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const umd = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  return umd.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** Guards the raw (`{{{ }}}`) inlining of our own assets: text that would end its element early is a bug. */
function inlineable(text: string, element: 'script' | 'style', what: string): string {
  const breakout = new RegExp(`</${element}|<!--`, 'i');
  if (breakout.test(text)) throw new Error(`${what} cannot be inlined: it contains </${element} or <!--`);
  return text;
}

/**
 * Only the page's own two scripts may run (by hash), and nothing may be fetched: a string that somehow
 * became markup still could not run code or call out (defence in depth; the page never parses data as HTML).
 */
function contentSecurityPolicy(scripts: string[]): string {
  const hashes = scripts.map((text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`);
  return `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}
