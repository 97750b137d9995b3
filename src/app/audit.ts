import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPolicy } from '../config/load-policy.js';
import type { ModelConfig, RunConfig } from '../config/types.js';
import { UserError } from '../errors.js';
import { checkOutputFolder, folderName, writeTextFile } from '../files.js';
import { applyPolicy } from '../gate/apply.js';
import { AuditComparison } from '../lifecycle/audit.js';
import { modelStamp } from '../lifecycle/compatibility.js';
import { auditMarkdown } from '../report/audit-markdown.js';
import { renderAuditHtml } from '../report/render-audit-html.js';
import {
  AUDIT_FILE,
  type AuditFile,
  type SyncPlan,
  writeAuditFile,
  writeSyncPlan,
} from '../results/audit.js';
import type { Verdict } from '../results/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { openAuditSource } from './audit-source.js';
import { writeGateOutputs } from './gate-outputs.js';
import { withConfigStore } from './migrate-store.js';

export interface AuditOptions {
  configFile: string;
  /** The config's index (qdrant or pgvector) to audit. */
  index: string;
  /** `corpus` (the dataset's, default), a source alias of the config, or a JSONL export. */
  source?: string;
  /** Where audit.json, audit.md and audit.html go (default reports/audit-<index>-<time>/). */
  outDir?: string;
  reportsDir: string;
  /** Also write the fix plan `index sync` applies. */
  fixPlan?: string;
  /** The config model a sync re-embeds with; default: the one the index's build record names. */
  model?: string;
  /** Apply this policy's consistency rules (exit 1 when they fail). */
  policyFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface AuditOutcome {
  dir: string;
  audit: AuditFile;
  verdict: Verdict | null;
  files: string[];
  annotations: string[];
  plan: SyncPlan | null;
}

/**
 * `audit`: reads the source of truth (ids, content digests, change times) and the index's points (pages,
 * no vectors), and writes what is missing, orphaned, stale or foreign, with the oldest unresolved change.
 * A read that fails fails the audit (exit 2): a partial audit is never reported as complete.
 */
export async function auditIndex(options: AuditOptions): Promise<AuditOutcome> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const policy = options.policyFile ? loadPolicy(options.policyFile) : undefined;
  // Where the audit will be written is checked before the source and the index are read (minutes, at scale).
  if (options.outDir === undefined) checkOutputFolder(options.reportsDir, '--reports');
  else checkOutputFolder(options.outDir, '--out');
  const began = performance.now();
  return withConfigStore(options.configFile, options.index, env, async ({ store, config, ref }) => {
    const index = config.indexes.find((i) => i.alias === options.index);
    const name = index?.kind === 'qdrant' ? index.collection : index?.kind === 'pgvector' ? index.table : '';
    const aliases = await store.aliases();
    const target = aliases.get(name) ?? name;
    if (!(await store.exists(target))) {
      throw new UserError(`index '${options.index}': ${target} does not exist in ${store.where}`);
    }
    const record = await store.buildRecord(target);
    const expected =
      typeof record?.providerModel === 'string' && typeof record.modelVersion === 'string'
        ? modelStamp(record.providerModel, record.modelVersion)
        : null;
    const comparison = new AuditComparison(expected);
    const sourceName = options.source ?? 'corpus';
    const source = await openAuditSource(config, sourceName, env);
    let rows: number;
    let sourceMs: number;
    try {
      const start = performance.now();
      ({ rows } = await source.records((page) => comparison.addSource(page)));
      sourceMs = performance.now() - start;
    } finally {
      await source.close();
    }
    const scanStart = performance.now();
    await store.scanPoints(target, (page) => comparison.addPoints(page));
    const pointsMs = performance.now() - scanStart;
    const found = comparison.finish(now().getTime());
    const audit: AuditFile = {
      schemaVersion: 1,
      kind: 'index-audit',
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      auditedAt: now().toISOString(),
      config: ref.config,
      index: {
        alias: options.index,
        kind: store.kind,
        where: store.where,
        target,
        storeAlias: target === name ? null : name,
        model: expected,
      },
      source: {
        name: sourceName,
        description: source.description,
        rows,
        live: found.live,
        deleted: found.rows - found.live,
      },
      points: found.points,
      counts: found.counts,
      completeness: found.completeness,
      oldestUnresolved: found.oldestUnresolved,
      newestUnindexed: found.newestUnindexed,
      lists: found.lists,
      figures: {
        durationMs: performance.now() - began,
        rowsPerSecond: sourceMs > 0 ? (rows * 1000) / sourceMs : 0,
        pointsPerSecond: pointsMs > 0 ? (found.points * 1000) / pointsMs : 0,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      },
      embedding: { purpose: 'audit', calls: 0, tokens: 0 },
    };
    const dir =
      options.outDir ??
      join(options.reportsDir, `audit-${folderName(options.index)}-${audit.auditedAt.replace(/:/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    const files = [writeAuditFile(dir, audit)];
    for (const [file, text] of [
      ['audit.md', auditMarkdown(audit)],
      ['audit.html', renderAuditHtml(audit)],
    ] as const) {
      writeTextFile(join(dir, file), text);
      files.push(join(dir, file));
    }
    const plan = options.fixPlan ? fixPlan(audit, config, sourceName, options, record, dir) : null;
    if (plan && options.fixPlan) {
      writeSyncPlan(options.fixPlan, plan);
      files.push(options.fixPlan);
    }
    let verdict: Verdict | null = null;
    let annotations: string[] = [];
    if (policy) {
      verdict = auditVerdict(policy, audit, dir);
      const written = writeGateOutputs(verdict, dir, env);
      files.push(...written.files);
      annotations = written.annotations;
    }
    return { dir, audit, verdict, files, annotations, plan };
  });
}

/**
 * What `index sync` should do: re-embed the missing, stale and foreign documents that are live in the
 * source; delete the orphaned and foreign points (a foreign point may sit under another point id than the
 * one its re-embedded document gets).
 */
function fixPlan(
  audit: AuditFile,
  config: RunConfig,
  source: string,
  options: AuditOptions,
  record: Record<string, unknown> | null,
  dir: string,
): SyncPlan {
  const model = syncModel(config, options, record);
  const reembed = new Set(
    [...audit.lists.missing, ...audit.lists.stale, ...audit.lists.foreign].map((i) => i.id),
  );
  const remove = [...audit.lists.orphaned, ...audit.lists.foreign].flatMap((item) =>
    item.pointId === undefined ? [] : [item.pointId],
  );
  return {
    schemaVersion: 1,
    kind: 'index-sync-plan',
    createdAt: audit.auditedAt,
    config: audit.config,
    index: options.index,
    target: audit.index.target,
    source: source === 'corpus' || config.sources.some((s) => s.alias === source) ? source : resolve(source),
    model: model.alias,
    audit: resolve(dir, AUDIT_FILE),
    reembed: [...reembed].sort(),
    delete: [...new Set(remove)],
  };
}

/** The model a sync embeds with: the one named, else the config's model that built the index. */
function syncModel(
  config: RunConfig,
  options: AuditOptions,
  record: Record<string, unknown> | null,
): ModelConfig {
  if (options.model) {
    const named = config.models.find((m) => m.alias === options.model);
    if (!named) {
      throw new UserError(
        `no model '${options.model}' (--model) in ${options.configFile}; its models: ${config.models.map((m) => m.alias).join(', ')}`,
      );
    }
    return named;
  }
  const built = config.models.find(
    (m) => m.model === record?.providerModel && m.version === record?.modelVersion,
  );
  if (!built) {
    throw new UserError(
      `no model in ${options.configFile} is the one that built ${String(record?.providerModel ?? 'the index')}${record?.modelVersion ? `@${String(record.modelVersion)}` : ''}: name the model to re-embed with (--model)`,
    );
  }
  return built;
}

/** The policy's consistency rules applied to the audit (other rules need a run and are left out, said so). */
function auditVerdict(policy: ReturnType<typeof loadPolicy>, audit: AuditFile, dir: string): Verdict {
  const consistency = policy.rules.filter((rule) => rule.kind === 'consistency');
  const others = policy.rules.length - consistency.length;
  if (consistency.length === 0) {
    throw new UserError(`${policy.file} has no consistency rule, so it cannot gate an audit`, {
      file: policy.file,
    });
  }
  return applyPolicy({
    policy: { ...policy, rules: consistency },
    candidate: {
      source: dir,
      runId: `audit ${audit.index.alias}`,
      dataset: { name: audit.source.name, version: '', digest: '', judgedQueries: 0 },
      settings: {
        measures: [],
        relevanceLevel: 1,
        missingQueries: 'zero',
        bootstrap: { samples: 0, seed: 0, confidence: 0.95 },
      },
      systems: [],
    },
    baseline: null,
    coverage: () => 'not measured by an audit',
    audit,
    warnings:
      others > 0
        ? [`${others} rules of ${policy.file} are not consistency rules: an audit applies only those`]
        : [],
  });
}
