import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { revealBidi, revealBidiDeep } from '../visible-text.js';
import { type AuditSection, auditSection } from './audit-markdown.js';
import { jsonForScript } from './json-script.js';
import { pageData } from './page-data.js';
import { linkPageScript } from './page-script.js';
import type { ReportData } from './report-data.types.js';
import { type ReviewSection, reviewSection } from './report-review.js';

/** What every page's head receives (templates/partials/page-head.hbs): the CSS is inlined raw, the rest escaped. */
export interface PageHead {
  tool: string;
  contentSecurityPolicy: string;
  css: string;
}

/**
 * What the template receives: a few header strings, a migration review's and an index audit's sections (all
 * escaped by `{{ }}`), and the page's own assets.
 */
interface PageContext extends PageHead {
  title: string;
  generatedAt: string;
  review: ReviewSection | null;
  audit: AuditSection | null;
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
let handlebars: typeof Handlebars | undefined;

/**
 * The report as one self-contained HTML file: it must open offline from a CI artifact (`file://`), so
 * chart.js, the page's script and its CSS are inlined and nothing is fetched. The data travels as JSON in a
 * `<script type="application/json">` block and the page builds every element from it with textContent, so
 * no string of the data is ever parsed as markup or as a template. A migration review's and an index
 * audit's sections are the exceptions drawn by the template itself (they are read and signed off, so they
 * show without JavaScript too), through Handlebars' escaping `{{ }}` only.
 */
export function renderReportHtml(data: ReportData): string {
  assets ??= loadAssets();
  const { template, css, chartJs, script } = assets;
  return template({
    title: revealBidi(`${data.dataset.name}@${data.dataset.version} · run ${data.run.id}`),
    tool: `${data.tool.name} ${data.tool.version}`,
    generatedAt: data.generatedAt,
    // The sections the template draws show user text; the rest is drawn by the page script, which reveals it too.
    review: data.review ? revealBidiDeep(reviewSection(data.review)) : null,
    audit: data.audit ? revealBidiDeep(auditSection(data.audit)) : null,
    contentSecurityPolicy: contentSecurityPolicy([chartJs, script]),
    css,
    chartJs,
    script,
    json: jsonForScript(pageData(data)),
  });
}

/** Read once per process, from beside this module (src/ under tests, dist/src/ once built). */
function loadAssets(): PageAssets {
  return {
    template: compilePage<PageContext>('report.hbs'),
    css: pageCss(),
    chartJs: inlineable(readChartJs(), 'script', 'chart.js'),
    script: inlineable(linkPageScript(join(HERE, 'page'), 'main.js'), 'script', 'the page script'),
  };
}

/**
 * A page template of templates/, compiled strict (a field it names must be there). Its partials are those
 * of templates/partials/ (the head, the sections' facts and tables), shared by every page.
 */
export function compilePage<T>(file: string): Handlebars.TemplateDelegate<T> {
  handlebars ??= withPartials();
  return handlebars.compile<T>(readFileSync(join(HERE, 'templates', file), 'utf8'), { strict: true });
}

function withPartials(): typeof Handlebars {
  const instance = Handlebars.create();
  const dir = join(HERE, 'templates', 'partials');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.hbs'))) {
    instance.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
  }
  return instance;
}

/** The one stylesheet of every page, inlined. */
export function pageCss(): string {
  return inlineable(readFileSync(join(HERE, 'page', 'report.css'), 'utf8'), 'style', 'report.css');
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
 * Only the page's own scripts may run (by hash; none at all without any), and nothing may be fetched: a
 * string that somehow became markup still could not run code or call out (defence in depth; a page never
 * parses data as HTML).
 */
export function contentSecurityPolicy(scripts: string[]): string {
  const hashes = scripts.map((text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`);
  return `default-src 'none'; script-src ${hashes.length > 0 ? hashes.join(' ') : "'none'"}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}
