import { bootstrapMeanIntervals } from '../src/metrics/bootstrap.js';
import { evaluateRun } from '../src/metrics/evaluate.js';
import { sortIds } from '../src/metrics/order.js';
import { pairedBootstrap } from '../src/metrics/paired.js';
import { type Measure, makeMeasure, parseMeasureList } from '../src/metrics/registry.js';
import type { Qrels, Run } from '../src/metrics/types.js';
import { withDocTexts } from '../src/report/doc-texts.js';
import { failedReportSystem } from '../src/report/report-data.js';
import type { ReportData, ReportSystem } from '../src/report/report-data.types.js';
import { gateBaselines, gateColours, measuresByBaseline, reportVerdict } from '../src/report/report-gate.js';
import { rerankLists } from '../src/report/report-hits.js';
import { judgedMeasures } from '../src/report/report-judged.js';
import { pairwiseTests } from '../src/report/report-pairwise.js';
import { orderedScores, significant } from '../src/report/significant.js';
import type { SystemDescription } from '../src/results/summary.js';
import type { RuleOutcome, Verdict } from '../src/results/verdict.js';
import { summarizeLatency } from '../src/retrieve/latency.js';

/**
 * A ReportData described the way a person reads a run: queries with their judgments, systems with their top
 * hits. Every measure, interval, curve and lift is then computed by the project's own metric code, so a
 * fixture is consistent (the R@5 a row shows is the R@5 of the hits it opens onto) without hand arithmetic.
 * For the HTML report's tests (small, hand-written specs) and its scale benchmark (synthetic specs).
 */
export interface ReportSpec {
  tool: ReportData['tool'];
  generatedAt: string;
  run: ReportData['run'];
  dataset: { name: string; version: string; digest: string; queries: number };
  measures: string[];
  /** The gate's verdict (gate.json), when the run was gated. */
  verdict: Verdict | null;
  baseline: ReportData['baseline'];
  queries: QuerySpec[];
  systems: SystemSpec[];
  /** The dataset's documents by id, when it has a corpus: what the drill-down shows of each hit. */
  corpus?: Record<string, { title?: string; text: string }>;
}

export interface QuerySpec {
  id: string;
  text: string;
  /** doc id → grade (0 = judged not relevant). */
  judgments: Record<string, number>;
}

/** One hit: doc id, score, reranker score (null below the rerank depth or without a reranker). */
export type Hit = [docid: string, score: number, rerank: number | null];

export interface SystemSpec {
  id: string;
  description: SystemDescription;
  /** Set for a system that failed: it then has no hits. */
  error?: string;
  /** Per query (aligned to `queries`), the top hits best first. */
  hits: Hit[][];
  /** The baseline system's hits; `kept` when the report keeps them (a baseline run folder, not a file). */
  baseline?: { hits: Hit[][]; kept: boolean };
  /** A reranked system's first-stage hits, for the lift. */
  firstStage?: Hit[][];
  /** Per stage, per query, milliseconds. */
  latencyMs: { embed?: number[]; search?: number[]; rerank?: number[] };
  /** Per stage, each batched call's milliseconds, and the calls' sizes. */
  batches?: {
    latencyMs: { embed?: number[]; search?: number[] };
    sizes: { embed: number[]; search: number[] };
  };
  costPerQuery: number | null;
}

/** The fields of a rule outcome that compares nothing with a baseline (floors, budgets). */
export const NOT_COMPARED = {
  baseline: null,
  difference: null,
  ci: null,
  pValue: null,
  adjustedPValue: null,
} satisfies Partial<RuleOutcome>;

const BOOTSTRAP = { samples: 1000, confidence: 0.95, seed: 42 };

export function reportDataFromSpec(spec: ReportSpec): ReportData {
  const positions = new Map(spec.queries.map((query, i) => [query.id, i]));
  const order = sortIds(positions.keys()).map((id) => positions.get(id) as number);
  const queries = order.map((i) => spec.queries[i] as QuerySpec);
  const docs = new DocIndex();
  const qrels: Qrels = new Map(queries.map((query) => [query.id, new Map(Object.entries(query.judgments))]));
  const maxK = Math.min(
    100,
    Math.max(0, ...spec.systems.filter((s) => !s.error).map((s) => s.description.k)),
  );
  const curveK = Array.from({ length: maxK }, (_, i) => i + 1);
  const context: Context = {
    queries,
    order,
    qrels,
    measures: parseMeasureList(spec.measures.join(',')),
    curveK,
    judged: judgedMeasures(spec.verdict, spec.measures),
  };
  const judgments = queries.map((query) =>
    Object.entries(query.judgments)
      .sort(([, a], [, b]) => b - a)
      .map(([docid, grade]): [number, number] => [docs.index(docid), grade]),
  );
  const systems = spec.systems.map((system) =>
    system.error
      ? failedReportSystem(system.id, system.error, system.description)
      : reportSystem(system, spec, context, docs),
  );
  const pairwise = specPairwise(spec, context);
  const data: ReportData = {
    schemaVersion: 1,
    tool: spec.tool,
    generatedAt: spec.generatedAt,
    run: spec.run,
    dataset: { ...spec.dataset, judgedQueries: queries.length },
    measures: spec.measures,
    ...(context.judged.length > 0 ? { judgedMeasures: context.judged } : {}),
    verdict: spec.verdict && reportVerdict(spec.verdict),
    baseline: spec.baseline,
    queries: { ids: queries.map((query) => query.id), texts: queries.map((query) => query.text) },
    judgments,
    curveK,
    systems,
    ...(pairwise ? { pairwise } : {}),
    docs: docs.ids,
  };
  return spec.corpus ? withDocTexts(data, new Map(Object.entries(spec.corpus))) : data;
}

