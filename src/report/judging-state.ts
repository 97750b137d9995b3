import type { GradeScale } from '../dataset/grade-scale.js';
import type { LoggedEvent, Replayed } from '../dataset/judgment-log.js';
import { pairKey } from '../dataset/pair-key.js';
import type { PoolItem } from '../dataset/pool-file.js';
import { cohenKappa } from '../metrics/kappa.js';

/** What a judging session knows: the pool, who judges it, how much of it every annotator sees. */
export interface JudgingSetup {
  items: PoolItem[];
  annotators: string[];
  /** The share of pairs every annotator judges, for their agreement; the rest are divided among them. */
  overlap: number;
  scale: GradeScale;
}

/** An annotator's standing act on a pair. */
export interface Act {
  kind: 'grade' | 'skip';
  grade?: number;
}

/** What the judging page shows one annotator at one position of their queue. */
export interface JudgingView {
  annotator: string;
  /** Their position in their queue (0-based), or null when every pair of it has an act. */
  position: number | null;
  /** The pairs assigned to them. */
  total: number;
  graded: number;
  skipped: number;
  item: (PoolItem & { act: Act | null; overlap: boolean }) | null;
  /** The current query's pairs: how many of them are graded. */
  query: { qid: string; graded: number; total: number } | null;
  /** Seconds per grade: the last one and the median. */
  times: { count: number; lastMs: number | null; medianMs: number | null };
  /** Every two annotators' agreement on the overlap pairs both graded. */
  agreement: {
    annotators: [string, string];
    pairs: number;
    kappa: number | null;
    weightedKappa: number | null;
  }[];
  scale: GradeScale;
  /** The pair an undo would withdraw (the annotator's last standing act), if any. */
  canUndo: boolean;
}

/**
 * Which pairs (indices into the pool) each annotator judges, in pool order. Alone, an annotator judges all.
 * Together, overlap pairs are spread evenly through the pool (with 0.1: the 1st, 11th, 21st…), so agreement
 * can be measured from the start; each other pair goes to one annotator in turn.
 */
export function assignments(
  setup: Pick<JudgingSetup, 'items' | 'annotators' | 'overlap'>,
): Map<string, number[]> {
  const queues = new Map(setup.annotators.map((annotator) => [annotator, [] as number[]]));
  const n = setup.annotators.length;
  let turn = 0;
  setup.items.forEach((_, i) => {
    if (n === 1 || isOverlap(i, setup.overlap)) {
      for (const queue of queues.values()) queue.push(i);
    } else {
      queues.get(setup.annotators[turn % n] as string)?.push(i);
      turn++;
    }
  });
  return queues;
}

/** A session's queues do not change while it runs: dealt once per setup, not on every key press. */
const dealt = new WeakMap<JudgingSetup, Map<string, number[]>>();

function queuesOf(setup: JudgingSetup): Map<string, number[]> {
  const known = dealt.get(setup);
  if (known) return known;
  const queues = assignments(setup);
  dealt.set(setup, queues);
  return queues;
}

export function isOverlap(index: number, overlap: number): boolean {
  return overlap > 0 && Math.floor(index * overlap) !== Math.floor((index - 1) * overlap);
}

/** The first position of the queue at or after `from` (wrapping) without an act: where judging resumes. */
export function nextOpen(
  queue: number[],
  items: PoolItem[],
  mine: Map<string, LoggedEvent>,
  from = 0,
): number | null {
  for (let step = 0; step < queue.length; step++) {
    const position = (from + step) % queue.length;
    const item = items[queue[position] as number] as PoolItem;
    if (!mine.has(pairKey(item.qid, item.docid))) return position;
  }
  return null;
}

/** The page's view for `annotator` at `position` (default: where judging resumes). */
export function viewOf(
  setup: JudgingSetup,
  replayed: Replayed,
  annotator: string,
  position?: number,
): JudgingView {
  const queue = queuesOf(setup).get(annotator) ?? [];
  const mine = replayed.acts.get(annotator) ?? new Map<string, LoggedEvent>();
  const at =
    position !== undefined && position >= 0 && position < queue.length
      ? position
      : nextOpen(queue, setup.items, mine);
  const actOf = (item: PoolItem) => mine.get(pairKey(item.qid, item.docid))?.event;
  let graded = 0;
  let skipped = 0;
  for (const i of queue) {
    const act = actOf(setup.items[i] as PoolItem);
    if (act?.kind === 'grade') graded++;
    else if (act?.kind === 'skip') skipped++;
  }
  const current = at === null ? undefined : (setup.items[queue[at] as number] as PoolItem);
  const act = current ? actOf(current) : undefined;
  const ofQuery = current ? queue.filter((i) => (setup.items[i] as PoolItem).qid === current.qid) : [];
  // The standing grades' times, in the order they were made (the log's).
  const gradedMs = [...mine.values()]
    .filter(({ event }) => event.kind === 'grade' && event.ms !== undefined)
    .sort((a, b) => a.line - b.line)
    .map(({ event }) => event.ms as number);
  return {
    annotator,
    position: at,
    total: queue.length,
    graded,
    skipped,
    item: current
      ? {
          ...current,
          act: act
            ? { kind: act.kind as Act['kind'], ...(act.grade !== undefined ? { grade: act.grade } : {}) }
            : null,
          overlap: setup.annotators.length > 1 && isOverlap(queue[at as number] as number, setup.overlap),
        }
      : null,
    query: current
      ? {
          qid: current.qid,
          graded: ofQuery.filter((i) => actOf(setup.items[i] as PoolItem)?.kind === 'grade').length,
          total: ofQuery.length,
        }
      : null,
    times: { count: gradedMs.length, lastMs: gradedMs.at(-1) ?? null, medianMs: median(gradedMs) },
    agreement: agreementOf(setup, replayed),
    scale: setup.scale,
    canUndo: history(replayed, annotator).length > 0,
  };
}

function history(replayed: Replayed, annotator: string): string[] {
  return replayed.history.get(annotator) ?? [];
}

/** Cohen's kappa of every two annotators over the overlap pairs both graded (unweighted, and linear-weighted). */
export function agreementOf(setup: JudgingSetup, replayed: Replayed): JudgingView['agreement'] {
  const overlapKeys = setup.items
    .filter((_, i) => isOverlap(i, setup.overlap))
    .map((item) => pairKey(item.qid, item.docid));
  const result: JudgingView['agreement'] = [];
  for (let a = 0; a < setup.annotators.length; a++) {
    for (let b = a + 1; b < setup.annotators.length; b++) {
      const [first, second] = [setup.annotators[a] as string, setup.annotators[b] as string];
      const pairs: [number, number][] = [];
      for (const key of overlapKeys) {
        const x = replayed.acts.get(first)?.get(key)?.event;
        const y = replayed.acts.get(second)?.get(key)?.event;
        if (x?.kind === 'grade' && y?.kind === 'grade') pairs.push([x.grade as number, y.grade as number]);
      }
      result.push({
        annotators: [first, second],
        pairs: pairs.length,
        kappa: cohenKappa(pairs, setup.scale),
        weightedKappa: cohenKappa(pairs, setup.scale, 'linear'),
      });
    }
  }
  return result;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
