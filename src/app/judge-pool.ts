import { join, resolve } from 'node:path';
import { readJsonl } from '../dataset/jsonl.js';
import { loadDataset } from '../dataset/native.js';
import { type PoolHeader, type PoolItem, writePoolFile } from '../dataset/pool-file.js';
import { resolveDataset } from '../dataset/resolve.js';
import type { Dataset, QueryRecord } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { type PoolPair, type PoolSource, poolPairs } from '../evaluation/pool.js';
import type { Run } from '../metrics/types.js';
import { RUN_FILES } from '../results/layout.js';
import { loadRunFolder } from '../results/run-folder.js';
import type { RunSummary } from '../results/summary.js';
import { readSampleRun, readSystemRun } from '../results/system-files.js';
import { recordedDataset } from './recorded-dataset.js';

export interface JudgePoolOptions {
  /** Run folders (reports/<run-id>/) whose systems are pooled. */
  from: string[];
  depth: number;
  /** Only these systems (their ids, or <run-id>/<id> where two folders share an id). */
  systems?: string[];
  out: string;
  /** The dataset the runs were measured on; default: the one their summaries record. */
  dataset?: string;
  /** Unjudged production queries (JSONL of {id, text}) the runs answered as their sample. */
  queries?: string;
  cwd?: string;
}

export interface JudgePoolOutcome {
  out: string;
  header: PoolHeader;
  /** Queries with at least one pair in the pool. */
  queries: number;
  warnings: string[];
}

interface FolderSystem {
  dir: string;
  runId: string;
  id: string;
  name: string;
}

/**
 * `judge pool`: TREC pooling over run folders, written as pool.jsonl in judging order with the text a person
 * reads. Production queries (`queries`) are pooled from the systems' runs over the sample.
 */
export function judgePool(options: JudgePoolOptions): JudgePoolOutcome {
  const cwd = options.cwd ?? process.cwd();
  const folders = options.from.map((dir) => ({
    dir: resolve(cwd, dir),
    ...loadRunFolder(resolve(cwd, dir)),
  }));
  const first = folders[0];
  if (!first) throw new UserError('give at least one run folder with --from');
  for (const folder of folders.slice(1)) {
    if (folder.summary.dataset.digest !== first.summary.dataset.digest) {
      throw new UserError(
        `was measured on ${describeDataset(folder.summary)}, but ${first.dir} on ${describeDataset(first.summary)}: a pool is drawn for one dataset version`,
        { file: join(folder.dir, RUN_FILES.summary), field: 'dataset.digest' },
      );
    }
  }
  const dataset = options.dataset
    ? loadDataset(resolveDataset(options.dataset, cwd))
    : recordedDataset(first.summary.dataset, first.dir, cwd);
  if (dataset.digest !== first.summary.dataset.digest) {
    throw new UserError(
      `the dataset ${dataset.manifest.name}@${dataset.manifest.version} (${dataset.digest}) is not the one the runs were measured on, ${describeDataset(first.summary)}`,
      { file: dataset.dir },
    );
  }
  const corpus = dataset.corpus;
  if (!corpus)
    throw new UserError('the dataset has no corpus: a pool needs the documents’ text', { file: dataset.dir });
  const systems = pickSystems(
    folders.flatMap(({ dir, summary }) => okSystems(dir, summary)),
    options.systems,
  );
  const production = options.queries
    ? readProductionQueries(resolve(cwd, options.queries), dataset)
    : undefined;

  const judged = poolPairs(sources(systems, readSystemRun), dataset.qrels, options.depth);
  const sampled = production
    ? poolPairs(sources(systems, readSampleRun), new Map(), options.depth, new Set(production.keys()))
    : [];
  const warnings: string[] = [];
  const items: PoolItem[] = [];
  let absent = 0;
  const add = (pair: PoolPair, query: QueryRecord | undefined, isProduction: boolean): void => {
    const document = corpus.get(pair.docid);
    if (!document || !query) {
      absent++;
      return;
    }
    items.push({
      qid: pair.qid,
      docid: pair.docid,
      query: query.text,
      document: { ...(document.title ? { title: document.title } : {}), text: document.text },
      systems: pair.systems,
      bestRank: pair.bestRank,
      disagreement: Math.round(pair.disagreement * 1e4) / 1e4,
      ...(isProduction ? { production: true as const } : {}),
    });
  };
  for (const pair of judged) add(pair, dataset.queries.get(pair.qid), false);
  for (const pair of sampled) add(pair, production?.get(pair.qid), true);
  if (absent > 0)
    warnings.push(`${absent} retrieved document(s) are not in the corpus and were left out of the pool`);
  if (production) {
    const answered = new Set(sampled.map((pair) => pair.qid));
    const unanswered = [...production.keys()].filter((qid) => !answered.has(qid));
    if (unanswered.length > 0) {
      warnings.push(
        `${unanswered.length} production quer${unanswered.length === 1 ? 'y has' : 'ies have'} no ranking in the run folders (run with these queries as the sample to pool them), e.g. ${unanswered.slice(0, 3).join(', ')}`,
      );
    }
  }
  const out = resolve(cwd, options.out);
  const header = writePoolFile(
    out,
    {
      dataset: { name: dataset.manifest.name, version: dataset.manifest.version, digest: dataset.digest },
      depth: options.depth,
      systems: systems.map((system) => system.name),
      runs: folders.map((folder) => folder.dir),
      ...(options.queries ? { queries: resolve(cwd, options.queries) } : {}),
    },
    items,
  );
  return { out, header, queries: new Set(items.map((item) => item.qid)).size, warnings };
}