interface Context {
  queries: QuerySpec[];
  /** order[q]: the position in the spec of the report's query q (the report sorts queries by id). */
  order: number[];
  qrels: Qrels;
  measures: Measure[];
  curveK: number[];
  /** The Judged@k the verdict speaks of (judgedMeasures). */
  judged: string[];
}

class DocIndex {
  readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();
  index(docid: string): number {
    let position = this.positions.get(docid);
    if (position === undefined) {
      position = this.ids.push(docid) - 1;
      this.positions.set(docid, position);
    }
    return position;
  }
}

function reportSystem(system: SystemSpec, spec: ReportSpec, context: Context, docs: DocIndex): ReportSystem {
  const aligned = <T>(perSpecQuery: T[]): T[] => context.order.map((i) => perSpecQuery[i] as T);
  const hits = aligned(system.hits);
  const values = evaluate(hits, context, context.measures);
  const intervals = bootstrapMeanIntervals(values, BOOTSTRAP);
  const measures: ReportSystem['measures'] = {};
  context.measures.forEach((measure, m) => {
    const column = values[m] as Float64Array;
    measures[measure.name] = {
      value: mean(column),
      ciLow: intervals[m]?.low ?? null,
      ciHigh: intervals[m]?.high ?? null,
    };
  });
  const compared = comparedWithBaseline(system, spec, context, values);
  const firstStage = system.firstStage && aligned(system.firstStage);
  const stages = Object.fromEntries(
    Object.entries(system.latencyMs).map(([stage, perQuery]) => [stage, aligned(perQuery)]),
  ) as Record<string, number[]>;
  const totals = hits.map((_, q) =>
    Object.values(stages).reduce((sum, perQuery) => sum + (perQuery[q] ?? 0), 0),
  );
  const curves = evaluate(hits, context, [
    ...context.curveK.map((k) => makeMeasure('R', k)),
    ...context.curveK.map((k) => makeMeasure('P', k)),
  ]).map(mean);
  return {
    id: system.id,
    status: 'ok',
    error: null,
    warnings: [],
    description: system.description,
    measures,
    ...(context.judged.length > 0 ? { judged: judgedOf(hits, context) } : {}),
    vsBaseline: compared?.vsBaseline ?? null,
    gate: gateColours(spec.verdict, system.id),
    perQuery: columns(values, context.measures),
    baselinePerQuery: compared?.baselinePerQuery ?? null,
    curves: {
      recall: curves.slice(0, context.curveK.length),
      precision: curves.slice(context.curveK.length),
    },
    lift: firstStage ? lift(values, firstStage, system, context) : null,
    latencyMs: {
      ...Object.fromEntries(
        Object.entries(stages).map(([stage, perQuery]) => [stage, summarizeLatency(perQuery)]),
      ),
      total: summarizeLatency(totals),
    },
    batchLatencyMs: Object.fromEntries(
      Object.entries(system.batches?.latencyMs ?? {}).map(([stage, calls]) => [
        stage,
        summarizeLatency(calls),
      ]),
    ),
    batchSizes: system.batches?.sizes ?? { embed: [], search: [] },
    costPerQuery: system.costPerQuery,
    hits: reportHits(hits, docs, totals),
    ...(system.baseline?.kept ? { baselineHits: reportHits(aligned(system.baseline.hits), docs, null) } : {}),
  };
}

/** The pairwise tests of the systems that ran, over their per-query values as the evaluation has them. */
function specPairwise(spec: ReportSpec, context: Context): ReportData['pairwise'] | null {
  const ran = spec.systems.flatMap((system, i) => (system.error ? [] : [i]));
  const values = new Map(
    ran.map((i) => [
      i,
      evaluate(
        context.order.map((q) => (spec.systems[i] as SystemSpec).hits[q] as Hit[]),
        context,
        context.measures,
      ),
    ]),
  );
  const column = (i: number, measure: string) =>
    values.get(i)?.[context.measures.findIndex((m) => m.name === measure)] as Float64Array;
  return pairwiseTests(
    ran,
    context.measures.filter((m) => m.aggregate === 'mean').map((m) => m.name),
    (a, b, measure) => ({ candidate: column(a, measure), baseline: column(b, measure) }),
  );
}

