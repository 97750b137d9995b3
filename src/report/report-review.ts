import { money } from '../gate/format.js';
import type { AgreementFigures, CompletenessFigures, ReviewFile, ReviewSide } from '../results/review.js';
import type { Status } from '../results/verdict.js';
import { clip } from './clip.js';
import { measure } from './gate-figures.js';
import { STATUS, STATUS_MARK } from './gate-markdown.js';
import {
  factsMarkdown,
  figureOr,
  NONE,
  type SectionFact,
  type SectionTable,
  sectionTableMarkdown,
} from './section.js';

/**
 * The report's "Migration review" section (review.json in the run folder): what a release reviewer reads
 * and signs off before `migrate cutover`. Quality against the live system is not repeated here: it is the
 * gate's verdict, which the report shows below. The view holds plain text, escaped where it is drawn
 * (section.ts), since every id, text and file name comes from users.
 */
export interface ReviewSection {
  status: Status;
  /** "May we switch? — ✅ pass" */
  headline: string;
  facts: SectionFact[];
  tables: SectionTable[];
}

/** A top-k list is cut here: ten ids in one cell would push the other columns off the page. */
const LIST_SHOWN = 60;
/** `migrate review` keeps the 10 worst queries; a hand-edited file could hold any number. */
const WORST_SHOWN = 10;
/** Hex digits of a sha256 shown: enough to tell two files apart at a glance. */
const SHA_SHOWN = 12;

export function reviewSection(review: ReviewFile): ReviewSection {
  return {
    status: review.status,
    headline: `May we switch? — ${STATUS[review.status]}`,
    facts: facts(review),
    tables: [
      agreementTable(review.agreement),
      ...review.agreement.flatMap((figures) => (figures.worst.length > 0 ? [worstTable(figures)] : [])),
      completenessTable(review.completeness),
      sidesTable(review.live, review.candidate),
      ...(review.build ? [buildTable(review.build)] : []),
    ],
  };
}

/** The section as Markdown, placed first in report.md. */
export function reviewMarkdown(review: ReviewFile): string {
  const section = reviewSection(review);
  return [
    `## ${section.headline}`,
    factsMarkdown(section.facts),
    'Quality against the live system (the policy’s drop, latency, cost and ANN rules) is the gate’s: see the gate below.',
    ...section.tables.map(sectionTableMarkdown),
  ].join('\n\n');
}

function facts(review: ReviewFile): SectionFact[] {
  const { live, candidate, dataset, sample } = review;
  const store = (side: ReviewSide) => `${side.kind} at ${side.where}`;
  const digested = (file: { file: string; sha256: string }) => `${file.file} (sha256 ${short(file.sha256)})`;
  return [
    { term: 'Systems', value: `${live.system} (live) → ${candidate.system} (candidate)` },
    { term: 'Alias', value: live.alias ?? candidate.alias ?? 'no alias' },
    { term: 'Targets', value: `${live.target} (live) → ${candidate.target} (candidate)` },
    {
      term: 'Store',
      value: store(live) === store(candidate) ? store(live) : `${store(live)} → ${store(candidate)}`,
    },
    { term: 'Reviewed at', value: review.reviewedAt },
    { term: 'Dataset', value: `${dataset.name}@${dataset.version} (${short(dataset.digest)})` },
    ...(sample
      ? [{ term: 'Unjudged sample', value: `${sample.queries} queries of ${digested(sample)}` }]
      : []),
    { term: 'Config', value: digested(review.config) },
    { term: 'Policy', value: digested(review.policy) },
    { term: 'Run', value: review.runId },
  ];
}

const setName = (set: AgreementFigures['set']): string => (set === 'judged' ? 'judged' : 'unjudged sample');

function agreementTable(agreement: AgreementFigures[]): SectionTable {
  return {
    title: 'Agreement with the live system',
    header: ['queries', 'k', 'answered by both', 'mean top-k overlap', 'same first document'],
    classes: ['', 'number', 'number', 'number', 'number'],
    rows: agreement.map((a) => [
      setName(a.set),
      String(a.k),
      String(a.queries),
      measure(a.meanOverlap),
      measure(a.top1Match),
    ]),
    empty: 'No agreement was measured: a system failed before answering.',
  };
}

