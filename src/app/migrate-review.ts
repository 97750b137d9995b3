import { join, resolve } from 'node:path';
import type { Policy } from '../config/gate-policy.js';
import { loadConfig } from '../config/load.js';
import { loadPolicy } from '../config/load-policy.js';
import type { PgvectorIndexConfig, QdrantIndexConfig, RunConfig, SystemConfig } from '../config/types.js';
import { fileSha256 } from '../dataset/digest.js';
import { readRecords } from '../dataset/native.js';
import type { Dataset, QueryRecord } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { applyPolicy } from '../gate/apply.js';
import { coverageLookup, coveredSystems } from '../gate/coverage.js';
import { agreement } from '../lifecycle/agreement.js';
import { completeness } from '../lifecycle/completeness.js';
import { recordDigest } from '../lifecycle/cutover-checks.js';
import type { IndexStore } from '../lifecycle/index-store.js';
import { openIndexStore } from '../lifecycle/stores/open-store.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { gateText } from '../report/gate-text.js';
import type { MeasuredResults } from '../results/measured.js';
import type { AgreementFigures, ReviewFile, ReviewSide } from '../results/review.js';
import { writeReviewFile } from '../results/review.js';
import { loadResults } from '../results/run-folder.js';
import type { SystemSummary } from '../results/summary.js';
import { readSampleRun, readSystemRun } from '../results/system-files.js';
import type { Verdict } from '../results/verdict.js';
import type { Progress } from '../retrieve/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { createComponentFactory } from './components.js';
import { writeGateOutputs } from './gate-outputs.js';
import { corpusDocuments, runConfig } from './run.js';

/** The cutover policy shipped with the tool: what a review applies when `--gate` names none. */
export const DEFAULT_CUTOVER_POLICY = join(PACKAGE_ROOT, 'gates', 'cutover.yaml');

export interface ReviewOptions {
  configFile: string;
  /** The system serving today (through the alias), and the one meant to replace it. */
  live: string;
  candidate: string;
  policyFile?: string;
  /** Unjudged queries (real traffic, JSONL of {id, text}) both systems also answer, for agreement. */
  queriesFile?: string;
  reportsDir: string;
  runId?: string;
  progress?: Progress;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface ReviewOutcome {
  dir: string;
  review: ReviewFile;
  verdict: Verdict;
  /** The verdict as text for the terminal. */
  text: string;
  files: string[];
  annotations: string[];
  warnings: string[];
}

type LiveIndexConfig = QdrantIndexConfig | PgvectorIndexConfig;

/**
 * `migrate review`: runs the live system and the candidate over the dataset (and an unjudged sample), then
 * answers "may we switch?" in one verdict: quality against the live system (the policy's drop rules, with
 * live as the baseline), agreement of their top k, the candidate index's completeness against the corpus,
 * readiness and build record, ANN quality, latency and cost. review.json records the digests cutover
 * checks (dataset, config, both indexes' build records) and the time.
 */
export async function reviewMigration(options: ReviewOptions): Promise<ReviewOutcome> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const config = loadConfig(options.configFile, env);
  const live = pickSystem(config, options.live, 'live');
  const candidate = pickSystem(config, options.candidate, 'candidate');
  if (live.system.id === candidate.system.id) {
    throw new UserError(`--live and --candidate name the same system '${live.system.id}'`);
  }
  checkSameStore(live, candidate);
  const policyFile = resolve(options.policyFile ?? DEFAULT_CUTOVER_POLICY);
  const policy = loadPolicy(policyFile);
  const sample = options.queriesFile ? readSample(options.queriesFile) : undefined;

  const run = await runConfig({
    config: { ...config, systems: [live.system, candidate.system] },
    reportsDir: options.reportsDir,
    ...(options.runId ? { runId: options.runId } : {}),
    build: createComponentFactory({ env }),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(sample ? { sample: sample.queries } : {}),
  });
  const { dir, dataset: loaded } = run;
  const summaries = new Map(run.summary.systems.map((s) => [s.id, s]));

