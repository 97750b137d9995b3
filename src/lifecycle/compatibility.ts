import type { ModelConfig } from '../config/types.js';
import type { Distance, IndexVectorFacts } from '../retrieve/types.js';

/** The model a collection was built with, as `index build` records it in the collection's metadata. */
export interface BuildMetadata {
  modelAlias: string;
  providerModel: string;
  modelVersion: string;
  dimensions: number;
  distance: Distance;
  dataset: { name: string; version: string; digest: string };
  builtAt: string;
  tool: { name: string; version: string };
}

/**
 * What each point records of the model that embedded it, "provider model@version": an audit compares it with
 * the index's build record to find points of another model in a mixed index.
 */
export function modelStamp(providerModel: string, version: string): string {
  return `${providerModel}@${version}`;
}

export interface Compatibility {
  /** Mismatches that make the evaluation meaningless (vectors of another model or size). */
  problems: string[];
  /** Things to know that do not invalidate it (no metadata to confirm the model, another dataset version). */
  warnings: string[];
}

/**
 * Checks that a system's model can search an index: same dimensions and distance, and — when the index
 * records who built it — the same provider model and version. A query embedded by another model than the
 * corpus gives plausible-looking nonsense, so this runs before any live evaluation.
 */
export function checkCompatibility(
  model: ModelConfig,
  expectedDistance: Distance,
  facts: IndexVectorFacts,
  datasetDigest?: string,
): Compatibility {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (model.dimensions !== undefined && facts.size !== model.dimensions) {
    problems.push(
      `${facts.name} holds ${facts.size}-dimensional vectors; model '${model.alias}' makes ${model.dimensions}`,
    );
  }
  if (facts.distance !== expectedDistance) {
    problems.push(
      `${facts.name} uses ${facts.distance} distance; the config expects ${expectedDistance} (set the index's distance if that is intended)`,
    );
  }
  const built = facts.metadata;
  const recorded = (key: keyof BuildMetadata) => built?.[key];
  if (recorded('providerModel') === undefined && recorded('modelVersion') === undefined) {
    warnings.push(
      `${facts.name} records no model in its metadata: cannot confirm that '${model.model}' built it`,
    );
  } else {
    if (recorded('providerModel') !== undefined && recorded('providerModel') !== model.model) {
      problems.push(
        `${facts.name} was built with model ${String(recorded('providerModel'))}; the system embeds queries with ${model.model}`,
      );
    }
    if (recorded('modelVersion') !== undefined && recorded('modelVersion') !== model.version) {
      problems.push(
        `${facts.name} was built with ${model.model} version ${String(recorded('modelVersion'))}; model '${model.alias}' is version ${model.version}`,
      );
    }
  }
  if (built?.status === 'building') {
    warnings.push(
      `${facts.name}: its index build has not finished (metadata status 'building'): documents may be missing`,
    );
  }
  const dataset = recorded('dataset') as BuildMetadata['dataset'] | undefined;
  if (datasetDigest && dataset?.digest && dataset.digest !== datasetDigest) {
    warnings.push(
      `${facts.name} was built from dataset ${dataset.name}@${dataset.version} (digest ${dataset.digest.slice(0, 12)}), not the one evaluated: documents may be missing or stale`,
    );
  }
  return { problems, warnings };
}
