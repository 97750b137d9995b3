import { seededRandom } from '../src/metrics/random.js';
import type { SystemDescription } from '../src/results/summary.js';
import type { Verdict } from '../src/results/verdict.js';
import { type Hit, NOT_COMPARED, type QuerySpec, type ReportSpec, type SystemSpec } from './report-spec.js';

/**
 * A seeded synthetic report of any size, shaped like a real comparison: 4 systems (an embedding model at
 * two dimensions on one Qdrant alias, the larger one also reranked, and BM25), 10 hits per query, about 5
 * judgments per query (1–3 relevant), most retrieved documents unjudged, per-stage latencies with a long
 * tail, a baseline file (per-query values, no hits) and a verdict.
 */
export function syntheticReportSpec(queryCount: number, seed: number): ReportSpec {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const corpus = Math.max(1000, queryCount * 5);
  const docid = (): string => `doc-${String(Math.floor(random() * corpus)).padStart(7, '0')}`;
  // Titles of a few words and texts of a few hundred characters, as a help centre's articles are; from a
  // stream of their own, so that the queries and hits are those of the same seed without a corpus.
  const wordsRandom = seededRandom(seed + 1);
  const word = (): string => WORDS[Math.floor(wordsRandom() * WORDS.length)] as string;
  const sentence = (words: number): string => Array.from({ length: words }, word).join(' ');
  const documents: NonNullable<ReportSpec['corpus']> = {};
  for (let i = 0; i < corpus; i++) {
    documents[`doc-${String(i).padStart(7, '0')}`] = { title: sentence(4), text: sentence(60) };
  }
  const queries: QuerySpec[] = Array.from({ length: queryCount }, (_, i) => {
    const judgments: Record<string, number> = {};
    const relevant = 1 + Math.floor(random() * 3);
    for (let j = 0; j < 5; j++) judgments[docid()] = j < relevant ? 1 + Math.floor(random() * 2) : 0;
    const words = Array.from({ length: 4 + Math.floor(random() * 8) }, () => pick(WORDS));
    return { id: `q${String(i + 1).padStart(6, '0')}`, text: words.join(' '), judgments };
  });

  /** Top 10: each relevant doc found with probability `skill` and ranked high, the rest filled from the corpus. */
  const retrieve = (skill: number): Hit[][] =>
    queries.map((query) => {
      const candidates = new Map<string, number>();
      for (const [doc, grade] of Object.entries(query.judgments)) {
        if (random() < (grade > 0 ? skill : 0.4)) candidates.set(doc, random() + (grade > 0 ? skill : 0));
      }
      while (candidates.size < 10) candidates.set(docid(), random());
      return [...candidates]
        .sort((a, b) => b[1] - a[1])
        .map(([doc], rank): Hit => [doc, 0.9 - 0.03 * rank - 0.01 * random(), null]);
    });
  /** The first stage's top 10 reordered, relevant documents pulled up; reranker scores descending. */
  const rerank = (firstStage: Hit[][]): Hit[][] =>
    firstStage.map((hits, q) => {
      const judgments = (queries[q] as QuerySpec).judgments;
      return hits
        .map(([doc]) => [doc, random() + ((judgments[doc] ?? 0) > 0 ? 0.6 : 0)] as const)
        .sort((a, b) => b[1] - a[1])
        .map(([doc], rank): Hit => [doc, 1 - rank / 10, 9.5 - 0.8 * rank - 0.2 * random()]);
    });
  /** Log-normal around `median` ms: latencies have a long right tail. */
  const latencies = (median: number): number[] =>
    queries.map(
      () =>
        median * Math.exp(0.5 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())),
    );

  const small = retrieve(0.6);
  const large = retrieve(0.7);
  const embedded = (dimensions: number, hits: Hit[][], skill: number, cost: number): SystemSpec => ({
    id: `te3-small-${dimensions}@notes`,
    description: embedding(dimensions, null),
    hits,
    baseline: { hits: retrieve(skill + 0.02), kept: false },
    latencyMs: { embed: latencies(45), search: latencies(6) },
    costPerQuery: cost,
  });
  const systems: SystemSpec[] = [
    embedded(512, small, 0.6, 0.00000031),
    embedded(1536, large, 0.7, 0.00000031),
    {
      id: 'te3-small-1536@notes+rerank',
      description: embedding(1536, { alias: 'rerank', kind: 'command', depth: 10 }),
      hits: rerank(large),
      firstStage: large,
      baseline: { hits: rerank(retrieve(0.7)), kept: false },
      latencyMs: { embed: latencies(45), search: latencies(6), rerank: latencies(80) },
      costPerQuery: 0.0000021,
    },
    {
      id: 'bm25',
      description: {
        model: null,
        index: { alias: 'bm25', kind: 'bm25', resolved: null },
        reranker: null,
        k: 10,
      },
      hits: retrieve(0.5),
      baseline: { hits: retrieve(0.5), kept: false },
      latencyMs: { search: latencies(2) },
      costPerQuery: null,
    },
  ];
  const dataset = { name: 'support-notes', version: '2026-10', digest: `sha256:${'5eed'.repeat(16)}` };
  return {
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    generatedAt: '2026-11-02T10:15:00.000Z',
    run: { id: 'nightly-311', startedAt: '2026-11-02T09:40:00.000Z', finishedAt: '2026-11-02T10:14:12.000Z' },
    dataset: { ...dataset, queries: queryCount },
    measures: ['R@5', 'P@5', 'RR', 'nDCG@10', 'AP', 'Judged@10'],
    verdict: verdict(systems, dataset, queryCount),
    baseline: { source: 'gates/baselines/main.json', runId: 'main-310' },
    queries,
    systems,
    corpus: documents,
  };
}

