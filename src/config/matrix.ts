import type { IndexConfig, ModelConfig, RerankerConfig, SystemConfig } from './types.js';

/**
 * Expands `matrix:` into systems: every model × index × reranker, with readable ids
 * (`hash-256@exact`, `hash-256@exact+lexical`). An index that reads query text (bm25, a text-only command)
 * does not combine with models: it yields one system per reranker.
 */
export function expandMatrix(matrix: {
  models: ModelConfig[];
  indexes: IndexConfig[];
  rerankers: (RerankerConfig | null)[];
  k: number;
}): SystemConfig[] {
  const systems: SystemConfig[] = [];
  for (const index of matrix.indexes) {
    const textOnly = index.kind === 'bm25' || (index.kind === 'command' && !index.vectors);
    const models: (ModelConfig | undefined)[] = textOnly ? [undefined] : matrix.models;
    for (const model of models) {
      for (const reranker of matrix.rerankers) {
        const id = `${model ? `${model.alias}@` : ''}${index.alias}${reranker ? `+${reranker.alias}` : ''}`;
        systems.push({
          id,
          index,
          k: matrix.k,
          ...(model ? { model } : {}),
          ...(reranker ? { reranker } : {}),
        });
      }
    }
  }
  return systems;
}
