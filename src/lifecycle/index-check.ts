import type { ModelConfig, QdrantIndexConfig } from '../config/types.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import type { IndexCheck } from '../results/summary.js';
import { describeCollection, vectorFacts } from '../retrieve/providers/qdrant/collection.js';
import type { QdrantConnection } from '../retrieve/providers/qdrant/connection.js';
import type { QdrantIndex } from '../retrieve/providers/qdrant/qdrant-index.js';
import { presentDocIds } from '../retrieve/providers/qdrant/write.js';
import { checkCompatibility } from './compatibility.js';

/** Lines of the missing-document list shown in messages (the summary keeps them all). */
const SHOWN = 10;

/**
 * Checks a Qdrant index against the system's model before any query is sent: a mismatch (dimensions,
 * distance, the model or version that built it) stops the system with a UserError unless overridden, and the
 * judged-relevant documents absent from the collection are counted and listed.
 */
export async function checkQdrantIndex(options: {
  systemId: string;
  model: ModelConfig;
  config: QdrantIndexConfig;
  index: QdrantIndex;
  connection: QdrantConnection;
  dataset: Dataset;
  allowIncompatible: boolean;
}): Promise<{ check: IndexCheck; warnings: string[] }> {
  const { model, config, index, dataset } = options;
  const facts = index.facts;
  const name = `qdrant collection ${describeCollection(facts.collection, facts.alias)}`;
  const { problems, warnings } = checkCompatibility(
    model,
    config.distance,
    { ...vectorFacts(facts), name },
    dataset.digest,
  );
  if (problems.length > 0 && !options.allowIncompatible) {
    throw new UserError(
      `system '${options.systemId}': index '${config.alias}' does not fit model '${model.alias}': ${problems.join('; ')} (run with --allow-incompatible to evaluate anyway)`,
    );
  }
  const missingRelevant = await missingRelevantDocs(
    options.connection,
    facts.collection,
    dataset,
    config.idField,
  );
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
      collection: {
        url: facts.url,
        alias: facts.alias ?? null,
        collection: facts.collection,
        size: facts.vector.size,
        distance: facts.vector.distance,
        points: facts.pointsCount,
        metadata: facts.metadata ?? null,
      },
      compatibility: { problems, warnings, overridden: problems.length > 0 },
      missingRelevant,
    },
    warnings: messages,
  };
}

/** Share of relevant judgments (grade ≥ 1) whose document the collection lacks, and those documents. */
async function missingRelevantDocs(
  connection: QdrantConnection,
  collection: string,
  dataset: Dataset,
  idField: string | undefined,
): Promise<IndexCheck['missingRelevant']> {
  const judgments: string[] = [];
  for (const perQuery of dataset.qrels.values()) {
    for (const [docid, grade] of perQuery) if (grade >= 1) judgments.push(docid);
  }
  const present = await presentDocIds(
    connection,
    collection,
    judgments,
    idField === undefined ? {} : { idField },
  );
  const missing = new Set(judgments.filter((docid) => !present.has(docid)));
  const missingJudgments = judgments.filter((docid) => missing.has(docid)).length;
  return {
    share: judgments.length === 0 ? 0 : missingJudgments / judgments.length,
    relevant: judgments.length,
    missing: [...missing].sort(),
  };
}
