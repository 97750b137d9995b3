import { basename, resolve } from 'node:path';
import type { RunConfig, SystemConfig } from '../config/types.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { annCutoffs, annRecallFigures } from '../evaluation/ann-check.js';
import { evaluateRuns, type NamedRun } from '../evaluation/evaluate-runs.js';
import { rerankerLift } from '../evaluation/lift.js';
import { evaluationSettings } from '../evaluation/settings.js';
import type { EvaluationFile, EvaluationSettings } from '../evaluation/types.js';
import { checkOutputFolder, shownName } from '../files.js';
import { sortIds } from '../metrics/order.js';
import { parseMeasureList } from '../metrics/registry.js';
import { seededSample } from '../metrics/sample.js';
import { runIdProblem } from '../results/layout.js';
import { RunFolderWriter } from '../results/run-folder-writer.js';
import {
  type AnnCheckRun,
  type IndexCheck,
  RUN_SUMMARY_VERSION,
  type RunSummary,
  type SystemDescription,
  type SystemSummary,
} from '../results/summary.js';
import { summarizeLatency } from '../retrieve/latency.js';
import {
  runSystem,
  type SystemComponents,
  type SystemQuery,
  type SystemRunResult,
} from '../retrieve/run-system.js';
import type { CorpusDocument, Progress } from '../retrieve/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** What building a system's index cost (embedding the corpus), and how to release it. */
export interface BuiltSystem extends SystemComponents {
  indexBuild: { embeddingCalls: number; tokens: number };
  /** What was checked about a live index before querying it (compatibility, missing relevant documents). */
  indexCheck?: IndexCheck;
  /** Things the user should know before trusting the figures (printed, and kept in the summary). */
  warnings?: string[];
  close(): Promise<void>;
}

export interface BuildContext {
  dataset: Dataset;
  corpus: CorpusDocument[];
  cacheDir: string;
  /** The config file's folder: external programs run there. */
  dir: string;
}

export type BuildComponents = (system: SystemConfig, context: BuildContext) => Promise<BuiltSystem>;

export interface RunOptions {
  config: RunConfig;
  /** The reports folder; the run writes into <reportsDir>/<runId>/. */
  reportsDir: string;
  runId?: string;
  build: BuildComponents;
  progress?: Progress;
  /** The ANN check of systems on approximate indexes: every query (default), or a seeded sample of them. */
  annCheck?: { sample?: number };
  /**
   * Unjudged queries (real traffic) each system also answers, after the dataset's: their rankings are
   * written beside the run (sample.trec) for a migration review to compare, and never evaluated.
   */
  sample?: SystemQuery[];
}

export interface RunOutcome {
  dir: string;
  /** The dataset the systems ran over, as loaded. */
  dataset: Dataset;
  summary: RunSummary;
  evaluation: EvaluationFile;
  warnings: string[];
}

/**
 * config → runs → evaluations: executes every system over the dataset's queries, writes runs and traces,
 * evaluates them, and measures reranker lift. A system that fails is recorded as failed with its error and
 * the others still run; nothing unmeasured is reported as a value.
 */
