import { UserError } from '../../errors.js';
import { schemaProblem } from '../../schemas.js';
import { readUtf8File } from '../../utf8.js';
import { parseCsv } from '../csv.js';
import { parseJsonLine } from '../json-text.js';
import { type Route, type RouteItem, routeItemChecker } from '../route-dataset.js';

/**
 * Reads labelled utterances for a route dataset: a CSV with a header naming `text` and `route` (and `id`,
 * optional) columns, or JSONL lines `{"id", "text", "route"}`. An empty route cell (or a JSON null) means no
 * route fits: the fallback is right. Utterances without an id are numbered u1, u2, … in file order.
 */
export function readLabelledUtterances(
  path: string,
  routes: readonly Route[],
  routesFile: string,
): RouteItem[] {
  const check = routeItemChecker(routes, routesFile);
  const items = /\.csv$/i.test(path) ? readCsv(path) : readJsonlUtterances(path);
  for (const { item, line, field } of items) check(item, { file: path, line, ...(field ? { field } : {}) });
  if (items.length === 0) throw new UserError('the file has no utterances', { file: path });
  return items.map(({ item }) => item);
}

interface Located {
  item: RouteItem;
  line: number;
  field?: string;
}

function readCsv(path: string): Located[] {
  const [header, ...rows] = parseCsv(readUtf8File(path), path);
  if (!header) return [];
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const column = (name: string): number => names.indexOf(name);
  const [idAt, textAt, routeAt] = [column('id'), column('text'), column('route')];
  for (const [name, at] of [
    ['text', textAt],
    ['route', routeAt],
  ] as const) {
    if (at < 0)
      throw new UserError(`the header has no '${name}' column (it has ${names.join(', ')})`, {
        file: path,
        line: header.line,
      });
  }
  return rows.map(({ fields, line }, index) => {
    const text = fields[textAt]?.trim() ?? '';
    if (text === '') throw new UserError('the utterance is empty', { file: path, line, field: 'text' });
    const route = fields[routeAt]?.trim() ?? '';
    const id =
      idAt >= 0 && (fields[idAt]?.trim() ?? '') !== '' ? (fields[idAt] as string).trim() : `u${index + 1}`;
    return { item: { id, text, route: route === '' ? null : route }, line };
  });
}

function readJsonlUtterances(path: string): Located[] {
  const located: Located[] = [];
  readUtf8File(path)
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      const line = i + 1;
      const record = parseJsonLine(text.replace(/^\uFEFF/, ''), path, line);
      const item = { id: `u${located.length + 1}`, ...record };
      const problem = schemaProblem('route-item', item);
      if (problem) throw new UserError(problem.message, { file: path, line, field: problem.field });
      located.push({ item: item as RouteItem, line });
    });
  return located;
}
