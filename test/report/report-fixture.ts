import {
  type Hit,
  NOT_COMPARED,
  type ReportSpec,
  reportDataFromSpec,
  type SystemSpec,
} from '../../bench/report-spec.js';
import type { ReportData } from '../../src/report/report-data.types.js';
import type { SystemDescription } from '../../src/results/summary.js';
import type { RuleOutcome, Verdict } from '../../src/results/verdict.js';

/**
 * A small realistic report: six queries of a bike-repair help centre, three systems on one Qdrant alias
 * (hashing embeddings at 128 and 512 dimensions: a dimension sweep; the 512 one also reranked), a baseline
 * run folder (so its hits are kept) for the two unreranked systems, and a failing verdict.
 *
 * What the tests rely on: against its baseline, hash-128@kb lost most on q05 (R@5 1 → 1/3), then q03 and q06
 * (1 → 1/2); its q05 hits are chain-lube (judged not relevant), chain-wear (relevant, grade 1), and three
 * unjudged documents; it missed gear-indexing and derailleur-hanger. UNJUDGED lists every unjudged pair.
 */
export function reportSpec(): ReportSpec {
  return structuredClone({
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    generatedAt: '2026-11-02T10:15:00.000Z',
    run: { id: 'pr-42', startedAt: '2026-11-02T10:12:01.000Z', finishedAt: '2026-11-02T10:12:09.500Z' },
    dataset: {
      name: 'bike-repair',
      version: '1.0.0',
      digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
      queries: 8,
    },
    measures: ['R@5', 'nDCG@10', 'RR', 'P@5'],
    verdict: VERDICT,
    baseline: { source: 'reports/main', runId: 'main-41' },
    queries: QUERIES,
    corpus: CORPUS,
    systems: [
      {
        id: 'hash-128@kb',
        description: describe(128, null),
        hits: ranked(CURRENT_128),
        baseline: { hits: ranked(BASELINE_128), kept: true },
        latencyMs: { embed: latencies(0.2), search: latencies(1.1) },
        batches: { latencyMs: { embed: [1.6], search: [4.8, 2.4] }, sizes: { embed: [8], search: [4] } },
        costPerQuery: 0.0000012,
      },
      {
        id: 'hash-512@kb',
        description: describe(512, null),
        hits: ranked(CURRENT_512),
        baseline: { hits: ranked(BASELINE_512), kept: true },
        latencyMs: { embed: latencies(0.5), search: latencies(2.3) },
        costPerQuery: 0.0000031,
      },
      {
        id: 'hash-512@kb+lexical',
        description: describe(512, { alias: 'lexical', kind: 'lexical', depth: 20 }),
        hits: ranked(RERANKED_512, true),
        firstStage: ranked(CURRENT_512),
        latencyMs: { embed: latencies(0.5), search: latencies(2.3), rerank: latencies(4.8) },
        costPerQuery: 0.0000045,
      },
    ] satisfies SystemSpec[],
  });
}

export function reportFixture(): ReportData {
  return reportDataFromSpec(reportSpec());
}

/** Index 0 is the system the drill-down opens on. */
export const SYSTEM_IDS = ['hash-128@kb', 'hash-512@kb', 'hash-512@kb+lexical'];

const QUERIES: ReportSpec['queries'] = [
  {
    id: 'q01',
    text: 'how do I know my chain is worn',
    judgments: { 'chain-wear': 2, 'chain-lube': 0, 'torque-specs': 0 },
  },
  {
    id: 'q02',
    text: 'brakes squeal after a wet ride',
    judgments: { 'brake-pads': 2, 'brake-bleed': 1, 'chain-lube': 0 },
  },
  {
    id: 'q03',
    text: 'what tyre pressure for gravel',
    judgments: { 'tyre-pressure': 2, 'tubeless-setup': 1, 'puncture-repair': 0 },
  },
  {
    id: 'q04',
    text: 'fix a flat on the road',
    judgments: { 'puncture-repair': 2, 'tubeless-setup': 1, 'tyre-pressure': 0 },
  },
  {
    id: 'q05',
    text: 'gears skip under load',
    judgments: { 'gear-indexing': 2, 'derailleur-hanger': 2, 'chain-wear': 1, 'chain-lube': 0 },
  },
  { id: 'q06', text: 'wheel wobbles side to side', judgments: { 'wheel-truing': 2, 'spoke-tension': 1 } },
];

