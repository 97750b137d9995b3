import type { RuleOutcome, Verdict } from '../../src/results/verdict.js';

/** A system id that would break a Markdown table, open an HTML tag and need escaping in XML. */
export const HOSTILE = 'a|b<script>';

/**
 * What a crashing command system leaves in its error: stderr with Markdown, HTML, quotes, a percent sign,
 * line breaks and a control character that XML 1.0 forbids.
 */
export const CRASH_REASON =
  'the system failed, so nothing it would be gated on was measured: command exited 1: *boom* [x](http://e.test) `rm -rf` _u_ ~s~ $x$ 100% a,b:c\r\nTraceback "q" \'a\' & <b>\u0007';

const blank = {
  baseline: null,
  difference: null,
  ci: null,
  pValue: null,
  adjustedPValue: null,
} satisfies Partial<RuleOutcome>;

/** One outcome of each kind and status, deliberately not sorted: writers must put failures first. */
const OUTCOMES: RuleOutcome[] = [
  {
    ...blank,
    rule: 'floor R@5',
    kind: 'floor',
    system: HOSTILE,
    metric: 'R@5',
    level: 'error',
    status: 'pass',
    observed: 0.6123,
    ci: { low: 0.55, high: 0.67 },
    threshold: '≥ 0.4',
    reason: 'R@5 0.6123 is at or above the floor 0.4',
  },
  {
    rule: 'maxDrop nDCG@10',
    kind: 'maxDrop',
    system: HOSTILE,
    metric: 'nDCG@10',
    level: 'error',
    status: 'fail',
    observed: 0.41,
    baseline: 0.46,
    difference: -0.05,
    ci: { low: -0.08, high: -0.02 },
    pValue: 0.004,
    adjustedPValue: 0.008,
    threshold: 'drop ≤ 0.02 (significant)',
    reason:
      'nDCG@10 dropped 0.0500 (0.4600 → 0.4100, 40 queries), more than the allowed 0.0200, and the drop is significant (p = 0.0080 after correction < 0.05)',
  },
  {
    ...blank,
    rule: 'latency total',
    kind: 'latency',
    system: 'bm25',
    metric: 'latency.total.p95',
    level: 'warn',
    status: 'warn',
    observed: 123.46,
    baseline: 80,
    difference: 43.46,
    threshold: 'p95 increase ≤ 50 %',
    reason: '80.0 ms → 123.5 ms: more than the allowed increase of 40.0 ms',
  },
  {
    ...blank,
    rule: 'cost',
    kind: 'cost',
    system: 'bm25',
    metric: 'cost.perQuery',
    level: 'warn',
    status: 'pass',
    observed: 0.00012345,
    baseline: 0.0001,
    difference: 0.00002345,
    threshold: 'increase ≤ 30 %',
    reason: '0.000100 → 0.000123: within the allowed increase of 0.0000300',
  },
  {
    rule: 'maxDrop R@5',
    kind: 'maxDrop',
    system: 'bm25',
    metric: 'R@5',
    level: 'error',
    status: 'pass',
    observed: 0.52,
    baseline: 0.5,
    difference: 0.02,
    ci: { low: -0.01, high: 0.05 },
    pValue: 0.00001,
    adjustedPValue: 0.00002,
    threshold: 'drop ≤ 0.03 (significant)',
    reason: 'R@5 rose 0.0200 (0.5000 → 0.5200, 40 queries); the allowed drop is 0.0300',
  },
  {
    ...blank,
    observed: null,
    rule: 'system ran',
    kind: 'system',
    system: 'broken',
    metric: 'run',
    level: 'error',
    status: 'fail',
    threshold: 'runs',
    reason: CRASH_REASON,
  },
];

/** 55 unjudged documents, more than the Markdown lists; the first with an id full of Markdown. */
const UNJUDGED: Verdict['unjudged'] = Array.from({ length: 55 }, (_, i) => ({
  system: HOSTILE,
  qid: `q${i + 1}`,
  docid: i === 0 ? 'd*1_[x]|y' : `doc-${i + 1}`,
  rank: (i % 10) + 1,
}));

/**
 * A failing verdict as applyPolicy builds one: pass, warn and fail outcomes, a system that failed to run, a
 * hostile system id, a drop rule whose threshold is below what the gate can detect, and unjudged documents.
 * Each call returns a fresh copy, so a test may change it.
 */
export function verdictFixture(): Verdict {
  return structuredClone({
    schemaVersion: 1,
    kind: 'gate-verdict',
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    status: 'fail',
    policy: {
      file: 'gates/default.yaml',
      alpha: 0.05,
      test: 'randomization',
      correction: 'holm',
      power: 0.8,
    },
    results: { dir: 'reports/pr-7', runId: 'pr-7' },
    dataset: {
      name: 'bike-repair',
      version: '1.0.0',
      digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      judgedQueries: 40,
    },
    baseline: {
      source: 'git:origin/main:gates/baselines/main.json',
      runId: 'main-41',
      dataset: {
        name: 'bike-repair',
        version: '1.0.0',
        digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      },
    },
    outcomes: OUTCOMES,
    detectableEffects: [
      { system: HOSTILE, metric: 'nDCG@10', queries: 40, sdDifference: 0.1, value: 0.0443, threshold: 0.02 },
      { system: 'bm25', metric: 'R@5', queries: 40, sdDifference: 0.05, value: 0.0222, threshold: 0.03 },
    ],
    unjudged: UNJUDGED,
    warnings: [`the baseline of ${HOSTILE} was measured on bike-repair@0.9.0; compared anyway`],
  } satisfies Verdict);
}
