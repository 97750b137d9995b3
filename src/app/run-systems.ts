import type { RunConfig, SystemConfig } from '../config/types.js';
import type { Dataset } from '../dataset/types.js';
import type { NamedRun } from '../evaluation/evaluate-runs.js';
import type { EvaluationSettings } from '../evaluation/types.js';
import { seededSample } from '../metrics/sample.js';
import type { Run } from '../metrics/types.js';
import { HITS_PER_QUERY } from '../report/report-hits.js';
import type { RunFolderWriter, SystemFiles } from '../results/run-folder-writer.js';
import type { SystemFigures, SystemPlan } from '../results/shard.js';
import type { IndexCheck, SystemDescription, SystemSummary } from '../results/summary.js';
import type { TracedHits } from '../results/trace-reader.js';
import { runSystem, type SystemComponents, type SystemQuery } from '../retrieve/run-system.js';
import type { CorpusDocument, Progress } from '../retrieve/types.js';

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

/** A system's runs as it answered the queries: the final one, its first stage, the ANN check's exact one. */
export interface SystemRuns {
  run: Run;
  firstStage?: Run;
  exact?: Run;
}

/**
 * One system executed over some queries: its plan, its summary so far (status, description, checks,
 * files), and, when it ran, its runs (as written and evaluated), its raw figures and, when it ran here
 * (not merged from shards), each query's top hits as its trace has them.
 */
export interface SystemExecution {
  plan: SystemPlan;
  summary: SystemSummary;
  ran?: {
    runs: SystemRuns;
    named: NamedRun[];
    files: SystemFiles;
    figures: SystemFigures;
    tops?: TracedHits[];
  };
}

export interface ExecuteOptions {
  config: RunConfig;
  dataset: Dataset;
  corpus: CorpusDocument[];
  /** Every query of the dataset, in id order: the ANN check's sample is drawn from them all. */
  allQueries: SystemQuery[];
  /** The queries to answer: all of them, or one shard's. */
  queries: SystemQuery[];
  settings: EvaluationSettings;
  folder: RunFolderWriter;
  build: BuildComponents;
  progress?: Progress | undefined;
  annCheck?: { sample?: number } | undefined;
  /** Unjudged queries each system also answers (sample.trec), never evaluated. */
  sample?: SystemQuery[] | undefined;
}

/**
 * Runs every system of the config over the queries, writing runs and traces as each finishes. A system
 * that fails is recorded as failed with its error and the others still run.
 */
