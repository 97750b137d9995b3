import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { jsonForScript } from '../../src/report/json-script.js';
import { pageData } from '../../src/report/page-data.js';
import { linkPageScript } from '../../src/report/page-script.js';
import { renderReportHtml } from '../../src/report/render-html.js';
import { tempDir } from '../helpers/tmp.js';
import { hostileFixture } from './report-fixture.js';

/** The entities Handlebars writes for &, <, >, ", ', ` and =. */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return text.replace(
    /&(?:#x([0-9a-f]+)|(\w+));/gi,
    (entity, hex: string | undefined, name: string | undefined) =>
      hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : (named[name as string] ?? entity),
  );
}

const BLOCK = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/;

describe('jsonForScript', () => {
  test('cannot be broken out of: no <, > or & left, and JSON.parse gives the value back', () => {
    const value = {
      text: '</script><!--<script>x</script>-->',
      and: 'a & b',
      lines: 'a\u2028b\u2029c',
      n: [1, null],
    };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e\\u003c!--');
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('renderReportHtml', () => {
  test('embeds the data in one JSON block that ends where it should and parses back to the data', () => {
    const data = hostileFixture();
    const html = renderReportHtml(data);
    const block = BLOCK.exec(html)?.[1] as string;
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toEqual(pageData(data)); // the page's scores.js turns its scores back
    expect(html.match(/<\/script/gi)).toHaveLength(3); // the data, chart.js, the page script
  });

  test('writes header strings through escaped Handlebars expressions only', () => {
    const html = renderReportHtml(hostileFixture());
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] as string;
    expect(decodeEntities(title)).toBe(
      'Retrieval report: <script>window.__pwned=1</script>@1.0.0 · run </script><script>window.__pwned=1</script>',
    );
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).not.toMatch(/<(script|img)/);
  });

  test('is self-contained: chart.js inlined, no URL to fetch, scripts allowed only by their hashes', () => {
    const html = renderReportHtml(hostileFixture());
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<(script|link|img)[^>]*\s(src|href)=/i);
    expect(html).not.toContain('sourceMappingURL');
    const policy = decodeEntities(
      /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] as string,
    );
    const scripts = [...html.matchAll(/<script(?: type="module")?>([\s\S]*?)<\/script>/g)].map(
      (m) => m[1] as string,
    );
    expect(scripts).toHaveLength(2);
    for (const script of scripts) {
      expect(policy).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    }
    expect(policy).toContain("default-src 'none'");
  });
});

describe('linkPageScript', () => {
  const write = (dir: string, files: Record<string, string>): void => {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  };

  test('places each module after what it imports, once, without import lines or export keywords', () => {
    const dir = tempDir('rg-page-');
    write(dir, {
      'main.js': "import { a } from './a.js';\nimport {\n  b,\n} from './b.js';\n\nconsole.log(a(), b);\n",
      'a.js': "import { b } from './b.js';\n\nexport function a() {\n  return b;\n}\n",
      'b.js': 'export const b = 1;\n',
    });
    expect(linkPageScript(dir, 'main.js')).toBe(
      '// b.js\nconst b = 1;\n\n// a.js\n\nfunction a() {\n  return b;\n}\n\n// main.js\n\nconsole.log(a(), b);\n',
    );
  });

  test('refuses imports it cannot inline and cycles', () => {
    const dir = tempDir('rg-page-');
    write(dir, {
      'bare.js': "import { x } from 'chart.js';\n",
      'default.js': 'export default 1;\n',
      'one.js': "import { two } from './two.js';\nexport const one = 1;\n",
      'two.js': "import { one } from './one.js';\nexport const two = 2;\n",
    });
    expect(() => linkPageScript(dir, 'bare.js')).toThrow(
      "bare.js: page modules may only import each other by name: import { x } from 'chart.js';",
    );
    expect(() => linkPageScript(dir, 'default.js')).toThrow('export default 1;');
    expect(() => linkPageScript(dir, 'one.js')).toThrow('page modules import each other in a cycle: one.js');
  });
});