/** The help centre's articles; the chain-wear one is long, so the page shows its start until expanded. */
export const CORPUS: NonNullable<ReportSpec['corpus']> = {
  'chain-wear': {
    title: 'Measuring chain wear',
    text: `A worn chain skips and wears the cassette.\n\nUse a chain checker: at 0.5 % stretch replace the chain. ${'Check it every 500 km. '.repeat(20)}`,
  },
  'chain-lube': { title: 'Lubricating your chain', text: 'Wipe, then apply one drop per roller.' },
  'torque-specs': { title: 'Torque specifications', text: 'Stem bolts 5 Nm, seatpost clamp 6 Nm.' },
  'brake-pads': { title: 'Replacing brake pads', text: 'Squeal after rain often means glazed pads.' },
  'brake-bleed': { title: 'Bleeding hydraulic brakes', text: 'A spongy lever needs a bleed.' },
  'tyre-pressure': { title: 'Tyre pressure', text: 'Gravel: 2.0–2.8 bar depending on width and weight.' },
  'tubeless-setup': { title: 'Setting up tubeless', text: 'Seat the bead, then add 60 ml of sealant.' },
  'puncture-repair': { title: 'Fixing a puncture', text: 'Find the hole, patch it, check the tyre.' },
  'gear-indexing': { title: 'Indexing your gears', text: 'Turn the barrel adjuster a quarter turn.' },
  'derailleur-hanger': { title: 'A bent derailleur hanger', text: 'A bent hanger makes gears skip.' },
  'wheel-truing': { title: 'Truing a wheel', text: 'Tighten spokes on the side opposite the wobble.' },
  'spoke-tension': { title: 'Spoke tension', text: 'Even tension keeps a wheel true.' },
  'headset-play': { text: 'Rock the bike with the front brake on; a knock means play.' },
  'bottom-bracket': { title: 'Bottom bracket creaks', text: 'Clean and grease the threads.' },
  'saddle-height': { title: 'Saddle height', text: 'Heel on the pedal, leg straight.' },
};

/** Top 5 per query (q01 … q06), best first. */
const CURRENT_128 = [
  'chain-lube chain-wear gear-indexing saddle-height torque-specs',
  'brake-bleed chain-lube brake-pads headset-play wheel-truing',
  'tubeless-setup puncture-repair saddle-height spoke-tension chain-lube',
  'tyre-pressure tubeless-setup puncture-repair brake-pads chain-wear',
  'chain-lube chain-wear bottom-bracket headset-play torque-specs',
  'spoke-tension headset-play tyre-pressure saddle-height brake-pads',
];
const BASELINE_128 = [
  'chain-wear chain-lube gear-indexing saddle-height torque-specs',
  'brake-pads brake-bleed chain-lube headset-play wheel-truing',
  'tyre-pressure tubeless-setup puncture-repair saddle-height chain-lube',
  'tubeless-setup tyre-pressure puncture-repair brake-pads chain-wear',
  'gear-indexing derailleur-hanger chain-wear chain-lube bottom-bracket',
  'spoke-tension wheel-truing tyre-pressure saddle-height brake-pads',
];
const CURRENT_512 = [
  'chain-wear chain-lube torque-specs gear-indexing bottom-bracket',
  'brake-pads brake-bleed chain-lube wheel-truing headset-play',
  'tyre-pressure tubeless-setup puncture-repair spoke-tension saddle-height',
  'puncture-repair tubeless-setup tyre-pressure chain-wear brake-pads',
  'derailleur-hanger chain-wear gear-indexing chain-lube bottom-bracket',
  'wheel-truing spoke-tension tyre-pressure headset-play saddle-height',
];
const BASELINE_512 = [
  'chain-wear chain-lube torque-specs gear-indexing bottom-bracket',
  'brake-pads brake-bleed chain-lube wheel-truing headset-play',
  'tyre-pressure tubeless-setup puncture-repair spoke-tension saddle-height',
  'tubeless-setup puncture-repair tyre-pressure chain-wear brake-pads',
  'derailleur-hanger gear-indexing chain-wear chain-lube bottom-bracket',
  'wheel-truing spoke-tension tyre-pressure headset-play saddle-height',
];
const RERANKED_512 = [
  'chain-wear torque-specs chain-lube gear-indexing bottom-bracket',
  'brake-pads brake-bleed wheel-truing chain-lube headset-play',
  'tyre-pressure puncture-repair tubeless-setup spoke-tension saddle-height',
  'puncture-repair tyre-pressure tubeless-setup chain-wear brake-pads',
  'derailleur-hanger gear-indexing chain-wear chain-lube bottom-bracket',
  'wheel-truing spoke-tension headset-play tyre-pressure saddle-height',
];

