import { fileSha256 } from '../dataset/digest.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { formatDuration } from '../durations.js';
import { GateRefusal, ServiceError, UserError } from '../errors.js';
import { type SwitchResult, switchVerified } from '../lifecycle/alias-switch.js';
import { cutoverProblems, recordDigest } from '../lifecycle/cutover-checks.js';
import type { IndexStore } from '../lifecycle/index-store.js';
import {
  type CutoverRecord,
  cutoverRecordName,
  DEFAULT_RETENTION_MS,
  pendingCutover,
  type StoreRef,
  writeCutoverRecord,
} from '../results/cutovers.js';
import { runVerdictFile } from '../results/layout.js';
import { type ReviewFile, requireReviewFile } from '../results/review.js';
import { readVerdictFile } from '../results/verdict-file.js';
import { withConfigStore } from './migrate-store.js';

const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;

export interface CutoverOptions {
  alias: string;
  to: string;
  /** The folder `migrate review` wrote (with review.json and gate.json). */
  reviewDir: string;
  /** Switch; without it, only say what would be done. */
  yes: boolean;
  maxAgeMs?: number;
  /** How long the previous target is kept as the rollback target (recorded; cleanup enforces it). */
  retentionMs?: number;
  /** Where reports/cutovers/ lives. */
  reportsDir: string;
  /** The config to reach the store through; default: the one the review ran. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface SwitchOutcome {
  dryRun: boolean;
  /** What was (or would be) done, line by line. */
  lines: string[];
  result?: SwitchResult;
  recordFile?: string;
}

/**
 * `migrate cutover`: switches the alias to the reviewed candidate, only if the review passed and still
 * describes what is there now (same alias target, candidate, digests, not too old, candidate ready). The
 * previous target is recorded first, the switch is read back, and the record says where the alias ended.
 */
export async function cutover(options: CutoverOptions): Promise<SwitchOutcome> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const review = requireReviewFile(options.reviewDir);
  if (review.status === 'fail') throw new GateRefusal(failedReview(options.reviewDir, review));
  const configFile = options.configFile ?? review.config.file;
  return withConfigStore(configFile, review.live.index, env, async ({ store, ref, config }) => {
    const { alias, to } = options;
    const aliasTarget = (await store.aliases()).get(alias);
    const toExists = await store.exists(to);
    const liveTarget = review.live.target;
    const problems = cutoverProblems(
      review,
      { alias, to, maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS },
      {
        now: now(),
        aliasTarget,
        toExists,
        configSha256: fileSha256(configFile),
        datasetDigest: loadDataset(resolveDataset(config.dataset, config.dir)).digest,
        liveRecordSha256: (await store.exists(liveTarget))
          ? recordDigest(await store.buildRecord(liveTarget))
          : null,
        candidateRecordSha256: toExists ? recordDigest(await store.buildRecord(to)) : null,
        candidateReadiness: toExists ? await store.readiness(to) : null,
      },
    );
    if (problems.length > 0) {
      throw new UserError(
        `cutover of alias ${alias} to ${to} refused, nothing was switched: ${problems.map((p, i) => `(${i + 1}) ${p}`).join('; ')}`,
      );
    }
    const from = aliasTarget as string;
    // One clock reading: the record's switch time and its retention end are exactly the retention apart.
    const at = now();
    const retentionUntil = new Date(at.getTime() + (options.retentionMs ?? DEFAULT_RETENTION_MS));
    const plan = [
      `alias ${alias}: ${from} → ${to} in ${store.where}`,
      `review: ${options.reviewDir} (${review.status}, reviewed ${review.reviewedAt}, ${formatDuration(at.getTime() - Date.parse(review.reviewedAt))} ago)`,
      `${from} stays the rollback target until ${retentionUntil.toISOString()} (\`migrate rollback --alias ${alias}\`)`,
    ];
    if (!options.yes) {
      return { dryRun: true, lines: ['dry run: nothing switched; run again with --yes to switch', ...plan] };
    }
    return switchRecorded(store, options.reportsDir, {
      kind: 'cutover',
      alias,
      from,
      to,
      store: ref,
      review: { dir: options.reviewDir, status: review.status, reviewedAt: review.reviewedAt },
      retentionUntil: retentionUntil.toISOString(),
      at: at.toISOString(),
      plan,
    });
  });
}