function worstTable(figures: AgreementFigures): SectionTable {
  const { k } = figures;
  return {
    title: `Least agreeing ${setName(figures.set)} queries at k ${k}`,
    header: ['query', 'text', 'overlap', 'same first', `live top ${k}`, `candidate top ${k}`],
    classes: ['doc', '', 'number', '', 'doc', 'doc'],
    rows: figures.worst
      .slice(0, WORST_SHOWN)
      .map((q) => [
        q.qid,
        clip(q.text),
        measure(q.overlap),
        q.top1 ? `${STATUS_MARK.pass} yes` : `${STATUS_MARK.fail} no`,
        ids(q.live),
        ids(q.candidate),
      ]),
    empty: '',
  };
}

function completenessTable(figures: CompletenessFigures | null): SectionTable {
  const rows: [string, number, string[] | null][] = figures
    ? [
        ['in the corpus', figures.corpus, null],
        ['indexed', figures.indexed, null],
        ['missing from the index', figures.missing, figures.examples.missing],
        ['extra: not in the corpus', figures.extra, figures.examples.extra],
        ['stale: embedded from other text', figures.stale, figures.examples.stale],
        ['no text digest: staleness unknown', figures.unknownDigest, null],
      ]
    : [];
  return {
    title: 'Completeness of the candidate index',
    header: ['documents', 'count', 'for example'],
    classes: ['', 'number', 'doc'],
    rows: rows.map(([what, count, examples]) => [what, String(count), examples ? ids(examples) : '']),
    empty: 'The dataset has no corpus: completeness was not checked.',
  };
}

/** Field by field, the live side beside the candidate's. */
function sidesTable(live: ReviewSide, candidate: ReviewSide): SectionTable {
  const fields: [string, (side: ReviewSide) => string][] = [
    ['system', (s) => s.system],
    ['index', (s) => `${s.index} (${s.kind})`],
    ['searched', (s) => (s.alias ? `${s.alias} → ${s.target}` : s.target)],
    ['ready', (s) => (s.readiness.ready ? `${STATUS_MARK.pass} yes` : `${STATUS_MARK.fail} no`)],
    ['documents', (s) => String(s.readiness.count)],
    ['status', (s) => s.readiness.status ?? NONE],
    ['readiness problems', (s) => list(s.readiness.problems)],
    ['compatibility problems', (s) => list(s.compatibility.problems)],
    ['compatibility warnings', (s) => list(s.compatibility.warnings)],
    ['build record', (s) => (s.buildRecordSha256 ? `sha256 ${short(s.buildRecordSha256)}` : 'none')],
  ];
  return {
    title: 'Readiness and compatibility',
    header: ['', 'live', 'candidate'],
    classes: ['', '', ''],
    rows: fields.map(([name, of]) => [name, of(live), of(candidate)]),
    empty: '',
  };
}

/** The candidate index's build as its record gives it (the schema leaves `build` free: see figureOr). */
function buildTable(build: NonNullable<ReviewFile['build']>): SectionTable {
  return {
    title: 'The candidate index’s build',
    header: ['documents', 'tokens', 'cost', 'duration', 'built at'],
    classes: ['number', 'number', 'number', 'number', ''],
    rows: [
      [
        figureOr(build.documents, String),
        figureOr(build.tokens, String),
        figureOr(build.cost, money),
        figureOr(build.durationMs, (ms) => `${(ms / 1000).toFixed(1)} s`),
        typeof build.builtAt === 'string' && build.builtAt !== '' ? build.builtAt : NONE,
      ],
    ],
    empty: '',
  };
}

const ids = (list: string[]): string => (list.length > 0 ? clip(list.join(', '), LIST_SHOWN) : NONE);
const list = (items: string[]): string => (items.length > 0 ? items.join('; ') : NONE);

/** "sha256:0123456789ab…" or "0123456789ab…": the prefix, when there is one, and SHA_SHOWN hex digits. */
function short(digest: string): string {
  const prefix = digest.startsWith('sha256:') ? 'sha256:'.length : 0;
  return digest.length > prefix + SHA_SHOWN ? `${digest.slice(0, prefix + SHA_SHOWN)}…` : digest;
}
