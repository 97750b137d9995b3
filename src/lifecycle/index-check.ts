import type { ModelConfig, PgvectorIndexConfig, QdrantIndexConfig } from '../config/types.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import type { IndexCheck } from '../results/summary.js';
import type { PgvectorIndex } from '../retrieve/providers/pgvector/pgvector-index.js';
import { tableVectorFacts } from '../retrieve/providers/pgvector/table.js';
import { describeCollection, vectorFacts } from '../retrieve/providers/qdrant/collection.js';
import type { QdrantConnection } from '../retrieve/providers/qdrant/connection.js';
import type { QdrantIndex } from '../retrieve/providers/qdrant/qdrant-index.js';
import { presentDocIds } from '../retrieve/providers/qdrant/write.js';
import type { Distance, IndexVectorFacts } from '../retrieve/types.js';
import { checkCompatibility } from './compatibility.js';

/** Lines of the missing-document list shown in messages (the summary keeps them all). */
const SHOWN = 10;

interface CheckOptions {
  systemId: string;
  model: ModelConfig;
  dataset: Dataset;
  allowIncompatible: boolean;
}

/** A live index as the check sees it, whatever its kind. */
interface LiveIndex {
  /** The index's alias in the config, and the distance the config expects. */
  alias: string;
  distance: Distance;
  /** `name` says how messages name the index. */
  facts: IndexVectorFacts;
  collection: IndexCheck['collection'];
  extra?: Pick<IndexCheck, 'ann'>;
  /** Which of the doc ids the index holds. */
  present(docids: readonly string[]): Promise<Set<string>>;
}

/**
 * Checks a Qdrant index against the system's model before any query is sent: a mismatch (dimensions,
 * distance, the model or version that built it) stops the system with a UserError unless overridden, and the
 * judged-relevant documents absent from the collection are counted and listed.
 */
export function checkQdrantIndex(
  options: CheckOptions & { config: QdrantIndexConfig; index: QdrantIndex; connection: QdrantConnection },
): Promise<{ check: IndexCheck; warnings: string[] }> {
  const { config, index, connection } = options;
  const facts = index.facts;
  const { idField } = config;
  return checkLiveIndex(options, {
    alias: config.alias,
    distance: config.distance,
    facts: {
      ...vectorFacts(facts),
      name: `qdrant collection ${describeCollection(facts.collection, facts.alias)}`,
    },
    collection: {
      url: facts.url,
      alias: facts.alias ?? null,
      collection: facts.collection,
      size: facts.vector.size,
      distance: facts.vector.distance,
      points: facts.pointsCount,
      metadata: facts.metadata ?? null,
    },
    present: (docids) =>
      presentDocIds(connection, facts.collection, docids, idField === undefined ? {} : { idField }),
  });
}

/** The same check for a pgvector table; the summary also records the ANN index found on it. */
export function checkPgvectorIndex(
  options: CheckOptions & { config: PgvectorIndexConfig; index: PgvectorIndex },
): Promise<{ check: IndexCheck; warnings: string[] }> {
  const { config, index } = options;
  const { facts } = index;
  return checkLiveIndex(options, {
    alias: config.alias,
    distance: config.distance,
    facts: tableVectorFacts(facts),
    collection: {
      url: facts.where,
      alias: facts.alias ?? null,
      collection: facts.table,
      size: facts.dimensions,
      distance: facts.distance,
      points: facts.rows,
      metadata: facts.record ?? null,
    },
    extra: { ann: facts.ann },
    present: (docids) => index.presentDocIds(docids),
  });
}

async function checkLiveIndex(
  options: CheckOptions,
  live: LiveIndex,
): Promise<{ check: IndexCheck; warnings: string[] }> {
  const { model, dataset } = options;
  const { name } = live.facts;
  const { problems, warnings } = checkCompatibility(model, live.distance, live.facts, dataset.digest);
  if (problems.length > 0 && !options.allowIncompatible) {
    throw new UserError(
      `system '${options.systemId}': index '${live.alias}' does not fit model '${model.alias}': ${problems.join('; ')} (run with --allow-incompatible to evaluate anyway)`,
    );
  }
  const missingRelevant = await missingRelevantDocs(live, dataset);
  const messages = [...problems.map((p) => `${p} (allowed by --allow-incompatible)`), ...warnings];
  if (missingRelevant.missing.length > 0) {
    const shown = missingRelevant.missing.slice(0, SHOWN).join(', ');
    const more =
      missingRelevant.missing.length > SHOWN
        ? `, … (${missingRelevant.missing.length - SHOWN} more in summary.json)`
        : '';
    messages.push(
      `${name} lacks ${missingRelevant.missing.length} judged-relevant documents (${(missingRelevant.share * 100).toFixed(1)} % of relevant judgments): recall is capped below 1 whatever the model does: ${shown}${more}`,
    );
  }
  return {
    check: {
      collection: live.collection,
      compatibility: { problems, warnings, overridden: problems.length > 0 },
      missingRelevant,
      ...live.extra,
    },
    warnings: messages,
  };
}

/** Share of relevant judgments (grade ≥ 1) whose document the index lacks, and those documents. */
async function missingRelevantDocs(
  live: LiveIndex,
  dataset: Dataset,
): Promise<IndexCheck['missingRelevant']> {
  const judgments: string[] = [];
  for (const perQuery of dataset.qrels.values()) {
    for (const [docid, grade] of perQuery) if (grade >= 1) judgments.push(docid);
  }
  const present = await live.present(judgments);
  const missing = new Set(judgments.filter((docid) => !present.has(docid)));
  const missingJudgments = judgments.filter((docid) => missing.has(docid)).length;
  return {
    share: judgments.length === 0 ? 0 : missingJudgments / judgments.length,
    relevant: judgments.length,
    missing: [...missing].sort(),
  };
}
