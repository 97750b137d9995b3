import { existsSync } from 'node:fs';
import { parseJsonLine } from '../dataset/json-text.js';
import { readTextFile, writeTextFile } from '../files.js';

/**
 * Concatenates traces of the same system over disjoint query sets into one, its lines in `order` (the
 * query order an unsharded run writes them in); a trace that is absent (a shard that failed early) adds
 * nothing.
 */
export function mergeTraceFiles(inputs: string[], order: readonly string[], output: string): void {
  const byQuery = new Map<string, string[]>();
  for (const input of inputs) {
    if (!existsSync(input)) continue;
    readTextFile(input)
      .split('\n')
      .forEach((text, i) => {
        if (text.trim() === '') return;
        const { qid } = parseJsonLine(text, input, i + 1) as { qid: string };
        const lines = byQuery.get(qid) ?? [];
        lines.push(text);
        byQuery.set(qid, lines);
      });
  }
  const lines = order.flatMap((qid) => byQuery.get(qid) ?? []);
  writeTextFile(output, lines.length > 0 ? `${lines.join('\n')}\n` : '');
}
