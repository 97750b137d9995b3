import { join } from 'node:path';
import { UserError } from '../errors.js';
import { checkOutputFolder, makeFolder, writeTextFile } from '../files.js';
import { buildIndex, type IndexBuildRecord } from '../lifecycle/index-build.js';
import { readSyncPlan } from '../results/audit.js';
import type { Progress } from '../retrieve/types.js';
import { openAuditSource } from './audit-source.js';
import { createEmbedder } from './components.js';
import { withConfigStore } from './migrate-store.js';

export interface SyncOptions {
  planFile: string;
  /** Apply; without it, only say what would be done. */
  yes: boolean;
  /** Where index-syncs/<target>-<time>.json is recorded. */
  reportsDir: string;
  batchSize?: number;
  parallel?: number;
  progress?: Progress;
  /** Where an embedder's notices go (waits a server asked for); default: this process's stderr. */
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export interface SyncOutcome {
  dryRun: boolean;
  lines: string[];
  record?: IndexBuildRecord;
  recordFile?: string;
}

/**
 * `index sync --plan`: applies an audit's fix plan through the build's write path. The points to delete go
 * first (orphaned, and foreign ones that may sit under another point id), then the missing, stale and
 * foreign documents are re-embedded from the source's current content, through the embedding cache, and
 * upserted. Every step is idempotent, so a sync killed midway is resumed by running it again: deleting
 * twice deletes nothing more, and the vectors it already paid for come from the cache.
 */
export async function syncIndex(options: SyncOptions): Promise<SyncOutcome> {
  const env = options.env ?? process.env;
  const plan = readSyncPlan(options.planFile);
  if (options.yes) checkOutputFolder(options.reportsDir, '--reports');
  return withConfigStore(plan.config, plan.index, env, async ({ store, config }) => {
    if (!(await store.exists(plan.target))) {
      throw new UserError(`the plan's target ${plan.target} does not exist in ${store.where}`, {
        file: options.planFile,
        field: 'target',
      });
    }
    const model = config.models.find((m) => m.alias === plan.model);
    if (!model) {
      throw new UserError(`the plan's model '${plan.model}' is not in ${plan.config}`, {
        file: options.planFile,
        field: 'model',
      });
    }
    const source = await openAuditSource(config, plan.source, env);
    let contents: Map<string, string>;
    try {
      contents = await source.contents(plan.reembed);
    } finally {
      await source.close();
    }
    const documents = plan.reembed.flatMap((id) => {
      const text = contents.get(id);
      return text === undefined ? [] : [{ id, text }];
    });
    const gone = plan.reembed.length - documents.length;
    const what = [
      `re-embed ${documents.length} documents with ${model.alias} (${model.model}@${model.version})`,
      `delete ${plan.delete.length} points`,
    ];
    const noteGone = gone > 0 ? [`${gone} documents of the plan are no longer in the source: skipped`] : [];
    if (!options.yes) {
      return {
        dryRun: true,
        lines: [
          `dry run: nothing changed; run again with --yes to ${what.join(' and ')} in ${plan.target} (${store.where})`,
          ...noteGone,
        ],
      };
    }
    await store.deletePoints(plan.target, plan.delete);
    const record = await buildIndex({
      corpus: documents,
      embedder: await createEmbedder(model, env, options.stderr),
      model,
      dataset: { name: plan.source, version: '', digest: '' },
      target: store.syncTarget(plan.target, {
        batchSize: options.batchSize ?? 128,
        parallel: options.parallel ?? 3,
      }),
      cacheDir: config.cacheDir,
      purpose: 'reindex',
      ...(options.progress ? { progress: options.progress } : {}),
    });
    const dir = join(options.reportsDir, 'index-syncs');
    makeFolder(dir);
    const recordFile = join(
      dir,
      `${plan.target.replace(/[^A-Za-z0-9._-]/g, '_')}-${record.builtAt.replace(/:/g, '-')}.json`,
    );
    writeTextFile(
      recordFile,
      `${JSON.stringify({ schemaVersion: 1, kind: 'index-sync', plan: options.planFile, deleted: plan.delete.length, ...record }, null, 2)}\n`,
    );
    return {
      dryRun: false,
      lines: [
        `${plan.target}: deleted ${plan.delete.length} points, re-embedded ${record.written} documents ` +
          `(${record.fromCache} from the embedding cache); ${record.tokens} tokens, cost ${record.cost.toFixed(4)} (reindex)`,
        ...noteGone,
        `sync record: ${recordFile}`,
      ],
      record,
      recordFile,
    };
  });
}
