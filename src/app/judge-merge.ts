import { join, resolve } from 'node:path';
import { type GradeScale, gradeScaleOf, offScale, onScale } from '../dataset/grade-scale.js';
import { type AnnotatorGrade, type ConflictRule, settleGrades } from '../dataset/judgment-conflicts.js';
import { type JudgmentEvent, type LoggedEvent, readJudgmentLog, replay } from '../dataset/judgment-log.js';
import { loadDataset } from '../dataset/native.js';
import { pairKey } from '../dataset/pair-key.js';
import { resolveDataset } from '../dataset/resolve.js';
import type { Dataset, JudgingRecord, Manifest, QueryRecord } from '../dataset/types.js';
import { writeDataset } from '../dataset/write.js';
import { UserError } from '../errors.js';
import type { Qrels } from '../metrics/types.js';

export interface JudgeMergeOptions {
  /** judgments.jsonl files (one per annotator, or one shared). */
  judgments: string[];
  dataset: string;
  version: string;
  conflicts: ConflictRule;
  /** The new version's folder; default: datasets/<name>/<version>. */
  out?: string;
  description?: string;
  cwd?: string;
}

export interface JudgeMergeOutcome {
  dir: string;
  /** The version the judgments were added to. */
  from: string;
  /** Both versions as loaded here (the new one read back), for a caller that evaluates on them. */
  datasets: { before: Dataset; after: Dataset };
  manifest: Manifest;
  judging: JudgingRecord;
  warnings: string[];
}

/** How many disagreements a refusal lists before it says how many more there are. */
const LISTED_CONFLICTS = 20;

interface PairVotes {
  qid: string;
  docid: string;
  grades: AnnotatorGrade[];
  query?: string;
}

/**
 * `judge merge`: the standing grades of a judging log added to a dataset as a new version (the published one
 * is never edited). Annotators' disagreements are settled by `conflicts`, or, under `strict`, refused with
 * a list; a grade that differs from one the dataset already publishes is a disagreement too (the published
 * grade is kept under the other rules). Production queries judged come in with their text.
 */
export function judgeMerge(options: JudgeMergeOptions): JudgeMergeOutcome {
  const cwd = options.cwd ?? process.cwd();
  const base = loadDataset(resolveDataset(options.dataset, cwd));
  const scale = gradeScaleOf(base.qrels);
  const warnings: string[] = [];
  const votes = new Map<string, PairVotes>();
  const sources = new Map<string, JudgingRecord['sources'][number]>();
  // One annotator's acts may be spread over several files: they are folded together, in the files' order.
  const events: (LoggedEvent & { file: string })[] = [];
  for (const file of options.judgments.map((path) => resolve(cwd, path))) {
    const log = readJudgmentLog(file);
    warnings.push(...log.warnings);
    if (log.events.length === 0 && log.warnings.length === 0) {
      throw new UserError('no judgments to merge (the file is empty or missing)', { file });
    }
    for (const logged of log.events) {
      if (logged.event.kind === 'grade') checkJudgment({ ...logged, file }, base, scale);
      events.push({ ...logged, file });
    }
  }
  for (const annotatorActs of replay(events).acts.values()) {
    for (const standing of annotatorActs.values()) {
      if (standing.event.kind !== 'grade') continue;
      addVote(votes, standing.event);
      countSource(sources, standing.event);
    }
  }

  const qrels: Qrels = new Map([...base.qrels].map(([qid, judged]) => [qid, new Map(judged)]));
  const queries = new Map(base.queries);
  const conflicts: string[] = [];
  let added = 0;
  let conflicting = 0;
  let overruled = 0;
  for (const pair of [...votes.values()].sort(byPair)) {
    const published = base.qrels.get(pair.qid)?.get(pair.docid);
    const settled = settleGrades(pair.grades, options.conflicts);
    const overrules = published !== undefined && pair.grades.some((g) => g.grade !== published);
    if (settled === undefined || overrules || new Set(pair.grades.map((g) => g.grade)).size > 1) {
      conflicting++;
      conflicts.push(describeConflict(pair, published));
    }
    if (published !== undefined) {
      if (overrules) overruled++;
      continue;
    }
    if (settled === undefined) continue;
    if (!queries.has(pair.qid))
      queries.set(pair.qid, { id: pair.qid, text: pair.query as string } as QueryRecord);
    const judged = qrels.get(pair.qid) ?? new Map<string, number>();
    judged.set(pair.docid, settled);
    qrels.set(pair.qid, judged);
    added++;
  }
  if (options.conflicts === 'strict' && conflicts.length > 0) {
    const more =
      conflicts.length > LISTED_CONFLICTS ? `\n  … and ${conflicts.length - LISTED_CONFLICTS} more` : '';
    throw new UserError(
      `${conflicts.length} pair(s) have disagreeing grades, refused under --conflicts strict (settle them by judging again, or pass --conflicts majority|max|min):\n  ${conflicts.slice(0, LISTED_CONFLICTS).join('\n  ')}${more}`,
      { file: options.judgments.join(', ') },
    );
  }
  if (overruled > 0) {
    warnings.push(
      `${overruled} new grade(s) differ from the dataset's published ones; the published grades are kept`,
    );
  }

  const judging: JudgingRecord = {
    from: { version: base.manifest.version, digest: base.digest },
    conflicts: options.conflicts,
    added: { judgments: added, queries: queries.size - base.queries.size, conflicting },
    sources: [...sources.values()].sort(
      (a, b) =>
        a.pool.localeCompare(b.pool) ||
        a.annotator.localeCompare(b.annotator) ||
        a.date.localeCompare(b.date),
    ),
  };
  const dir = resolve(cwd, options.out ?? join('datasets', base.manifest.name, options.version));
  const manifest = writeDataset(
    dir,
    { queries, qrels, ...(base.corpus ? { corpus: base.corpus } : {}) },
    {
      name: base.manifest.name,
      version: options.version,
      description: options.description ?? base.manifest.description,
      source: `${base.manifest.name}@${base.manifest.version} with ${added} judgments added by judge merge`,
      licence: base.manifest.licence,
      judging,
    },
  );
  const grown = loadDataset(dir);
  warnings.push(...grown.warnings);
  return { dir, from: base.dir, datasets: { before: base, after: grown }, manifest, judging, warnings };
}