export interface RollbackOptions {
  alias: string;
  reportsDir: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/**
 * `migrate rollback`: points the alias back at the target its last cutover replaced, verified the same
 * way, as long as that index still exists and the alias still points where the cutover left it.
 */
export async function rollback(options: RollbackOptions): Promise<SwitchOutcome> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const { alias } = options;
  const last = pendingCutover(options.reportsDir, alias);
  if (!last) {
    throw new UserError(
      `no cutover of alias ${alias} to roll back is recorded in ${options.reportsDir}/cutovers/ (a rollback undoes a recorded \`migrate cutover\`)`,
    );
  }
  const { record } = last;
  const configFile = options.configFile ?? record.store.config;
  return withConfigStore(configFile, record.store.index, env, async ({ store, ref }) => {
    if (!(await store.exists(record.from))) {
      throw new UserError(
        `cannot roll back alias ${alias}: its previous target ${record.from} no longer exists in ${store.where} (cleaned up?)`,
      );
    }
    const current = (await store.aliases()).get(alias);
    if (current !== record.to) {
      throw new UserError(
        `alias ${alias} points at ${current ?? 'nothing'} now, not at ${record.to} where the cutover of ${record.at} left it: it was switched since, so it is not rolled back`,
      );
    }
    return switchRecorded(store, options.reportsDir, {
      kind: 'rollback',
      alias,
      from: record.to,
      to: record.from,
      store: ref,
      cutover: last.name,
      at: now().toISOString(),
      plan: [
        `alias ${alias}: ${record.to} → ${record.from} in ${store.where} (undoing the cutover of ${record.at})`,
      ],
    });
  });
}

interface SwitchPlan {
  kind: 'cutover' | 'rollback';
  alias: string;
  from: string;
  to: string;
  store: StoreRef;
  at: string;
  plan: string[];
  review?: CutoverRecord['review'];
  retentionUntil?: string;
  cutover?: string;
}

/** Records the switch as pending, switches and reads back, then records where the alias ended. */
async function switchRecorded(
  store: IndexStore,
  reportsDir: string,
  plan: SwitchPlan,
): Promise<SwitchOutcome> {
  const { plan: lines, ...fields } = plan;
  const record: CutoverRecord = { schemaVersion: 1, ...fields, state: 'pending', detail: 'switching' };
  const name = cutoverRecordName(record);
  const recordFile = writeCutoverRecord(reportsDir, name, record);
  const result = await switchVerified(store, plan.alias, plan.from, plan.to);
  const done = result.state === 'switched';
  writeCutoverRecord(reportsDir, name, { ...record, state: done ? 'done' : 'failed', detail: result.detail });
  if (!done) {
    throw new ServiceError(
      `${plan.kind} of alias ${plan.alias} did not take effect: ${result.detail} (recorded in ${recordFile})`,
    );
  }
  return { dryRun: false, lines: [...lines, result.detail, `record: ${recordFile}`], result, recordFile };
}

/** Why a failed review refuses the cutover: its failed rules, in words. */
function failedReview(dir: string, review: ReviewFile): string {
  const verdict = readVerdictFile(runVerdictFile(dir));
  const failed = (verdict?.outcomes ?? []).filter((o) => o.status === 'fail');
  const reasons = failed.map((o) => `${o.rule} (${o.system}): ${o.reason}`).join('; ');
  return `the review in ${dir} failed, so the cutover to ${review.candidate.target} is refused${reasons ? `: ${reasons}` : ''}`;
}