/** Mean Judged@k of the hits, for each k the verdict speaks of. */
function judgedOf(hits: Hit[][], context: Context): Record<string, number> {
  const measures = parseMeasureList(context.judged.join(','));
  const values = evaluate(hits, context, measures);
  return Object.fromEntries(measures.map((measure, m) => [measure.name, mean(values[m] as Float64Array)]));
}

/** Per measure, per report query: the value of the hits (ranked as listed). */
function evaluate(hits: Hit[][], context: Context, measures: Measure[]): Float64Array[] {
  const run: Run = {
    runId: 'spec',
    // Rank-derived scores: the spec's order is the ranking, whatever its scores are.
    queries: new Map(
      context.queries.map((query, q) => {
        const list = hits[q] ?? [];
        return [
          query.id,
          { docids: list.map(([docid]) => docid), scores: list.map((_, rank) => list.length - rank) },
        ];
      }),
    ),
  };
  return evaluateRun(context.qrels, run, measures, { missing: 'empty' }).values;
}

/**
 * Each measure against the baseline hits of the system it is compared with, as the report does: the
 * system's own, or those of the system the verdict's rule compared it with (its baselineSystem).
 */
function comparedWithBaseline(
  system: SystemSpec,
  spec: ReportSpec,
  context: Context,
  values: Float64Array[],
): Pick<ReportSystem, 'vsBaseline' | 'baselinePerQuery'> | null {
  const vsBaseline: NonNullable<ReportSystem['vsBaseline']> = {};
  const baselinePerQuery: NonNullable<ReportSystem['baselinePerQuery']> = {};
  const names = context.measures.map((measure) => measure.name);
  const groups = measuresByBaseline(names, system.id, gateBaselines(spec.verdict, system.id));
  let found = false;
  for (const [id, group] of groups) {
    const hits = spec.systems.find((other) => other.id === id)?.baseline?.hits;
    if (!hits) continue;
    found = true;
    const measures = context.measures.filter((measure) => group.includes(measure.name));
    const baseline = evaluate(
      context.order.map((i) => hits[i] as Hit[]),
      context,
      measures,
    );
    measures.forEach((measure, m) => {
      const own = values[context.measures.indexOf(measure)] as Float64Array;
      const difference = pairedBootstrap(own, baseline[m] as Float64Array, BOOTSTRAP);
      vsBaseline[measure.name] = {
        difference: difference.mean,
        ciLow: difference.ci.low,
        ciHigh: difference.ci.high,
        ...(id === system.id ? {} : { against: id }),
      };
    });
    Object.assign(baselinePerQuery, columns(baseline, measures));
  }
  return found ? { vsBaseline, baselinePerQuery } : null;
}

function lift(
  values: Float64Array[],
  firstStage: Hit[][],
  system: SystemSpec,
  context: Context,
): ReportSystem['lift'] {
  const depth = system.description.reranker?.depth ?? system.description.k;
  const recallAtDepth = makeMeasure('R', depth);
  const [ceiling, ...before] = evaluate(firstStage, context, [recallAtDepth, ...context.measures]);
  const measures: NonNullable<ReportSystem['lift']>['measures'] = {};
  context.measures.forEach((measure, m) => {
    const difference = pairedBootstrap(values[m] as Float64Array, before[m] as Float64Array, BOOTSTRAP);
    measures[measure.name] = { mean: difference.mean, ciLow: difference.ci.low, ciHigh: difference.ci.high };
  });
  return { measures, ceiling: { measure: recallAtDepth.name, value: mean(ceiling as Float64Array) } };
}

function reportHits(hits: Hit[][], docs: DocIndex, latencyMs: number[] | null): ReportSystem['hits'] {
  return {
    docs: hits.map((list) => list.map(([docid]) => docs.index(docid))),
    scores: hits.map((list) => orderedScores(list.map(([, score]) => score))),
    rerank: rerankLists(
      hits.map((list) =>
        list.some(([, , rerank]) => rerank !== null) ? orderedScores(list.map(([, , rerank]) => rerank)) : [],
      ),
    ),
    latencyMs: hits.map((_, q) => (latencyMs ? significant(latencyMs[q] as number) : null)),
  };
}

/** Per-query values as the report stores them: 4 significant digits. */
function columns(values: Float64Array[], measures: Measure[]): Record<string, (number | null)[]> {
  return Object.fromEntries(
    measures.map((measure, m) => [measure.name, Array.from(values[m] ?? [], significant)]),
  );
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? 0 : sum / values.length;
}
