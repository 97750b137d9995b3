import type { EvaluationSettings } from './types.js';

/** How evaluate reads a run: relevance threshold, missing queries, bootstrap. */
export interface SettingsOptions {
  relevanceLevel?: number;
  skipMissing?: boolean;
  bootstrapSamples?: number;
  confidence?: number;
  seed?: number;
}

/** Evaluation settings with the defaults every command shares. */
export function evaluationSettings(measures: string[], options: SettingsOptions): EvaluationSettings {
  return {
    measures,
    relevanceLevel: options.relevanceLevel ?? 1,
    missingQueries: options.skipMissing ? 'skip' : 'zero',
    bootstrap: {
      samples: options.bootstrapSamples ?? 1000,
      confidence: options.confidence ?? 0.95,
      seed: options.seed ?? 42,
    },
  };
}