export async function runConfig(options: RunOptions): Promise<RunOutcome> {
  const { config } = options;
  checkRunFolder(options);
  const startedAt = new Date();
  const datasetDir = resolveDataset(config.dataset, config.dir);
  const dataset = loadDataset(datasetDir);
  const measures = parseMeasureList(config.measures.join(','));
  const settings = evaluationSettings(
    measures.map((m) => m.name),
    {},
  );
  const corpus = corpusDocuments(dataset, config);
  const runId = options.runId ?? defaultRunId(startedAt);
  const folder = RunFolderWriter.create(options.reportsDir, runId, config.file);

  const queries: SystemQuery[] = sortIds(dataset.queries.keys()).map((id) => ({
    id,
    text: dataset.queries.get(id)?.text ?? '',
  }));
  const documentText = textLookup(corpus);
  const namedRuns: NamedRun[] = [];
  const outcomes: {
    system: SystemConfig;
    summary: SystemSummary;
    result?: SystemRunResult;
    checked?: CheckedQueries;
  }[] = [];

  const buildWarnings: string[] = [];
  for (const system of config.systems) {
    const { tracePath } = folder.startSystem(system.id);
    const summary: SystemSummary = { id: system.id, status: 'ok', description: describe(system, null) };
    let built: BuiltSystem | undefined;
    try {
      built = await options.build(system, { dataset, corpus, cacheDir: config.cacheDir, dir: config.dir });
      summary.description = describe(system, built.index.resolved);
      if (built.indexCheck) summary.indexCheck = built.indexCheck;
      if (built.warnings?.length) {
        summary.warnings = built.warnings;
        buildWarnings.push(...built.warnings.map((w) => `system '${system.id}': ${w}`));
      }
      options.progress?.start(system.id, queries.length);
      const checked = built.index.searchExact
        ? checkedQueries(queries, system.annCheck ?? options.annCheck, settings)
        : undefined;
      const result = await runSystem({
        system,
        components: built,
        queries,
        documentText,
        tracePath,
        prices: prices(system),
        ...(checked ? { annCheck: checked.qids } : {}),
        onProgress: (done) => options.progress?.update(done),
      });
      const exact = result.exact && 'run' in result.exact ? result.exact.run : undefined;
      const { files, runs } = folder.writeSystemRuns(system.id, result.run, {
        firstStage: result.firstStage,
        exact: exact && { run: exact, ...(checked?.sample ? { qids: checked.qids } : {}) },
      });
      namedRuns.push(...runs);
      if (options.sample) {
        const sampled = await runSystem({
          system,
          components: built,
          queries: options.sample,
          documentText,
          tracePath: folder.sampleTracePath(system.id),
          prices: prices(system),
        });
        files.sample = folder.writeSampleRun(system.id, { ...sampled.run, runId: `${system.id}~sample` });
      }
      Object.assign(summary, operationalFigures(system, result, built), { files });
      // A check that could not run says why; the gate's ann rule fails closed on it.
      if (checked && result.exact && 'error' in result.exact) {
        summary.annCheck = { status: 'failed', ...annCheckRun(system, checked), error: result.exact.error };
      } else if (!checked && searchesExactly(system)) summary.annCheck = { status: 'exact', k: system.k };
      outcomes.push({ system, summary, result, ...(checked ? { checked } : {}) });
    } catch (error) {
      summary.status = 'failed';
      summary.error = error instanceof Error ? error.message : String(error);
      outcomes.push({ system, summary });
    } finally {
      options.progress?.stop();
      // A command program may name itself late (a hello after its first answer): describe it as it ended.
      if (built) summary.description = describe(system, built.index.resolved);
      await built?.close();
    }
  }

  const { evaluation, warnings } = evaluateRuns(dataset, namedRuns, measures, settings);
  folder.writeEvaluation(evaluation);
  const byName = new Map(evaluation.runs.map((r) => [r.name, r]));
  for (const { system, summary, result, checked } of outcomes) {
    const evaluated = byName.get(system.id);
    if (!evaluated || !result) continue;
    summary.measures = evaluated.measures;
    const exactRun = result.exact && 'run' in result.exact ? result.exact : undefined;
    const exactEvaluated = exactRun ? byName.get(exactRun.run.runId) : undefined;
    if (checked && exactRun && exactEvaluated) {
      // The index's own answer: the first stage of a reranked system, what the exact search is compared with.
      const approximate = result.firstStage ?? result.run;
      const figures = annRecallFigures(approximate, exactRun.run, annCutoffs(system.k), settings.bootstrap);
      const latencyMs = summarizeLatency(exactRun.searchMs);
      summary.annCheck = {
        status: 'ok',
        ...annCheckRun(system, checked),
        ...figures,
        exactMeasures: exactEvaluated.measures,
        ...(latencyMs ? { latencyMs } : {}),
      };
    }
    const firstStage = result.firstStage ? byName.get(result.firstStage.runId) : undefined;
    if (firstStage && result.firstStage && system.reranker) {
      summary.firstStage = firstStage.measures;
      summary.lift = rerankerLift(
        evaluated,
        firstStage,
        result.firstStage,
        dataset.qrels,
        system.reranker.depth,
        settings,
      );
    }
  }
  const summary: RunSummary = {
    schemaVersion: RUN_SUMMARY_VERSION,
    kind: 'run-summary',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    runId,
    config: basename(config.file),
    // Where the dataset was read from, so that `report` finds it again (a config may name it by its folder).
    dataset: { ...evaluation.dataset, reference: config.dataset, path: resolve(datasetDir) },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    measures: settings.measures,
    systems: outcomes.map((o) => o.summary),
  };
  folder.writeSummary(summary);
  return { dir: folder.dir, dataset, summary, evaluation, warnings: [...buildWarnings, ...warnings] };
}

/** The queries an ANN check covers: all of them, or a sample seeded by the run's seed. */
interface CheckedQueries {
  qids: string[];
  sample: { size: number; seed: number } | null;
}

function checkedQueries(
  queries: SystemQuery[],
  options: RunOptions['annCheck'],
  settings: EvaluationSettings,
): CheckedQueries {
  const ids = queries.map((q) => q.id);
  const size = options?.sample;
  if (size === undefined || size >= ids.length) return { qids: ids, sample: null };
  const seed = settings.bootstrap.seed;
  return { qids: seededSample(ids, size, seed), sample: { size, seed } };
}

function annCheckRun(system: SystemConfig, checked: CheckedQueries): AnnCheckRun {
  return { k: system.k, queries: checked.qids.length, sample: checked.sample };
}

/** An index configured to search exactly (`exact: true`) loses no neighbours: recorded so the gate can say so. */
function searchesExactly(system: SystemConfig): boolean {
  return 'exact' in system.index && system.index.exact === true;
}