/**
 * Every (query, document) pair some system returned but nobody judged, as the page lists them: query order,
 * then systems in report order and rank order, each pair once.
 */
export const UNJUDGED: [string, string][] = [
  ['q01', 'gear-indexing'],
  ['q01', 'saddle-height'],
  ['q01', 'bottom-bracket'],
  ['q02', 'headset-play'],
  ['q02', 'wheel-truing'],
  ['q03', 'saddle-height'],
  ['q03', 'spoke-tension'],
  ['q03', 'chain-lube'],
  ['q04', 'brake-pads'],
  ['q04', 'chain-wear'],
  ['q05', 'bottom-bracket'],
  ['q05', 'headset-play'],
  ['q05', 'torque-specs'],
  ['q06', 'headset-play'],
  ['q06', 'tyre-pressure'],
  ['q06', 'saddle-height'],
  ['q06', 'brake-pads'],
];

/** Hits from space-separated ids: descending scores, and reranker scores for a reranked list. */
function ranked(lists: string[], reranked = false): Hit[][] {
  return lists.map((list) =>
    list
      .split(' ')
      .map((docid, rank): Hit => [docid, 0.82 - 0.06 * rank, reranked ? 11.4 - 1.7 * rank : null]),
  );
}

/** Six per-query latencies around `ms`. */
function latencies(ms: number): number[] {
  return [1, 0.8, 1.3, 0.9, 1.1, 2.4].map((factor) => ms * factor);
}

function describe(dimensions: number, reranker: SystemDescription['reranker']): SystemDescription {
  return {
    model: {
      alias: `hash-${dimensions}`,
      provider: 'hashing',
      model: 'hashing-ngrams',
      version: '1',
      dimensions,
    },
    index: { alias: 'kb', kind: 'qdrant', resolved: 'kb_2026_10' },
    reranker,
    k: 5,
  };
}

const OUTCOMES: RuleOutcome[] = [
  {
    rule: 'maxDrop R@5',
    kind: 'maxDrop',
    system: 'hash-128@kb',
    metric: 'R@5',
    level: 'error',
    status: 'fail',
    observed: 0.7222,
    baseline: 1,
    difference: -0.2778,
    ci: { low: -0.4444, high: -0.1111 },
    pValue: 0.031,
    adjustedPValue: 0.031,
    threshold: 'drop ≤ 0.03 (significant)',
    reason:
      'R@5 dropped 0.2778 (1.0000 → 0.7222, 6 queries), more than the allowed 0.0300, and the drop is significant (p = 0.0310 < 0.05)',
  },
  {
    ...NOT_COMPARED,
    rule: 'latency rerank',
    kind: 'latency',
    system: 'hash-512@kb+lexical',
    metric: 'latency.total.p95',
    level: 'warn',
    status: 'warn',
    observed: 19.2,
    threshold: 'p95 ≤ 15 ms',
    reason: 'p95 19.2 ms is above the budget of 15.0 ms',
  },
  {
    ...NOT_COMPARED,
    rule: 'floor R@5',
    kind: 'floor',
    system: 'hash-512@kb',
    metric: 'R@5',
    level: 'error',
    status: 'pass',
    observed: 1,
    ci: { low: 1, high: 1 },
    threshold: '≥ 0.8',
    reason: 'R@5 1.0000 is at or above the floor 0.8',
  },
];