export async function executeSystems(options: ExecuteOptions): Promise<SystemExecution[]> {
  const { config, folder, queries } = options;
  const documentText = textLookup(options.corpus);
  const executions: SystemExecution[] = [];
  for (const system of config.systems) {
    const { tracePath } = folder.startSystem(system.id);
    const summary: SystemSummary = { id: system.id, status: 'ok', description: describe(system, null) };
    const plan = systemPlan(system);
    const execution: SystemExecution = { plan, summary };
    let built: BuiltSystem | undefined;
    try {
      built = await options.build(system, {
        dataset: options.dataset,
        corpus: options.corpus,
        cacheDir: config.cacheDir,
        dir: config.dir,
      });
      summary.description = describe(system, built.index.resolved);
      if (built.indexCheck) summary.indexCheck = built.indexCheck;
      if (built.warnings?.length) summary.warnings = built.warnings;
      // Only an index that can also search exactly is checked; the sample is drawn from every query.
      if (built.index.searchExact) {
        plan.annCheck = checkedQueries(
          options.allQueries,
          system.annCheck ?? options.annCheck,
          options.settings,
        );
      }
      options.progress?.start(system.id, queries.length);
      // This run's share of the checked queries (all of them unless it is a shard).
      const answered = new Set(queries.map((q) => q.id));
      const checked = plan.annCheck?.qids.filter((q) => answered.has(q));
      const result = await runSystem({
        system,
        components: built,
        queries,
        documentText,
        tracePath,
        prices: plan.prices,
        ...(checked ? { annCheck: checked } : {}),
        topHits: HITS_PER_QUERY,
        onProgress: (done) => options.progress?.update(done),
      });
      const exact = result.exact && 'run' in result.exact ? result.exact.run : undefined;
      const runs: SystemRuns = {
        run: result.run,
        ...(result.firstStage ? { firstStage: result.firstStage } : {}),
        ...(exact ? { exact } : {}),
      };
      const { files, runs: named } = writeSystemRuns(folder, plan, runs);
      if (options.sample) {
        const sampled = await runSystem({
          system,
          components: built,
          queries: options.sample,
          documentText,
          tracePath: folder.sampleTracePath(system.id),
          prices: plan.prices,
        });
        files.sample = folder.writeSampleRun(system.id, { ...sampled.run, runId: `${system.id}~sample` });
      }
      const { run: _run, firstStage: _first, exact: exactCheck, tops, ...measured } = result;
      const figures: SystemFigures = {
        ...measured,
        retries: { search: built.index.retries?.() ?? 0, rerank: built.reranker?.retries?.() ?? 0 },
        indexBuild: built.indexBuild,
        ...(exactCheck
          ? { exact: 'run' in exactCheck ? { searchMs: exactCheck.searchMs } : { error: exactCheck.error } }
          : {}),
      };
      execution.ran = { runs, named, files, figures, ...(tops ? { tops } : {}) };
    } catch (error) {
      summary.status = 'failed';
      summary.error = error instanceof Error ? error.message : String(error);
    } finally {
      options.progress?.stop();
      // A command program may name itself late (a hello after its first answer): describe it as it ended.
      if (built) summary.description = describe(system, built.index.resolved);
      await built?.close();
    }
    executions.push(execution);
  }
  return executions;
}

/**
 * Writes a system's runs into the run folder; returns the file names for the summary and the runs for the
 * evaluation (a sampled ANN check's exact run is evaluated on its sample only).
 */
export function writeSystemRuns(
  folder: RunFolderWriter,
  plan: SystemPlan,
  runs: SystemRuns,
): ReturnType<RunFolderWriter['writeSystemRuns']> {
  const sampled = plan.annCheck?.sample ? { qids: plan.annCheck.qids } : {};
  return folder.writeSystemRuns(plan.id, runs.run, {
    firstStage: runs.firstStage,
    exact: runs.exact && { run: runs.exact, ...sampled },
  });
}

function systemPlan(system: SystemConfig): SystemPlan {
  return {
    id: system.id,
    k: system.k,
    rerankerDepth: system.reranker?.depth ?? null,
    prices: prices(system),
    annCheck: null,
    exactIndex: 'exact' in system.index && system.index.exact === true,
  };
}

/** The queries an ANN check covers: all of them, or a sample seeded by the run's seed. */
function checkedQueries(
  queries: SystemQuery[],
  options: ExecuteOptions['annCheck'],
  settings: EvaluationSettings,
): NonNullable<SystemPlan['annCheck']> {
  const ids = queries.map((q) => q.id);
  const size = options?.sample;
  if (size === undefined || size >= ids.length) return { qids: ids, sample: null };
  const seed = settings.bootstrap.seed;
  return { qids: seededSample(ids, size, seed), sample: { size, seed } };
}

function textLookup(corpus: CorpusDocument[]): (docid: string) => string {
  const texts = new Map(corpus.map((doc) => [doc.id, doc.text]));
  return (docid) => texts.get(docid) ?? '';
}

function prices(system: SystemConfig): SystemPlan['prices'] {
  const reranker = system.reranker?.kind === 'lexical' ? undefined : system.reranker;
  return {
    queryTokenPrice: (system.model?.pricePer1MTokens ?? 0) / 1e6,
    rerankTokenPrice: (reranker?.pricePer1kTokens ?? 0) / 1e3,
    rerankSearchUnitPrice: reranker?.pricePerSearchUnit ?? 0,
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