/** The corpus as indexes and rerankers read it: title and text joined, in id order. */
export function corpusDocuments(dataset: Dataset, config: RunConfig): CorpusDocument[] {
  const needsCorpus = config.systems.some((s) => {
    // Live indexes hold their own documents; a reranker over one reads the text from its payload if it can.
    const holdsText = s.index.kind === 'qdrant' && s.index.textField !== undefined;
    const liveIndex = s.index.kind === 'command' || s.index.kind === 'qdrant';
    return !liveIndex || (s.reranker !== undefined && !holdsText);
  });
  if (!dataset.corpus) {
    if (needsCorpus) {
      throw new UserError(
        `dataset ${dataset.manifest.name}@${dataset.manifest.version} has no corpus; embedded and bm25 indexes need one, and so do rerankers unless a qdrant index gives the text (textField)`,
        {
          file: config.file,
          field: 'dataset',
        },
      );
    }
    return [];
  }
  return sortIds(dataset.corpus.keys()).map((id) => {
    const doc = dataset.corpus?.get(id);
    return { id, text: doc?.title ? `${doc.title}\n${doc.text}` : (doc?.text ?? '') };
  });
}

function textLookup(corpus: CorpusDocument[]): (docid: string) => string {
  const texts = new Map(corpus.map((doc) => [doc.id, doc.text]));
  return (docid) => texts.get(docid) ?? '';
}

function prices(system: SystemConfig): {
  queryTokenPrice: number;
  rerankTokenPrice: number;
  rerankSearchUnitPrice: number;
} {
  const reranker = system.reranker?.kind === 'lexical' ? undefined : system.reranker;
  return {
    queryTokenPrice: (system.model?.pricePer1MTokens ?? 0) / 1e6,
    rerankTokenPrice: (reranker?.pricePer1kTokens ?? 0) / 1e3,
    rerankSearchUnitPrice: reranker?.pricePerSearchUnit ?? 0,
  };
}

function operationalFigures(
  system: SystemConfig,
  result: SystemRunResult,
  built: BuiltSystem,
): Partial<SystemSummary> {
  const price = prices(system);
  const queryCost = result.embedding.tokens * price.queryTokenPrice;
  const rerankCost =
    result.rerankTokens * price.rerankTokenPrice + result.rerankSearchUnits * price.rerankSearchUnitPrice;
  const latency = (values: number[]) => summarizeLatency(values);
  return {
    latencyMs: {
      ...(latency(result.latencies.embed) ? { embed: latency(result.latencies.embed) } : {}),
      ...(latency(result.latencies.search) ? { search: latency(result.latencies.search) } : {}),
      ...(latency(result.latencies.rerank) ? { rerank: latency(result.latencies.rerank) } : {}),
      ...(latency(result.latencies.total) ? { total: latency(result.latencies.total) } : {}),
    },
    queriesPerSecond: result.wallMs > 0 ? (result.queries * 1000) / result.wallMs : 0,
    batchLatencyMs: {
      ...(latency(result.batchLatencies.embed) ? { embed: latency(result.batchLatencies.embed) } : {}),
      ...(latency(result.batchLatencies.search) ? { search: latency(result.batchLatencies.search) } : {}),
    },
    batchSizes: { embed: result.embedding.batchSizes, search: result.searchBatchSizes },
    // Transient failures that were survived: a slow or rate-limited upstream shows here, not just as latency.
    retries: {
      embed: result.embedding.retries,
      search: built.index.retries?.() ?? 0,
      rerank: built.reranker?.retries?.() ?? 0,
    },
    tokens: {
      query: result.embedding.tokens,
      indexBuild: built.indexBuild.tokens,
      rerank: result.rerankTokens,
    },
    cost: {
      query: queryCost,
      indexBuild: built.indexBuild.tokens * price.queryTokenPrice,
      rerank: rerankCost,
      perQuery: result.queries > 0 ? (queryCost + rerankCost) / result.queries : 0,
    },
    embeddingCalls: { query: result.embedding.calls, indexBuild: built.indexBuild.embeddingCalls },
    ...(result.embedding.truncated.length > 0 ? { truncatedQueries: result.embedding.truncated } : {}),
  };
}

function describe(system: SystemConfig, resolved: string | null): SystemDescription {
  const { model, index, reranker } = system;
  return {
    model: model
      ? {
          alias: model.alias,
          provider: model.provider,
          model: model.model,
          version: model.version,
          dimensions: model.dimensions ?? null,
        }
      : null,
    index: {
      alias: index.alias,
      kind: index.kind,
      resolved,
      ...(system.search ? { search: system.search } : {}),
    },
    reranker: reranker ? { alias: reranker.alias, kind: reranker.kind, depth: reranker.depth } : null,
    k: system.k,
  };
}

/**
 * The run folder the run will write, checked before anything is read or run: the run id is one path
 * component (never `..`, a separator, a device name or a name too long), and --reports is a folder.
 */
function checkRunFolder(options: RunOptions): void {
  if (options.runId !== undefined) {
    const problem = runIdProblem(options.runId);
    if (problem) {
      throw new UserError(
        `--run-id '${shownName(options.runId)}' cannot name a run folder under ${options.reportsDir}: ${problem}; use letters, digits, '.', '_' and '-' (e.g. nightly-2026-12-03)`,
      );
    }
  }
  checkOutputFolder(options.reportsDir, '--reports');
}

/** "2026-11-22T23-15-04Z": sortable, and safe as a folder name everywhere. */
function defaultRunId(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}