const VERDICT: Verdict = {
  schemaVersion: 1,
  kind: 'gate-verdict',
  tool: { name: 'retrieval-gate', version: '0.1.0' },
  status: 'fail',
  policy: { file: 'gates/default.yaml', alpha: 0.05, test: 'randomization', correction: 'holm', power: 0.8 },
  results: { dir: 'reports/pr-42', runId: 'pr-42' },
  dataset: {
    name: 'bike-repair',
    version: '1.0.0',
    digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
    judgedQueries: 6,
  },
  baseline: {
    source: 'reports/main',
    runId: 'main-41',
    dataset: { name: 'bike-repair', version: '1.0.0', digest: `sha256:${'0123456789abcdef'.repeat(4)}` },
  },
  outcomes: OUTCOMES,
  detectableEffects: [],
  unjudged: [],
  warnings: ['hash-512@kb+lexical has no baseline system of the same id: its drops were not checked'],
};

/**
 * Strings a hostile dataset, config or run could carry: script tags, a tag that closes the JSON block, an
 * event handler, a javascript: URL, a comment opener, and a Handlebars expression that would run if data
 * were ever compiled as a template. Each would set window.__pwned if it ran.
 */
export const PAYLOADS = [
  '<script>window.__pwned=1</script>',
  '</script><script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1">',
  'javascript:window.__pwned=1',
  "{{constructor.constructor('window.__pwned=1')()}}",
  '<!--<script>window.__pwned=1</script>-->',
];

const payload = (i: number): string => PAYLOADS[i % PAYLOADS.length] as string;

/**
 * The realistic report with a payload in every string the page shows: query texts, doc ids, system ids,
 * aliases, the dataset, run and policy names, rule reasons and warnings.
 */
export function hostileFixture(): ReportData {
  const spec = reportSpec();
  const docs = new Map<string, string>();
  const doc = (id: string): string => {
    if (!docs.has(id)) docs.set(id, `${payload(docs.size)}${id}`);
    return docs.get(id) as string;
  };
  const systems = new Map(spec.systems.map((system, i) => [system.id, `${payload(i)}${system.id}`]));
  const hits = (lists: Hit[][]): Hit[][] => lists.map((list) => list.map(([id, s, r]) => [doc(id), s, r]));
  spec.corpus = Object.fromEntries(
    Object.keys(CORPUS).map((id, i) => [doc(id), { title: payload(i), text: payload(i + 1) }]),
  );
  spec.dataset.name = payload(0);
  spec.run.id = payload(1);
  spec.queries = spec.queries.map((query, i) => ({
    id: `${query.id}${payload(i)}`,
    text: payload(i + 2),
    judgments: Object.fromEntries(Object.entries(query.judgments).map(([id, grade]) => [doc(id), grade])),
  }));
  spec.systems = spec.systems.map((system, i) => ({
    ...system,
    id: systems.get(system.id) as string,
    description: {
      ...system.description,
      model: system.description.model && { ...system.description.model, alias: payload(i + 3) },
      index: { ...system.description.index, resolved: payload(i + 4) },
    },
    hits: hits(system.hits),
    ...(system.baseline && { baseline: { ...system.baseline, hits: hits(system.baseline.hits) } }),
    ...(system.firstStage && { firstStage: hits(system.firstStage) }),
  }));
  const verdict = spec.verdict as Verdict;
  verdict.policy.file = payload(2);
  verdict.warnings = [payload(3)];
  verdict.outcomes = verdict.outcomes.map((outcome, i) => ({
    ...outcome,
    system: systems.get(outcome.system) as string,
    reason: payload(i),
  }));
  const data = reportDataFromSpec(spec);
  (data.systems[0] as ReportData['systems'][number]).warnings = [`collection lacks ${payload(5)}`];
  return data;
}
