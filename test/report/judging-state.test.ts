import { describe, expect, it } from 'vitest';
import type { JudgmentEvent, LoggedEvent } from '../../src/dataset/judgment-log.js';
import { replay } from '../../src/dataset/judgment-log.js';
import type { PoolItem } from '../../src/dataset/pool-file.js';
import { assignments, isOverlap, viewOf } from '../../src/report/judging-state.js';

const items: PoolItem[] = Array.from({ length: 10 }, (_, i) => ({
  qid: `q${i % 2}`,
  docid: `d${i}`,
  query: `query ${i % 2}`,
  document: { text: `document ${i}` },
  systems: ['bm25'],
  bestRank: 1,
}));
const scale = { min: 0, max: 3, labels: ['not relevant', 'related', 'relevant', 'perfect'] };

let line = 0;
function act(
  annotator: string,
  i: number,
  kind: JudgmentEvent['kind'],
  extra: Partial<JudgmentEvent> = {},
): LoggedEvent {
  const item = items[i] as PoolItem;
  const event: JudgmentEvent = {
    kind,
    annotator,
    pool: 'pool-000000000000',
    dataset: 'sha256:x',
    qid: item.qid,
    docid: item.docid,
    at: '2026-12-04T10:00:00Z',
    ...extra,
  };
  return { event, line: ++line };
}

describe('the judging session', () => {
  it('spreads the overlap pairs evenly from the first, and deals the rest in turn', () => {
    expect(items.map((_, i) => isOverlap(i, 0.25)).flatMap((o, i) => (o ? [i] : []))).toEqual([0, 4, 8]);
    const queues = assignments({ items, annotators: ['a', 'b'], overlap: 0.25 });
    expect(queues.get('a')).toEqual([0, 1, 3, 4, 6, 8, 9]);
    expect(queues.get('b')).toEqual([0, 2, 4, 5, 7, 8]);
    expect(assignments({ items, annotators: ['a'], overlap: 0.25 }).get('a')).toHaveLength(10);
  });

  it('resumes at the first pair without an act; an undo brings back the act before, or none', () => {
    const setup = { items, annotators: ['a'], overlap: 0, scale };
    const events = [
      act('a', 0, 'grade', { grade: 2, ms: 1000 }),
      act('a', 1, 'skip'),
      act('a', 0, 'grade', { grade: 3, ms: 3000 }),
      act('a', 2, 'grade', { grade: 1, ms: 2000 }),
      act('a', 2, 'undo'),
      act('a', 0, 'undo'),
    ];
    const view = viewOf(setup, replay(events), 'a');
    expect(view.position).toBe(2);
    expect(view).toMatchObject({
      graded: 1,
      skipped: 1,
      total: 10,
      query: { qid: 'q0', graded: 1, total: 5 },
    });
    expect(viewOf(setup, replay(events), 'a', 0).item?.act).toEqual({ kind: 'grade', grade: 2 });
    expect(view.times).toEqual({ count: 1, lastMs: 1000, medianMs: 1000 });
    // The next undo withdraws the last act still standing: the skip of pair 1.
    expect(replay(events).history.get('a')?.at(-1)).toBe(JSON.stringify(['q1', 'd1']));
  });

  it('measures two annotators’ agreement on the overlap pairs both graded', () => {
    const setup = { items, annotators: ['a', 'b'], overlap: 0.25, scale };
    const events = [
      act('a', 0, 'grade', { grade: 3 }),
      act('b', 0, 'grade', { grade: 3 }),
      act('a', 4, 'grade', { grade: 0 }),
      act('b', 4, 'grade', { grade: 1 }),
      act('a', 8, 'grade', { grade: 2 }), // b has not graded it: not counted
      act('a', 1, 'grade', { grade: 2 }), // not an overlap pair
    ];
    const [agreement] = viewOf(setup, replay(events), 'b').agreement;
    expect(agreement).toMatchObject({ annotators: ['a', 'b'], pairs: 2 });
    // Both grades of each annotator: a 3, 0; b 3, 1 → po = 1/2, pe = 1/4 → κ = 1/3.
    expect(agreement?.kappa).toBeCloseTo(1 / 3, 12);
  });
});