function embedding(dimensions: number, reranker: SystemDescription['reranker']): SystemDescription {
  return {
    model: {
      alias: `te3-small-${dimensions}`,
      provider: 'openai',
      model: 'text-embedding-3-small',
      version: '2024-01-25',
      dimensions,
    },
    index: { alias: 'notes', kind: 'qdrant', resolved: `notes_te3s_${dimensions}_v12` },
    reranker,
    k: 10,
  };
}

/** A warn verdict: every system passes its nDCG@10 drop rule, the reranked one warns on latency. */
function verdict(
  systems: SystemSpec[],
  dataset: { name: string; version: string; digest: string },
  judgedQueries: number,
): Verdict {
  const blank = { ...NOT_COMPARED, observed: null };
  return {
    schemaVersion: 1,
    kind: 'gate-verdict',
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    status: 'warn',
    policy: {
      file: 'gates/default.yaml',
      alpha: 0.05,
      test: 'randomization',
      correction: 'holm',
      power: 0.8,
    },
    results: { dir: 'reports/nightly-311', runId: 'nightly-311' },
    dataset: { ...dataset, judgedQueries },
    baseline: { source: 'gates/baselines/main.json', runId: 'main-310', dataset },
    outcomes: [
      ...systems.map((system) => ({
        ...blank,
        rule: 'maxDrop nDCG@10',
        kind: 'maxDrop' as const,
        system: system.id,
        metric: 'nDCG@10',
        level: 'error' as const,
        status: 'pass' as const,
        threshold: 'drop ≤ 0.02 (significant)',
        reason: 'the drop is not significant',
      })),
      {
        ...blank,
        rule: 'latency total',
        kind: 'latency',
        system: 'te3-small-1536@notes+rerank',
        metric: 'latency.total.p95',
        level: 'warn',
        status: 'warn',
        threshold: 'p95 ≤ 150 ms',
        reason: 'p95 is above the budget of 150 ms',
      },
    ],
    detectableEffects: [],
    unjudged: [],
    warnings: [],
  };
}

const WORDS = [
  'chain',
  'brake',
  'tyre',
  'gear',
  'wheel',
  'spoke',
  'saddle',
  'pedal',
  'crank',
  'cable',
  'hub',
  'rotor',
  'pad',
  'bleed',
  'puncture',
  'tubeless',
  'valve',
  'pressure',
  'derailleur',
  'hanger',
  'cassette',
  'shifter',
  'squeal',
  'rub',
  'creak',
  'slip',
  'wobble',
  'worn',
  'adjust',
  'replace',
  'tighten',
  'clean',
  'lube',
  'after',
  'rain',
  'ride',
  'how',
  'why',
  'does',
  'my',
  'keep',
  'when',
  'road',
  'gravel',
  'commute',
  'new',
  'old',
];
