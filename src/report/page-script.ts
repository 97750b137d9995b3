import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `import { a, b } from './file.js';` — the only import form page modules use (names may wrap lines). */
const IMPORT = /^import\s*\{[^}]*\}\s*from\s*'\.\/([\w-]+\.js)';[ \t]*\n?/gm;
const EXPORT = /^export (?=(?:async )?function\b|const\b|class\b)/gm;

/**
 * The report page's browser code as one script. The page's modules (src/report/page/*.js) are ES modules so
 * that editors and the linter follow their imports; a report inlines them into a single `<script
 * type="module">` (a `file://` page cannot load sibling files, and there is no bundler in the build): each
 * module is placed after the modules it imports, without its import lines and `export` keywords. All of them
 * then share one module scope, so a top-level name declared in two modules is a syntax error the browser
 * tests catch.
 */
export function linkPageScript(dir: string, entry: string): string {
  const placed = new Set<string>();
  const parts: string[] = [];
  const place = (file: string, importedBy: string[]): void => {
    if (importedBy.includes(file)) throw new Error(`page modules import each other in a cycle: ${file}`);
    if (placed.has(file)) return;
    const source = readFileSync(join(dir, file), 'utf8');
    for (const [, dependency] of source.matchAll(IMPORT)) place(dependency as string, [...importedBy, file]);
    const body = source.replace(IMPORT, '').replace(EXPORT, '');
    const stray = /^(?:import|export)\b.*$/m.exec(body);
    if (stray) throw new Error(`${file}: page modules may only import each other by name: ${stray[0]}`);
    placed.add(file);
    parts.push(`// ${file}\n${body}`);
  };
  place(entry, []);
  return parts.join('\n');
}
