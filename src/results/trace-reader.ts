import { parseJsonLine } from '../dataset/json-text.js';
import { scanLines } from '../dataset/lines.js';
import { assertValid } from '../schemas.js';
import type { TraceRecord } from './trace.js';

/** What is read back of a trace line (trace.schema.json checks it): the query, its top hits, its latency. */
export type TracedHits = Pick<TraceRecord, 'qid' | 'firstStage' | 'reranked'> & {
  latencyMs: Pick<TraceRecord['latencyMs'], 'total'>;
};

/**
 * Streams a trace.jsonl, keeping of each line the query id, the first `top` hits of each stage and the
 * latency, validated against trace.schema.json. A line holds whole rankings (two when reranked: 200 hits at
 * k = 100), and parsing them whole was most of a report's time; so a line is first cut down to those parts
 * (see cutLine), and parsed whole only when it is not laid out as the runner writes it.
 */
export function readTraceTops(
  path: string,
  top: number,
  onRecord: (record: TracedHits, line: number) => void,
): void {
  scanLines(path, (buf, start, end, line) => {
    const text = buf.toString('utf8', start, end);
    if (text.trim() === '') return;
    const record = cutLine(text, top) ?? parseJsonLine(text, path, line);
    assertValid<TracedHits>('trace', record, path, line);
    onRecord(record, line);
  });
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
/** An object with no object or array inside it (a hit, the latencies), strings skipped whole. */
const FLAT_OBJECT = String.raw`\{(?:[^{}[\]"]|${STRING})*\}`;
const STRING_VALUE = new RegExp(STRING, 'y');
const FLAT_VALUE = new RegExp(FLAT_OBJECT, 'y');
/** One element of an array of flat objects, and what follows it: a comma, or the end of the array. */
const FLAT_ELEMENT = new RegExp(`(${FLAT_OBJECT})(?:,|(?=\\]))`, 'y');

/**
 * The parts of a compact JSON line (no whitespace, as JSON.stringify writes it) that reports read, as an
 * object; undefined when the line is laid out otherwise. A member is found by its key: `"qid":` cannot
 * occur inside a JSON string (its closing quote would be escaped) and the trace has no nested member of
 * these names, so an occurrence is the member. Each key is first looked for where the runner puts it, so a
 * line is scanned about once; values are matched, not parsed, up to what is kept.
 */
function cutLine(text: string, top: number): unknown {
  const qid = memberValue(text, keyAt(text, 'qid', 0), STRING_VALUE);
  const firstStageAt = keyAt(text, 'firstStage', 0);
  const firstStage = arrayHead(text, firstStageAt, top);
  const rerankedAt = keyAt(text, 'reranked', Math.max(0, firstStageAt));
  const reranked = rerankedAt < 0 ? '' : arrayHead(text, rerankedAt, top);
  const latencyMs = memberValue(text, keyAt(text, 'latencyMs', -1), FLAT_VALUE);
  if (qid === undefined || firstStage === undefined || reranked === undefined || latencyMs === undefined) {
    return undefined;
  }
  const stages = `"firstStage":${firstStage}${reranked ? `,"reranked":${reranked}` : ''}`;
  try {
    return JSON.parse(`{"qid":${qid},${stages},"latencyMs":${latencyMs}}`);
  } catch {
    return undefined;
  }
}

/**
 * Where the value of member `key` starts, or -1: searched from `from` on, then before it; `from` -1 searches
 * from the end (for a member the runner writes last).
 */
function keyAt(text: string, key: string, from: number): number {
  const quoted = `"${key}":`;
  const at =
    from < 0
      ? text.lastIndexOf(quoted)
      : (() => {
          const after = text.indexOf(quoted, from);
          return after >= 0 ? after : text.lastIndexOf(quoted, from);
        })();
  return at < 0 ? -1 : at + quoted.length;
}

/** The JSON text of the value at `at` when `pattern` matches it there; else undefined. */
function memberValue(text: string, at: number, pattern: RegExp): string | undefined {
  if (at < 0) return undefined;
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

/** The JSON text of the first `top` elements of the array at `at`, each a flat object; else undefined. */
function arrayHead(text: string, at: number, top: number): string | undefined {
  if (at < 0 || text[at] !== '[') return undefined;
  const elements: string[] = [];
  let i = at + 1;
  while (elements.length < top && text[i] !== ']') {
    FLAT_ELEMENT.lastIndex = i;
    const match = FLAT_ELEMENT.exec(text);
    if (!match) return undefined;
    elements.push(match[1] as string);
    i = FLAT_ELEMENT.lastIndex;
  }
  return `[${elements.join(',')}]`;
}
