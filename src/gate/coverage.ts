import type { Policy } from '../config/gate-policy.js';
import type { Dataset } from '../dataset/types.js';
import { evaluateOptions } from '../evaluation/evaluate-runs.js';
import { evaluateRun } from '../metrics/evaluate.js';
import { sortIds } from '../metrics/order.js';
import { rankOrder } from '../metrics/rank.js';
import { makeMeasure } from '../metrics/registry.js';
import type { Run } from '../metrics/types.js';
import type { MeasuredResults } from '../results/measured.js';
import { gates } from './outcome.js';

/** How much of what a system retrieves is judged, and how much of what is relevant its index holds. */
export interface CoverageFigures {
  /** Mean Judged@k over the judged queries: the share of the top k that has a judgment. */
  judged: number;
  /** The unjudged documents of the top k, to send for annotation. */
  unjudged: { qid: string; docid: string; rank: number }[];
  /** Judged-relevant documents the index does not hold; a string says why that cannot be known. */
  missingRelevant: { share: number; relevant: number; missing: string[] } | string;
}

/** Indexes built from the dataset's corpus hold exactly its documents. */
const CORPUS_INDEXES = new Set(['embedded', 'bm25']);

/** The systems a coverage rule gates (those that ran): the ones whose runs coverageLookup needs. */
export function coveredSystems(policy: Policy, results: MeasuredResults): string[] {
  const rules = policy.rules.filter((rule) => rule.kind === 'coverage');
  return results.systems
    .filter((system) => system.status === 'ok' && rules.some((rule) => gates(rule, system.id)))
    .map((system) => system.id);
}

/**
 * Coverage of each system of `results`, from its run (`runs`: by system id, a string where it could not be
 * read) and the dataset's judgments. `dataset` is a string when the dataset could not be loaded: every
 * lookup then answers with that reason.
 */
export function coverageLookup(
  results: MeasuredResults,
  runs: ReadonlyMap<string, Run | string>,
  dataset: Dataset | string,
): (system: string, k: number) => CoverageFigures | string {
  return (id, k) => {
    if (typeof dataset === 'string') return dataset;
    const run = runs.get(id);
    if (run === undefined) throw new Error(`the run of system '${id}' was not read (see coveredSystems)`);
    if (typeof run === 'string') return run;
    const level = results.settings.relevanceLevel;
    const evaluation = evaluateRun(
      dataset.qrels,
      run,
      [makeMeasure('Judged', k)],
      evaluateOptions(results.settings),
    );
    const system = results.systems.find((s) => s.id === id);
    return {
      judged: evaluation.aggregates[0] ?? 0,
      unjudged: unjudgedTopK(run, dataset, k),
      // A live index was asked which relevant documents it holds when the run started.
      missingRelevant:
        system?.missingRelevant ?? missingRelevant(dataset, system?.description?.index.kind, level),
    };
  };
}

function unjudgedTopK(run: Run, dataset: Dataset, k: number): CoverageFigures['unjudged'] {
  const unjudged: CoverageFigures['unjudged'] = [];
  for (const [qid, judgments] of dataset.qrels) {
    const results = run.queries.get(qid);
    if (!results) continue;
    const order = rankOrder(results);
    for (let rank = 0; rank < Math.min(k, order.length); rank++) {
      const docid = results.docids[order[rank] as number] as string;
      if (!judgments.has(docid)) unjudged.push({ qid, docid, rank: rank + 1 });
    }
  }
  return unjudged;
}

function missingRelevant(
  dataset: Dataset,
  indexKind: string | undefined,
  level: number,
): CoverageFigures['missingRelevant'] {
  if (!indexKind || !CORPUS_INDEXES.has(indexKind)) {
    return `a ${indexKind ?? 'unknown'} index cannot list its documents, so missing relevant documents cannot be counted (restrict this rule with systems:)`;
  }
  if (!dataset.corpus) return 'the dataset has no corpus, so the index contents are unknown';
  let relevant = 0;
  let missingJudgments = 0;
  const missing = new Set<string>();
  for (const judgments of dataset.qrels.values()) {
    for (const [docid, grade] of judgments) {
      if (grade < level) continue;
      relevant++;
      if (dataset.corpus.has(docid)) continue;
      missingJudgments++;
      missing.add(docid);
    }
  }
  return { share: relevant === 0 ? 0 : missingJudgments / relevant, relevant, missing: sortIds(missing) };
}