  const store = await openIndexStore(candidate.index, { dir: config.dir, env });
  let sides: { live: ReviewSide; candidate: ReviewSide };
  let stored: Map<string, string>;
  let candidateRecord: Record<string, unknown> | null;
  try {
    const described = await describeSide(store, candidate, summaries.get(candidate.system.id));
    candidateRecord = described.record;
    sides = {
      live: (await describeSide(store, live, summaries.get(live.system.id))).side,
      candidate: described.side,
    };
    stored = (await store.exists(described.side.target))
      ? await store.storedDigests(described.side.target)
      : new Map();
  } finally {
    await store.close();
  }
  const corpus = loaded.corpus ? corpusDocuments(loaded, { ...config, systems: [] }) : null;
  const texts = (qid: string) => loaded.queries.get(qid)?.text ?? sample?.text.get(qid) ?? '';
  const figures = {
    ...sides,
    agreement: agreementFigures(
      dir,
      policy,
      live.system.id,
      candidate.system.id,
      texts,
      sample !== undefined,
    ),
    completeness: corpus ? completeness(corpus, stored) : null,
  };

  const verdict = qualityVerdict(dir, policy, figures, loaded);
  const gate = writeGateOutputs(verdict, dir, env);
  const review: ReviewFile = {
    schemaVersion: 1,
    kind: 'migration-review',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    reviewedAt: now().toISOString(),
    status: verdict.status,
    runId: run.summary.runId,
    config: { file: resolve(config.file), sha256: fileSha256(config.file) },
    policy: { file: policyFile, sha256: fileSha256(policyFile) },
    dataset: { name: loaded.manifest.name, version: loaded.manifest.version, digest: loaded.digest },
    sample: sample
      ? { file: resolve(sample.file), sha256: fileSha256(sample.file), queries: sample.queries.length }
      : null,
    ...figures,
    build: buildFigures(candidateRecord),
  };
  writeReviewFile(dir, review);
  return {
    dir,
    review,
    verdict,
    text: gateText(verdict),
    files: [join(dir, 'review.json'), ...gate.files],
    annotations: gate.annotations,
    warnings: run.warnings,
  };
}

interface PickedSystem {
  system: SystemConfig;
  index: LiveIndexConfig;
}

function pickSystem(config: RunConfig, id: string, role: 'live' | 'candidate'): PickedSystem {
  const system = config.systems.find((s) => s.id === id);
  if (!system) {
    throw new UserError(
      `no system '${id}' (--${role}) in ${config.file}; its systems: ${config.systems.map((s) => s.id).join(', ')}`,
    );
  }
  if (system.index.kind !== 'qdrant' && system.index.kind !== 'pgvector') {
    throw new UserError(
      `system '${id}' (--${role}) searches a ${system.index.kind} index: a migration switches an alias of a qdrant or pgvector index`,
    );
  }
  return { system, index: system.index };
}

/** Both systems must live in one store: the alias switched is one store's. */
function checkSameStore(live: PickedSystem, candidate: PickedSystem): void {
  const where = (index: LiveIndexConfig) =>
    index.kind === 'qdrant' ? `qdrant ${index.url}` : `pgvector ${index.dataDir ?? `$${index.urlEnv}`}`;
  if (where(live.index) !== where(candidate.index)) {
    throw new UserError(
      `the live system '${live.system.id}' is on ${where(live.index)} and the candidate '${candidate.system.id}' on ${where(candidate.index)}: an alias can only be switched inside one store`,
    );
  }
}

function readSample(file: string): {
  file: string;
  queries: { id: string; text: string }[];
  text: Map<string, string>;
} {
  const records = readRecords<QueryRecord>(file, 'query', 'query');
  const queries = [...records.values()].map((q) => ({ id: q.id, text: q.text }));
  return { file, queries, text: new Map(queries.map((q) => [q.id, q.text])) };
}