function describeDataset(summary: RunSummary): string {
  return `${summary.dataset.name}@${summary.dataset.version} (${summary.dataset.digest})`;
}

/** The systems that ran in a folder; an id two folders share is named <run-id>/<id>. */
function okSystems(dir: string, summary: RunSummary): FolderSystem[] {
  return summary.systems
    .filter((system) => system.status === 'ok')
    .map((system) => ({ dir, runId: summary.runId, id: system.id, name: system.id }));
}

function pickSystems(all: FolderSystem[], wanted: string[] | undefined): FolderSystem[] {
  const count = new Map<string, number>();
  for (const system of all) count.set(system.id, (count.get(system.id) ?? 0) + 1);
  const named = all.map((system) =>
    (count.get(system.id) ?? 0) > 1 ? { ...system, name: `${system.runId}/${system.id}` } : system,
  );
  if (!wanted) return named;
  const unknown = wanted.filter(
    (name) => !named.some((system) => system.name === name || system.id === name),
  );
  if (unknown.length > 0) {
    throw new UserError(
      `--systems names ${unknown.map((name) => `'${name}'`).join(', ')}, not among the systems that ran: ${named.map((system) => system.name).join(', ')}`,
    );
  }
  return named.filter((system) => wanted.includes(system.name) || wanted.includes(system.id));
}

function sources(systems: FolderSystem[], read: (dir: string, id: string) => Run | string): PoolSource[] {
  return systems.flatMap((system) => {
    const run = read(system.dir, system.id);
    return typeof run === 'string' ? [] : [{ system: system.name, run }];
  });
}

/** Production queries, refusing one the dataset already has: its judgments would merge into another query. */
function readProductionQueries(path: string, dataset: Dataset): Map<string, QueryRecord> {
  const queries = new Map<string, QueryRecord>();
  readJsonl<QueryRecord>(path, 'query', (query, line) => {
    if (dataset.queries.has(query.id)) {
      throw new UserError(
        `query id '${query.id}' is already a query of the dataset; give production queries ids of their own`,
        {
          file: path,
          line,
          field: 'id',
        },
      );
    }
    if (queries.has(query.id))
      throw new UserError(`query id '${query.id}' is given twice`, { file: path, line, field: 'id' });
    queries.set(query.id, query);
  });
  return queries;
}
