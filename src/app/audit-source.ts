import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunConfig } from '../config/types.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { UserError } from '../errors.js';
import { corpusSource } from '../retrieve/providers/sources/corpus-source.js';
import { jsonlSource } from '../retrieve/providers/sources/jsonl-source.js';
import { openSource } from '../retrieve/providers/sources/open-source.js';
import type { Source } from '../retrieve/providers/sources/source.js';
import { corpusDocuments } from './run.js';

/**
 * The source an audit or a sync names: `corpus` (the config's dataset, as `index build` embeds it), a source
 * alias of the config's `sources:`, or the path of a JSONL export.
 */
export async function openAuditSource(
  config: RunConfig,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<Source> {
  if (name === 'corpus') {
    const dataset = loadDataset(resolveDataset(config.dataset, config.dir));
    if (!dataset.corpus) throw new UserError(`dataset ${config.dataset} has no corpus to audit against`);
    return corpusSource(
      corpusDocuments(dataset, { ...config, systems: [] }),
      `the corpus of ${config.dataset}`,
    );
  }
  const configured = config.sources.find((source) => source.alias === name);
  if (configured) return openSource(configured, { dir: config.dir, env, file: config.file });
  if (existsSync(name)) return jsonlSource(resolve(name));
  const known = config.sources.map((s) => s.alias);
  throw new UserError(
    `--source ${name} is neither 'corpus', a source of ${config.file} (${known.join(', ') || 'it defines none'}) nor a JSONL file`,
  );
}