/** What a side searched (from the run's index check, else resolved now) and what its index is like. */
async function describeSide(
  store: IndexStore,
  picked: PickedSystem,
  summary: SystemSummary | undefined,
): Promise<{ side: ReviewSide; record: Record<string, unknown> | null }> {
  const name = picked.index.kind === 'qdrant' ? picked.index.collection : picked.index.table;
  const checked = summary?.indexCheck?.collection;
  const aliases = checked ? null : await store.aliases();
  const target = checked?.collection ?? aliases?.get(name) ?? name;
  const alias = checked ? checked.alias : aliases?.has(name) ? name : null;
  const exists = await store.exists(target);
  const record = exists ? await store.buildRecord(target) : null;
  const readiness = exists
    ? await store.readiness(target)
    : { ready: false, count: 0, problems: [`${target} does not exist in ${store.where}`] };
  const compatibility = summary?.indexCheck?.compatibility ?? {
    problems: [
      `system '${picked.system.id}' failed before its index was checked: ${summary?.error ?? 'unknown error'}`,
    ],
    warnings: [],
  };
  const side: ReviewSide = {
    system: picked.system.id,
    index: picked.index.alias,
    kind: picked.index.kind,
    where: store.where,
    alias,
    target,
    buildRecordSha256: recordDigest(record),
    readiness: {
      ready: readiness.ready,
      count: readiness.count,
      ...(readiness.status === undefined ? {} : { status: readiness.status }),
      problems: readiness.problems,
    },
    compatibility: { problems: compatibility.problems, warnings: compatibility.warnings },
  };
  return { side, record };
}

/** Agreement at every k an agreement rule names (and 10), over the judged queries and the sample. */
function agreementFigures(
  dir: string,
  policy: Policy,
  live: string,
  candidate: string,
  text: (qid: string) => string,
  withSample: boolean,
): AgreementFigures[] {
  const ks = [
    ...new Set([10, ...policy.rules.flatMap((rule) => (rule.kind === 'agreement' ? [rule.k] : []))]),
  ].sort((a, b) => a - b);
  const figures: AgreementFigures[] = [];
  const sets: [AgreementFigures['set'], typeof readSystemRun][] = [
    ['judged', readSystemRun],
    ...(withSample ? [['sample', readSampleRun] as [AgreementFigures['set'], typeof readSystemRun]] : []),
  ];
  for (const [set, read] of sets) {
    const a = read(dir, live);
    const b = read(dir, candidate);
    // A system that failed has no run: the agreement rules then fail closed for lack of figures.
    if (typeof a === 'string' || typeof b === 'string') continue;
    for (const k of ks) figures.push(agreement(set, k, a, b, text));
  }
  return figures;
}

/**
 * The gate over the review: the candidate's results against the live system's as the baseline (so the
 * policy's drop, latency and cost rules compare the two), plus the review's own rules.
 */
function qualityVerdict(
  dir: string,
  policy: Policy,
  figures: Parameters<typeof applyPolicy>[0]['review'] & object,
  dataset: Dataset,
): Verdict {
  const results = loadResults(dir);
  const only = (id: string): MeasuredResults => ({
    ...results,
    systems: results.systems.filter((s) => s.id === id),
  });
  const candidate = only(figures.candidate.system);
  const liveSystem = results.systems.find((s) => s.id === figures.live.system);
  const baseline: MeasuredResults = {
    ...results,
    source: `${dir} (live system '${figures.live.system}')`,
    // Under the candidate's id, so that every rule pairs the candidate with the live system.
    systems: liveSystem ? [{ ...liveSystem, id: figures.candidate.system }] : [],
  };
  const runs = new Map(coveredSystems(policy, candidate).map((id) => [id, readSystemRun(dir, id)]));
  return applyPolicy({
    policy,
    candidate,
    baseline,
    ...(liveSystem?.status === 'ok'
      ? {}
      : {
          noBaselineReason: `the live system '${figures.live.system}' failed: ${liveSystem?.error ?? 'it did not run'}`,
        }),
    coverage: coverageLookup(candidate, runs, dataset),
    review: figures,
  });
}

function buildFigures(record: Record<string, unknown> | null): ReviewFile['build'] {
  const build = record?.build as Record<string, unknown> | undefined;
  if (!build) return null;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  return {
    documents: number(build.documents),
    tokens: number(build.tokens),
    cost: number(build.cost),
    durationMs: number(build.durationMs),
    builtAt: typeof record?.builtAt === 'string' ? record.builtAt : '',
  };
}
