import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { UserError } from '../errors.js';

/** A parsed YAML file that can tell on which line a value sits, so errors can name it. */
export interface LocatedYaml {
  value: unknown;
  /** The 1-based line of the value at `path`, or of its nearest existing parent. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function parseLocatedYaml(text: string, file: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    if (first.code === 'DUPLICATE_KEY') {
      const path = keyPathAt(parseDocument(text, { uniqueKeys: false }), first.pos[0]);
      if (path) {
        const name = fieldName(path);
        throw new UserError(
          `the key '${String(path[path.length - 1])}' is given twice (YAML keeps one of them silently; remove the other)`,
          { file, line, ...(name === undefined ? {} : { field: name }) },
        );
      }
    }
    throw new UserError(`malformed YAML: ${first.message.split('\n')[0]}`, { file, line });
  }
  return {
    value: doc.toJS(),
    lineOf(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** ['systems', 0, 'model'] → "systems[0].model": how error messages name a field. */
export function fieldName(path: (string | number)[]): string | undefined {
  if (path.length === 0) return undefined;
  return path.reduce<string>(
    (name, part) =>
      typeof part === 'number' || /^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part,
    '',
  );
}

/** The path of the map key whose node starts at `offset` (the second of a duplicate key), if any. */
function keyPathAt(doc: Document, offset: number): (string | number)[] | undefined {
  const walk = (node: unknown, path: (string | number)[]): (string | number)[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key : undefined;
        const name = key === undefined ? String(pair.key) : String(key.value);
        if (key?.range?.[0] === offset) return [...path, name];
        const found = walk(pair.value, [...path, name]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}
