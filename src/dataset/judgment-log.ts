import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { assertValid } from '../schemas.js';
import { parseJsonLine } from './json-text.js';
import { pairKey } from './pair-key.js';
import { takePidLock } from './pid-lock.js';

/**
 * judgments.jsonl: every act of an annotator (a grade, a skip, an undo) appended and fsynced as it is made,
 * so closing the browser or killing the server loses at most the act being written, and a torn last line
 * is the only damage a crash can leave.
 */
export interface JudgmentEvent {
  kind: 'grade' | 'skip' | 'undo';
  annotator: string;
  /** The pool the pair came from (its header's id). */
  pool: string;
  /** The digest of the dataset version the pool was drawn for. */
  dataset: string;
  qid: string;
  docid: string;
  grade?: number;
  /** How long the annotator took, in milliseconds. */
  ms?: number;
  at: string;
  /** A production query's text, which the dataset does not hold yet: a merge adds the query with it. */
  query?: string;
}

export interface LoggedEvent {
  event: JudgmentEvent;
  line: number;
}

export interface JudgmentLog {
  events: LoggedEvent[];
  /** The bytes of whole lines: what survives a torn last line. */
  validBytes: number;
  warnings: string[];
}

/**
 * Reads the log; an absent file is an empty log. A last line without its newline was cut short by a crash:
 * it is ignored with a warning, never half-read. Any other bad line is an error naming its line.
 */
export function readJudgmentLog(path: string): JudgmentLog {
  if (!existsSync(path)) return { events: [], validBytes: 0, warnings: [] };
  const text = readTextFile(path);
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n');
  lines.pop();
  const warnings: string[] = [];
  if (end < text.length) {
    warnings.push(
      `${path}:${lines.length + 1}: the last line is incomplete (the writer stopped mid-line); it is ignored`,
    );
  }
  const events: LoggedEvent[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const value = parseJsonLine(text, path, i + 1);
    assertValid<JudgmentEvent>('judgment', value, path, i + 1);
    events.push({ event: value, line: i + 1 });
  });
  return { events, validBytes: Buffer.byteLength(text.slice(0, end)), warnings };
}

/**
 * An open log that appends one whole line per act and syncs it to disk before the act counts as made. One
 * writer at a time: `<file>.lock` holds its process id, so a second server on the same file is refused
 * (two writers would each miss the other's acts); a lock left by a killed server is taken over.
 */
export class JudgmentWriter {
  private readonly fd: number;
  private readonly lock: string;

  /** Opens `path` for appending, first cutting a torn last line off (`validBytes` from readJudgmentLog). */
  constructor(path: string, validBytes: number) {
    this.lock = `${path}.lock`;
    takeLock(this.lock, path);
    try {
      this.fd = openSync(path, 'a');
      ftruncateSync(this.fd, validBytes);
    } catch (error) {
      rmSync(this.lock, { force: true });
      throw new UserError(`cannot append to the judgments file: ${(error as Error).message}`, { file: path });
    }
  }

  append(event: JudgmentEvent): void {
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.lock, { force: true });
  }
}

function takeLock(lock: string, path: string): void {
  const refusal = takePidLock(lock);
  if (refusal === undefined) return;
  if ('holder' in refusal)
    throw new UserError(
      `another judge serve (process ${refusal.holder}) is appending to this file; judge in its page, stop it, or pass --judgments <another file>`,
      { file: path },
    );
  throw new UserError(`cannot lock the judgments file: ${refusal.error.message}`, { file: lock });
}

/**
 * The log replayed: each annotator's standing act per pair (annotator → pair key → act), and the pairs of
 * their acts not undone, in the order made (the last is what an undo withdraws next; a pair graded twice is
 * there twice). A grade or a skip stands until the annotator acts on the pair again or undoes it, which
 * brings back the act before.
 */
export interface Replayed<T extends LoggedEvent = LoggedEvent> {
  acts: Map<string, Map<string, T>>;
  history: Map<string, string[]>;
}

export function replay<T extends LoggedEvent>(events: T[]): Replayed<T> {
  const stacks = new Map<string, Map<string, T[]>>();
  const history = new Map<string, string[]>();
  for (const logged of events) {
    const { event } = logged;
    const mine = stacks.get(event.annotator) ?? new Map<string, T[]>();
    stacks.set(event.annotator, mine);
    const order = history.get(event.annotator) ?? [];
    history.set(event.annotator, order);
    const key = pairKey(event.qid, event.docid);
    const stack = mine.get(key) ?? [];
    mine.set(key, stack);
    if (event.kind === 'undo') {
      stack.pop();
      const at = order.lastIndexOf(key);
      if (at >= 0) order.splice(at, 1);
    } else {
      stack.push(logged);
      order.push(key);
    }
  }
  const acts = new Map<string, Map<string, T>>();
  for (const [annotator, pairs] of stacks) {
    const top = new Map<string, T>();
    for (const [key, stack] of pairs) {
      const last = stack.at(-1);
      if (last) top.set(key, last);
    }
    acts.set(annotator, top);
  }
  return { acts, history };
}
