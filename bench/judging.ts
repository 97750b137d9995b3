import { performance } from 'node:perf_hooks';
import type { JudgmentEvent, LoggedEvent } from '../src/dataset/judgment-log.js';
import { replay } from '../src/dataset/judgment-log.js';
import type { PoolItem } from '../src/dataset/pool-file.js';
import { poolPairs } from '../src/evaluation/pool.js';
import { seededRandom } from '../src/metrics/random.js';
import type { Qrels, Run } from '../src/metrics/types.js';
import { viewOf } from '../src/report/judging-state.js';

/**
 * Judging at the scale of a large evaluation set. Pooling: 5 systems × 10,000 queries × 100 results over a
 * 100,000-document corpus, 10 judgments per query, at depth 10 and 100. The judging page: the server replays
 * the log and draws the view on every key press, so one act is timed on a 20,000-pair pool shared by two
 * annotators (overlap 0.1) with 10,000 acts already logged.
 */
export const name = 'judging';

const SYSTEMS = 5;
const QUERIES = 10_000;
const RESULTS = 100;
const DOCUMENTS = 100_000;
const SEED = 42;

export async function run(): Promise<void> {
  const random = seededRandom(SEED);
  const doc = () => `d${Math.floor(random() * DOCUMENTS)}`;
  const sources = Array.from({ length: SYSTEMS }, (_, s) => {
    const queries: Run['queries'] = new Map();
    for (let q = 0; q < QUERIES; q++) {
      const docids = Array.from({ length: RESULTS }, doc);
      queries.set(`q${q}`, { docids, scores: docids.map((_, i) => RESULTS - i + random()) });
    }
    return { system: `system-${s}`, run: { runId: `s${s}`, queries } };
  });
  const qrels: Qrels = new Map(
    Array.from({ length: QUERIES }, (_, q) => [
      `q${q}`,
      new Map(Array.from({ length: 10 }, () => [doc(), 1])),
    ]),
  );
  for (const depth of [10, 100]) {
    const start = performance.now();
    const pool = poolPairs(sources, qrels, depth);
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `pool at depth ${depth}: ${pool.length.toLocaleString('en')} pairs from ${SYSTEMS} × ${QUERIES.toLocaleString('en')} × ${RESULTS} in ${seconds.toFixed(2)} s`,
    );
  }

  const items: PoolItem[] = Array.from({ length: 20_000 }, (_, i) => ({
    qid: `q${i >> 3}`,
    docid: `d${i}`,
    query: 'a query',
    document: { text: 'a document' },
    systems: ['system-0'],
    bestRank: 1 + (i % 8),
  }));
  const scale = { min: 0, max: 3, labels: ['not relevant', 'related', 'relevant', 'perfect'] };
  const setup = { items, annotators: ['alice', 'bob'], overlap: 0.1, scale };
  const events: LoggedEvent[] = Array.from({ length: 10_000 }, (_, i) => {
    const item = items[i] as PoolItem;
    const event: JudgmentEvent = {
      kind: 'grade',
      annotator: i % 2 === 0 ? 'alice' : 'bob',
      pool: 'pool-000000000000',
      dataset: 'sha256:x',
      qid: item.qid,
      docid: item.docid,
      grade: i % 4,
      ms: 2000,
      at: '2026-12-04T10:00:00.000Z',
    };
    return { event, line: i + 1 };
  });
  viewOf(setup, replay(events), 'alice'); // warm-up
  const rounds = 20;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) viewOf(setup, replay(events), 'alice');
  const ms = (performance.now() - start) / rounds;
  console.log(`one act on a 20,000-pair pool with 10,000 acts logged (replay + view): ${ms.toFixed(1)} ms`);
}
