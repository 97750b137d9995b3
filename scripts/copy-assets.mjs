// Copies the non-TypeScript files the code loads at run time (JSON Schemas, templates, and the HTML report
// page's browser code and CSS, which tsc must not compile) next to the compiled modules, so dist/src mirrors src.
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const ASSET = /\.(schema\.json|hbs|css)$|^src\/report\/page\/[\w-]+\.js$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (ASSET.test(path.split(sep).join('/'))) {
      const target = join('dist', 'src', relative('src', path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}

walk('src');
