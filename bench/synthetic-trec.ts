import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/metrics/random.js';

/**
 * A deterministic synthetic TREC case (run + qrels) of any size, generated straight into byte buffers so
 * that 7M run lines take seconds, and cached under the OS temp dir so repeated benchmarks reuse it.
 */
export interface SyntheticParams {
  queries: number;
  /** Results per query. */
  depth: number;
  /** Judged documents per query, on average. */
  judged: number;
  seed: number;
}

export interface SyntheticCase {
  runPath: string;
  qrelsPath: string;
  /** True when the files were generated now rather than reused. */
  generated: boolean;
}

/** Bump when the generated content changes, so stale caches are regenerated. */
const FORMAT_VERSION = 1;

export function syntheticCase(params: SyntheticParams): SyntheticCase {
  const dir = join(
    tmpdir(),
    'retrieval-gate-bench',
    `trec-${params.queries}x${params.depth}-j${params.judged}-s${params.seed}`,
  );
  const stamp = join(dir, 'params.json');
  const wanted = JSON.stringify({ version: FORMAT_VERSION, ...params });
  const runPath = join(dir, 'run.txt');
  const qrelsPath = join(dir, 'qrels.txt');
  const cached = existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted;
  if (!cached) {
    mkdirSync(dir, { recursive: true });
    writeRun(runPath, params);
    writeQrels(qrelsPath, params);
    writeFileSync(stamp, wanted); // last, so an interrupted generation is redone
  }
  return { runPath, qrelsPath, generated: !cached };
}

const DOC_SPACE = 9_000_000;

/**
 * The docids of one query's run, as numbers 1000000..9999999 (printed `doc1234567`): an arithmetic
 * progression modulo 9M with a step coprime to 9M, so the `depth` ids are distinct without a set.
 */
function queryDocs(random: () => number, depth: number): Int32Array {
  let step = 1 + Math.floor(random() * (DOC_SPACE - 1));
  while (step % 2 === 0 || step % 3 === 0 || step % 5 === 0) step++;
  const start = Math.floor(random() * DOC_SPACE);
  const docs = new Int32Array(depth);
  for (let i = 0; i < depth; i++) docs[i] = 1_000_000 + ((start + i * step) % DOC_SPACE);
  return docs;
}

/** Appends ASCII text and decimal numbers to a large buffer, flushing it to a file descriptor when full. */
class ChunkWriter {
  private readonly buf = Buffer.allocUnsafe(8 << 20);
  private pos = 0;

  constructor(private readonly fd: number) {}

  text(bytes: Buffer): void {
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** A non-negative integer, zero-padded to `width` digits. */
  int(value: number, width = 1): void {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    const n = Math.max(digits, width);
    for (let i = n - 1, v = value; i >= 0; i--, v = Math.floor(v / 10))
      this.buf[this.pos + i] = 48 + (v % 10);
    this.pos += n;
  }

  byte(value: number): void {
    this.buf[this.pos++] = value;
  }

  /** Call after each line: flushes when less than a line's worth of room is left. */
  endLine(): void {
    this.byte(10);
    if (this.pos > this.buf.length - 4096) this.flush();
  }

  flush(): void {
    let done = 0;
    while (done < this.pos) done += writeSync(this.fd, this.buf, done, this.pos - done);
    this.pos = 0;
  }
}

function withWriter(path: string, write: (out: ChunkWriter) => void): void {
  const fd = openSync(path, 'w');
  try {
    const out = new ChunkWriter(fd);
    write(out);
    out.flush();
  } finally {
    closeSync(fd);
  }
}

const Q0 = Buffer.from(' Q0 doc');
const TAG = Buffer.from(' bench');
const JUDGMENT = Buffer.from(' 0 doc');

/** Scores in millionths: 6 decimals, strictly descending except for ~3% exact ties with the previous. */
function writeRun(path: string, params: SyntheticParams): void {
  withWriter(path, (out) => {
    for (let q = 0; q < params.queries; q++) {
      const random = seededRandom(params.seed * 1_000_003 + q);
      const docs = queryDocs(random, params.depth);
      let score = 20_000_000 + Math.floor(random() * 10_000_000);
      for (let i = 0; i < params.depth; i++) {
        if (i > 0 && random() >= 0.03) score -= 1 + Math.floor(random() * 20_000);
        out.int(q + 1);
        out.text(Q0);
        out.int(docs[i] as number);
        out.byte(32);
        out.int(i + 1);
        out.byte(32);
        out.int(Math.floor(score / 1_000_000));
        out.byte(46);
        out.int(score % 1_000_000, 6);
        out.text(TAG);
        out.endLine();
      }
    }
  });
}

/**
 * About `judged` judgments per query, graded 0–3 (mostly 0 and 1): ~80% are documents of the run, favouring
 * its top ranks; the rest are documents the run did not retrieve (`doc0…`, outside the run's id range).
 */
function writeQrels(path: string, params: SyntheticParams): void {
  withWriter(path, (out) => {
    for (let q = 0; q < params.queries; q++) {
      const docs = queryDocs(seededRandom(params.seed * 1_000_003 + q), params.depth);
      const random = seededRandom(params.seed * 7_919 + q + 0x51ed);
      const count = Math.max(1, params.judged - 2 + Math.floor(random() * 5));
      const chosen = new Set<number>();
      while (chosen.size < count) {
        const retrieved = random() < 0.8;
        const rank = Math.floor(params.depth * random() ** 2);
        chosen.add(retrieved ? (docs[rank] as number) : Math.floor(random() * 1_000_000));
      }
      for (const doc of chosen) {
        const u = random();
        const rel = u < 0.4 ? 0 : u < 0.7 ? 1 : u < 0.9 ? 2 : 3;
        out.int(q + 1);
        out.text(JUDGMENT);
        out.int(doc, 7);
        out.byte(32);
        out.int(rel);
        out.endLine();
      }
    }
  });
}