/** A grade outside the scale, a pair of another dataset version or a document the corpus lacks is refused. */
function checkJudgment(
  { event, line, file }: LoggedEvent & { file: string },
  base: Dataset,
  scale: GradeScale,
): void {
  const at = (field: string) => ({ file, line, field });
  if (event.dataset !== base.digest) {
    throw new UserError(
      `the judgment was made on a pool of another dataset version (${event.dataset}), not ${base.manifest.name}@${base.manifest.version} (${base.digest})`,
      at('dataset'),
    );
  }
  if (!onScale(scale, event.grade)) throw offScale(scale, event.grade, { file, line });
  if (!base.queries.has(event.qid) && event.query === undefined) {
    throw new UserError(
      `query '${event.qid}' is not in the dataset, and the judgment carries no query text`,
      at('qid'),
    );
  }
  if (base.corpus && !base.corpus.has(event.docid)) {
    throw new UserError(`document '${event.docid}' is not in the dataset's corpus`, at('docid'));
  }
}

function addVote(votes: Map<string, PairVotes>, event: JudgmentEvent): void {
  const key = pairKey(event.qid, event.docid);
  let pair = votes.get(key);
  if (!pair) {
    pair = { qid: event.qid, docid: event.docid, grades: [], ...(event.query ? { query: event.query } : {}) };
    votes.set(key, pair);
  }
  pair.grades.push({ annotator: event.annotator, grade: event.grade as number });
}

function countSource(sources: Map<string, JudgingRecord['sources'][number]>, event: JudgmentEvent): void {
  const date = event.at.slice(0, 10);
  const key = JSON.stringify([event.pool, event.annotator, date]);
  const source = sources.get(key) ?? { pool: event.pool, annotator: event.annotator, date, judgments: 0 };
  source.judgments++;
  sources.set(key, source);
}

function byPair(a: PairVotes, b: PairVotes): number {
  return a.qid < b.qid ? -1 : a.qid > b.qid ? 1 : a.docid < b.docid ? -1 : a.docid > b.docid ? 1 : 0;
}

function describeConflict(pair: PairVotes, published: number | undefined): string {
  const grades = pair.grades.map((g) => `${g.annotator} ${g.grade}`).join(', ');
  return `${pair.qid}/${pair.docid}: ${grades}${published === undefined ? '' : `; the dataset says ${published}`}`;
}
