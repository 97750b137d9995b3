import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonForScript } from './json-script.js';
import { linkPageScript } from './page-script.js';
import { contentSecurityPolicy } from './render-html.js';

const PAGE = join(dirname(fileURLToPath(import.meta.url)), 'page');

/** What the judging page is told when it loads; the rest it asks the local server for. */
export interface JudgePageSettings {
  pool: string;
  dataset: string;
  annotators: string[];
}

/**
 * The judging page: one self-contained document whose script draws every query and document as text (the
 * report's `el`), talks only to the server that served it, and runs only by its hash.
 */
export function renderJudgePage(settings: JudgePageSettings): {
  html: string;
  contentSecurityPolicy: string;
} {
  const script = linkPageScript(PAGE, 'judge.js');
  const css = readFileSync(join(PAGE, 'judge.css'), 'utf8');
  if (/<\/script|<!--/i.test(script) || /<\/style/i.test(css))
    throw new Error('the judging page cannot be inlined');
  const policy = `${contentSecurityPolicy([script])}; connect-src 'self'`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Judging — retrieval-gate</title>
<style>${css}</style>
</head>
<body>
<script type="application/json" id="judging-settings">${jsonForScript(settings)}</script>
<main id="judging" aria-live="polite"></main>
<script type="module">${script}</script>
</body>
</html>
`;
  return { html, contentSecurityPolicy: policy };
}
