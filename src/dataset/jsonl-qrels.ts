import { statSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { Qrels } from '../metrics/types.js';
import { checkIdText } from './ids.js';
import { jsonlRecord } from './jsonl.js';
import { addJudgment } from './judgments.js';
import { scanLines } from './lines.js';
import { plainString, sameText } from './plain-json.js';

interface Judgment {
  qid: string;
  docid: string;
  rel: number;
}

/**
 * Reads qrels.jsonl, `{"qid", "docid", "rel"}` per line (rel an integer), refusing a document judged twice.
 * Lines in the spelling `dataset import` writes are read from their bytes (plainJudgment); any other line
 * is parsed and validated as JSON, so both say the same of every line.
 */
export function readJsonlQrels(path: string): Qrels {
  return readJsonlQrelsForm(path).qrels;
}

/**
 * readJsonlQrels, and whether the file's bytes are exactly the canonical qrels lines (canonical.ts), each
 * ended by a newline, as `dataset import` writes them: the digest can then hash the file instead of making
 * a million lines again.
 */
export function readJsonlQrelsForm(path: string): { qrels: Qrels; canonical: boolean } {
  const qrels: Qrels = new Map();
  const plain: PlainJudgment = { qid: '', docid: '', rel: 0, canonical: false };
  let count = 0;
  let canonical = true;
  let bytes = 0;
  let lastQid = '';
  let lastDocid = '';
  scanLines(path, (buf, start, end, line) => {
    // A plain line's ids are words already (no byte ≤ space, not empty): only a parsed line's are checked.
    const isPlain = plainJudgment(buf, start, end, plain);
    const judgment = isPlain ? plain : parsedJudgment(buf, start, end, path, line);
    if (judgment === undefined) {
      canonical = false;
      return;
    }
    const { qid, docid, rel } = judgment;
    addJudgment(qrels, qid, docid, rel, { file: path, line, field: 'docid' });
    count++;
    if (canonical) {
      // Plain ids are ASCII, where `<` is the code-point order canonical lines are sorted in.
      canonical = isPlain && plain.canonical && (lastQid < qid || (lastQid === qid && lastDocid < docid));
      lastQid = qid;
      lastDocid = docid;
      bytes += end - start + 1;
    }
  });
  if (count === 0) throw new UserError('the qrels file has no judgments', { file: path });
  // Every line's bytes and its newline are the whole file only when the last line ends with one too.
  return { qrels, canonical: canonical && bytes === statSync(path).size };
}

/** A line read by JSON.parse and the schema, its ids checked against the id alphabet. */
function parsedJudgment(
  buf: Buffer,
  start: number,
  end: number,
  path: string,
  line: number,
): Judgment | undefined {
  const judgment = jsonlRecord<Judgment>(buf, start, end, path, line, 'qrel');
  if (judgment === undefined) return undefined;
  checkIdText(judgment.qid, 'query id', { file: path, line, field: 'qid' });
  checkIdText(judgment.docid, 'document id', { file: path, line, field: 'docid' });
  return judgment;
}

/** A plain line's judgment, and whether the line is spelt canonically (keys docid, qid, rel; rel not -0). */
interface PlainJudgment extends Judgment {
  canonical: boolean;
}

/** The canonical key order, docid (2), qid (1), rel (4), as plainJudgment's `order` spells it. */
const CANONICAL_ORDER = (2 * 8 + 1) * 8 + 4;

/**
 * Matches `{"docid":"d1","qid":"q1","rel":1}` (its keys in any order) on the line's bytes, filling `out`:
 * no spaces, ids of printable ASCII without quotes or backslashes, rel a JSON integer of at most 15 digits.
 * Such a line means the same to JSON.parse and the schema; false leaves any other line to them.
 */
function plainJudgment(buf: Buffer, start: number, end: number, out: PlainJudgment): boolean {
  if (canonicalJudgment(buf, start, end, out)) return true;
  if (buf[start] !== 0x7b || buf[end - 1] !== 0x7d) return false; // { … }
  let seen = 0;
  let order = 0; // the keys' bits in the order met, three bits each
  let negativeZero = false;
  let i = start + 1;
  for (let pair = 0; pair < 3; pair++) {
    if (pair > 0 && buf[i++] !== 0x2c) return false; // ,
    const key = plainString(buf, i, end);
    if (key < 0 || buf[key + 1] !== 0x3a) return false; // "key":
    const name = keyName(buf, i + 1, key);
    const value = key + 2;
    if (name === 4 && !(seen & 4)) {
      i = plainInteger(buf, value, end - 1);
      if (i < 0) return false;
      out.rel = integerValue(buf, value, i);
      seen |= 4;
      order = order * 8 + 4;
      // JSON writes -0 as 0: a line spelling it is not canonical.
      negativeZero = buf[value] === 0x2d && out.rel === 0;
      continue;
    }
    const bit = name === 4 ? 0 : name;
    if (bit === 0 || seen & bit) return false;
    const close = plainString(buf, value, end);
    if (close < 0 || close === value + 1) return false; // an empty id is the schema's to refuse
    // A query's judgments are mostly together: its id is made once, not once a line.
    if (bit === 1) {
      if (!sameText(buf, value + 1, close, out.qid)) out.qid = buf.toString('latin1', value + 1, close);
    } else out.docid = buf.toString('latin1', value + 1, close);
    seen |= bit;
    order = order * 8 + bit;
    i = close + 1;
  }
  out.canonical = order === CANONICAL_ORDER && !negativeZero;
  return i === end - 1;
}

const DOCID_KEY = '{"docid":';
const QID_KEY = ',"qid":';
const REL_KEY = ',"rel":';

/**
 * plainJudgment for the canonical spelling, `{"docid":"d1","qid":"q1","rel":1}`, which `dataset import`
 * writes: its keys matched where they must stand rather than named one by one (a million lines).
 */
function canonicalJudgment(buf: Buffer, start: number, end: number, out: PlainJudgment): boolean {
  const docid = start + DOCID_KEY.length;
  if (buf[end - 1] !== 0x7d || !sameText(buf, start, docid, DOCID_KEY)) return false;
  const docidClose = plainString(buf, docid, end);
  if (docidClose <= docid + 1) return false; // no string, or an empty one (the schema's to refuse)
  const qid = docidClose + 1 + QID_KEY.length;
  if (!sameText(buf, docidClose + 1, qid, QID_KEY)) return false;
  const qidClose = plainString(buf, qid, end);
  if (qidClose <= qid + 1) return false;
  const rel = qidClose + 1 + REL_KEY.length;
  if (!sameText(buf, qidClose + 1, rel, REL_KEY) || plainInteger(buf, rel, end - 1) !== end - 1) return false;
  out.docid = buf.toString('latin1', docid + 1, docidClose);
  if (!sameText(buf, qid + 1, qidClose, out.qid)) out.qid = buf.toString('latin1', qid + 1, qidClose);
  out.rel = integerValue(buf, rel, end - 1);
  // JSON writes -0 as 0: a line spelling it is not canonical.
  out.canonical = !(buf[rel] === 0x2d && out.rel === 0);
  return true;
}

/** The value of the integer plainInteger matched (at most 15 digits: exact, as JSON.parse reads it, -0 too). */
function integerValue(buf: Buffer, start: number, end: number): number {
  const negative = buf[start] === 0x2d;
  let value = 0;
  for (let i = negative ? start + 1 : start; i < end; i++) value = value * 10 + ((buf[i] as number) - 0x30);
  return negative ? -value : value;
}

/** Which key buf[start, end) spells, as its bit: qid 1, docid 2, rel 4, any other 0 (no string made). */
function keyName(buf: Buffer, start: number, end: number): number {
  if (sameText(buf, start, end, 'qid')) return 1;
  if (sameText(buf, start, end, 'docid')) return 2;
  if (sameText(buf, start, end, 'rel')) return 4;
  return 0;
}

/** The end of a JSON integer (-?(0|[1-9][0-9]*), at most 15 digits) at buf[at], or -1. */
function plainInteger(buf: Buffer, at: number, end: number): number {
  let i = buf[at] === 0x2d ? at + 1 : at; // -
  const first = i;
  while (i < end && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) i++;
  const digits = i - first;
  if (digits === 0 || digits > 15 || (digits > 1 && buf[first] === 0x30)) return -1;
  return i;
}
