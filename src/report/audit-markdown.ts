import { formatDuration } from '../durations.js';
import { percent } from '../gate/format.js';
import type { AuditCounts, AuditFile, AuditItem, AuditLists, AuditPending } from '../results/audit.js';
import { clip } from './clip.js';
import {
  factsMarkdown,
  figureOr,
  NONE,
  type SectionFact,
  type SectionTable,
  sectionTableMarkdown,
} from './section.js';

/**
 * An index audit (audit.json) as a report section: audit.md and audit.html beside it, and the run report's
 * audit section when a run folder holds one. Whether the index may serve is the gate's (its consistency
 * rules); this shows what was found. Ids and reasons come from the source and the index: plain text here,
 * escaped where it is drawn (section.ts).
 */
export interface AuditSection {
  /** "Index audit: 97.4 % complete" */
  headline: string;
  facts: SectionFact[];
  /** The counts, and the oldest and newest documents waiting to be indexed. */
  tables: SectionTable[];
  /** Over the lists, when there are any: where the rest of them is. */
  note: string;
  /** The first ids of each inconsistency found. */
  lists: SectionTable[];
  figures: SectionTable;
}

/** Ids listed per inconsistency: enough to start looking; a sync takes them all from audit.json. */
export const LISTED = 20;

const LISTS: { list: keyof AuditLists; title: string }[] = [
  { list: 'missing', title: 'Missing' },
  { list: 'orphaned', title: 'Orphaned' },
  { list: 'stale', title: 'Stale' },
  { list: 'foreign', title: 'Foreign' },
];

const COUNTS: { count: keyof AuditCounts; what: string }[] = [
  { count: 'missing', what: 'missing: live rows with no point' },
  { count: 'orphaned', what: 'orphaned: points of no live row' },
  { count: 'stale', what: 'stale: embedded from older content' },
  { count: 'foreign', what: 'foreign: embedded by another model' },
  { count: 'unknownDigest', what: 'no content digest: staleness unknown' },
  { count: 'unknownModel', what: 'no model recorded: foreignness unknown' },
];

export function auditSection(audit: AuditFile): AuditSection {
  const listed = LISTS.filter(({ list }) => audit.lists[list].length > 0);
  return {
    headline: `Index audit: ${completeness(audit.completeness)} complete`,
    facts: facts(audit),
    tables: [countsTable(audit), pendingTable(audit)],
    note:
      listed.length > 0
        ? `Each list shows at most its first ${LISTED} documents; audit.json holds the full lists.`
        : '',
    lists: listed.map(({ list, title }) => listTable(title, audit.lists[list])),
    figures: figuresTable(audit.figures),
  };
}

/** The section as Markdown: audit.md, and the run report's audit section. */
export function auditMarkdown(audit: AuditFile): string {
  const { headline, facts, tables, note, lists, figures } = auditSection(audit);
  return `${[
    `## ${headline}`,
    factsMarkdown(facts),
    ...tables.map(sectionTableMarkdown),
    ...(note ? [`_${note}_`] : []),
    ...lists.map(sectionTableMarkdown),
    sectionTableMarkdown(figures),
  ].join('\n\n')}\n`;
}

/** Rounded down, so an index missing one row in a thousand never reads as 100 %. */
function completeness(share: number): string {
  // The epsilon keeps a float product such as 0.289 × 1000 = 288.99999999999994 from losing its last digit.
  return `${(Math.floor(share * 1000 + 1e-9) / 10).toFixed(1)} %`;
}

function facts(audit: AuditFile): SectionFact[] {
  const { index, source } = audit;
  return [
    {
      term: 'Index',
      value: `${index.alias}: ${index.storeAlias ? `${index.storeAlias} → ` : ''}${index.target}`,
    },
    { term: 'Store', value: `${index.kind} at ${index.where}` },
    { term: 'Model', value: index.model ?? 'none recorded by the build: foreign points cannot be told' },
    { term: 'Against', value: `${source.name} (${source.description})` },
    {
      term: 'Rows',
      value: `${source.rows} in the source (${source.live} live, ${source.deleted} deleted), ${audit.points} points in the index`,
    },
    { term: 'Audited at', value: audit.auditedAt },
    {
      term: 'Completeness',
      value: `${completeness(audit.completeness)} of the live rows have an up-to-date point`,
    },
  ];
}

function countsTable(audit: AuditFile): SectionTable {
  const { live } = audit.source;
  return {
    title: 'Inconsistencies',
    header: ['documents', 'count', 'share of live rows'],
    classes: ['', 'number', 'number'],
    rows: COUNTS.map(({ count, what }) => {
      const n = audit.counts[count];
      return [what, String(n), live > 0 ? percent(n / live) : NONE];
    }),
    empty: '',
  };
}

function pendingTable(audit: AuditFile): SectionTable {
  const pending: [string, AuditPending | null][] = [
    ['oldest unresolved', audit.oldestUnresolved],
    ['newest unindexed', audit.newestUnindexed],
  ];
  const waiting = audit.counts.missing + audit.counts.stale;
  return {
    title: 'Waiting to be indexed',
    header: ['', 'document', 'changed at', 'age'],
    classes: ['', 'doc', '', 'number'],
    rows: pending.flatMap(([what, p]) =>
      p ? [[what, clip(p.id), p.updatedAt, formatDuration(p.ageMs)]] : [],
    ),
    empty:
      waiting === 0
        ? 'Nothing: no document is missing or stale.'
        : 'The missing and stale documents have no change time: the source gives none.',
  };
}

function listTable(title: string, items: AuditItem[]): SectionTable {
  const more = items.length > LISTED ? `, the first ${LISTED} shown` : '';
  return {
    title: `${title} (${items.length}${more})`,
    header: ['document', 'point', 'changed at', 'why'],
    classes: ['doc', 'doc', '', ''],
    rows: items
      .slice(0, LISTED)
      .map((item) => [
        clip(item.id),
        item.pointId === undefined ? NONE : clip(String(item.pointId)),
        item.updatedAt ?? NONE,
        item.reason === undefined ? NONE : clip(item.reason),
      ]),
    empty: '',
  };
}

/** The schema leaves `figures` free, so a file without them (or with a figure that is not one) still reports. */
function figuresTable(figures: Partial<AuditFile['figures']> | undefined): SectionTable {
  const perSecond = (x: number) => x.toFixed(0);
  return {
    title: 'Figures',
    header: ['duration', 'rows/s', 'points/s', 'peak RSS'],
    classes: ['number', 'number', 'number', 'number'],
    rows: figures
      ? [
          [
            figureOr(figures.durationMs, (ms) =>
              ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms),
            ),
            figureOr(figures.rowsPerSecond, perSecond),
            figureOr(figures.pointsPerSecond, perSecond),
            figureOr(figures.peakRssBytes, (bytes) => `${(bytes / 1e6).toFixed(0)} MB`),
          ],
        ]
      : [],
    empty: 'audit.json records no figures.',
  };
}
