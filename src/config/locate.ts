import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
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
