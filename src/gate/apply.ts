import type {
  CostRule,
  CoverageRule,
  DropThreshold,
  FloorRule,
  LatencyRule,
  MaxDropRule,
  Policy,
  Rule,
} from '../config/gate-policy.js';
import { ruleName } from '../config/gate-policy.js';
import { bonferroniAdjust, holmAdjust, minimumDetectableEffect } from '../metrics/significance.js';
import type { MeasuredResults, MeasuredSystem } from '../results/measured.js';
import {
  type DetectableEffect,
  type RuleOutcome,
  STATUS_ORDER,
  type Status,
  type Verdict,
} from '../results/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { pairQueries } from './compare.js';
import type { CoverageFigures } from './coverage.js';
import { compareDrop, type DropComparison, dropFails } from './decide.js';

export interface GateInputs {
  policy: Policy;
  candidate: MeasuredResults;
  baseline: MeasuredResults | null;
  /** Why there is no baseline, said in the reason of every rule that needed one. */
  noBaselineReason?: string;
  /** Judged share and index coverage of a system's run at cutoff k; a string says why it is unavailable. */
  coverage: (system: string, k: number) => CoverageFigures | string;
  /** Things already known (e.g. the dataset changed since the baseline). */
  warnings?: string[];
}

/** A maxDrop comparison whose verdict waits for the multiple-comparison correction. */
interface PendingDrop {
  outcome: RuleOutcome;
  rule: MaxDropRule;
  comparison: DropComparison;
  /** The baseline's per-query values of the paired queries. */
  baselineValues: Float64Array;
}

/**
 * Applies a policy to a run's results: every rule × system becomes an outcome with the observed value, the
 * baseline, the difference and its CI, the p-value, the threshold and one sentence of why. Fails closed: a
 * failed system, a missing baseline or a metric that was not measured fails the rule, never passes it.
 */
export function applyPolicy(inputs: GateInputs): Verdict {
  const { policy, candidate, baseline } = inputs;
  const outcomes: RuleOutcome[] = [];
  const pending: PendingDrop[] = [];
  const warnings = [...(inputs.warnings ?? [])];
  const detectableEffects: DetectableEffect[] = [];
  const unjudged: Verdict['unjudged'] = [];
  const lowJudged = new Map<string, string>();
  const dropsConfident = countConfidentDrops(policy, candidate);

  for (const rule of policy.rules) {
    for (const missing of (rule.systems ?? []).filter((id) => !candidate.systems.some((s) => s.id === id))) {
      outcomes.push(
        outcome(rule, missing, rule.kind === 'latency' ? `latency.${rule.stage}` : metricOf(rule), {
          status: 'fail',
          reason: `the results have no system '${missing}' (systems: ${candidate.systems.map((s) => s.id).join(', ')})`,
        }),
      );
    }
  }

  for (const system of candidate.systems) {
    if (system.status === 'failed') {
      outcomes.push({
        ...blank(system.id, 'system', 'run', 'error'),
        status: 'fail',
        threshold: 'runs',
        reason: `the system failed, so nothing it would be gated on was measured: ${system.error ?? 'unknown error'}`,
      });
      continue;
    }
    for (const rule of policy.rules.filter((r) => !r.systems || r.systems.includes(system.id))) {
      const base = baselineSystem(rule, system, baseline);
      switch (rule.kind) {
        case 'floor':
          outcomes.push(floorOutcome(rule, system));
          break;
        case 'maxDrop': {
          const result = dropOutcome(rule, system, base, inputs, dropsConfident);
          if ('comparison' in result) {
            pending.push(result);
            detectableEffects.push(detectable(result, system.id, policy));
          } else outcomes.push(result);
          break;
        }
        case 'latency':
          outcomes.push(...latencyOutcomes(rule, system, base, inputs.noBaselineReason));
          break;
        case 'cost':
          outcomes.push(...costOutcomes(rule, system, base, inputs.noBaselineReason));
          break;
        case 'coverage': {
          const figures = inputs.coverage(system.id, rule.k);
          outcomes.push(...coverageOutcomes(rule, system, figures));
          if (
            typeof figures !== 'string' &&
            rule.minJudged !== undefined &&
            figures.judged < rule.minJudged
          ) {
            lowJudged.set(
              system.id,
              `only ${percent(figures.judged)} of its top ${rule.k} is judged: new, unjudged documents are being retrieved (${figures.unjudged.length} listed for annotation), so the drop may not be real`,
            );
            unjudged.push(...figures.unjudged.map((doc) => ({ system: system.id, ...doc })));
          }
          break;
        }
      }
    }
  }

  outcomes.push(...decidePending(pending, policy, lowJudged));
  return {
    schemaVersion: 1,
    kind: 'gate-verdict',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    status: overall(outcomes),
    policy: {
      file: policy.file,
      alpha: policy.alpha,
      test: policy.test,
      correction: policy.correction,
      power: policy.power,
    },
    results: { dir: candidate.source, runId: candidate.runId },
    dataset: candidate.dataset,
    baseline: baseline
      ? {
          source: baseline.source,
          runId: baseline.runId,
          dataset: {
            name: baseline.dataset.name,
            version: baseline.dataset.version,
            digest: baseline.dataset.digest,
          },
        }
      : null,
    outcomes: sortOutcomes(outcomes),
    detectableEffects,
    unjudged,
    warnings,
  };
}

function metricOf(rule: Rule): string {
  switch (rule.kind) {
    case 'floor':
    case 'maxDrop':
      return rule.metric;
    case 'latency':
      return `latency.${rule.stage}`;
    case 'cost':
      return 'cost.perQuery';
    case 'coverage':
      return `Judged@${rule.k}`;
  }
}

function blank(system: string, kind: RuleOutcome['kind'], metric: string, level: RuleOutcome['level']) {
  return {
    rule: kind === 'system' ? 'system ran' : '',
    kind,
    system,
    metric,
    level,
    observed: null,
    baseline: null,
    difference: null,
    ci: null,
    pValue: null,
    adjustedPValue: null,
  };
}

/** An outcome of `rule` on `system`; a failed check takes the rule's level (error → fail, warn → warn). */
function outcome(
  rule: Rule,
  system: string,
  metric: string,
  fields: Partial<RuleOutcome> & { status: Status; reason: string },
): RuleOutcome {
  const status = fields.status === 'fail' && rule.level === 'warn' ? 'warn' : fields.status;
  return {
    ...blank(system, rule.kind, metric, rule.level),
    rule: ruleName(rule),
    threshold: '',
    ...fields,
    status,
  };
}

function baselineSystem(rule: Rule, system: MeasuredSystem, baseline: MeasuredResults | null) {
  const id = 'baselineSystem' in rule && rule.baselineSystem ? rule.baselineSystem : system.id;
  return { id, system: baseline?.systems.find((s) => s.id === id) };
}

type BaselineLookup = ReturnType<typeof baselineSystem>;

/** Why a rule that needs a baseline has none; undefined when it has one it can use. */
function missingBaseline(base: BaselineLookup, noBaselineReason: string | undefined): string | undefined {
  if (noBaselineReason) return `no baseline to compare with (${noBaselineReason})`;
  if (!base.system) return `the baseline has no system '${base.id}'`;
  if (base.system.status === 'failed') return `the baseline system '${base.id}' failed`;
  return undefined;
}

function floorOutcome(rule: FloorRule, system: MeasuredSystem): RuleOutcome {
  const measured = system.measures[rule.metric];
  const threshold = `≥ ${rule.min}`;
  if (!measured) {
    return outcome(rule, system.id, rule.metric, {
      status: 'fail',
      threshold,
      reason: notMeasured(rule.metric),
    });
  }
  const passed = measured.value >= rule.min;
  return outcome(rule, system.id, rule.metric, {
    status: passed ? 'pass' : 'fail',
    observed: measured.value,
    ci:
      measured.ciLow === null || measured.ciHigh === null
        ? null
        : { low: measured.ciLow, high: measured.ciHigh },
    threshold,
    reason: passed
      ? `${rule.metric} ${fmt(measured.value)} is at or above the floor ${rule.min}`
      : `${rule.metric} ${fmt(measured.value)} is below the floor ${rule.min}`,
  });
}

function notMeasured(metric: string): string {
  return `${metric} was not measured in these results (add it to the config's measures)`;
}

function dropOutcome(
  rule: MaxDropRule,
  system: MeasuredSystem,
  base: BaselineLookup,
  inputs: GateInputs,
  confidentComparisons: number,
): RuleOutcome | PendingDrop {
  const threshold = thresholdText('drop', rule.maxDrop);
  const fail = (reason: string) =>
    outcome(rule, system.id, rule.metric, { status: 'fail', threshold, reason });
  const why = missingBaseline(base, inputs.noBaselineReason);
  if (why || !base.system) return fail(why ?? '');
  if (!system.perQuery.values[rule.metric]) return fail(notMeasured(rule.metric));
  if (!base.system.perQuery.values[rule.metric]) return fail(`the baseline did not measure ${rule.metric}`);
  const paired = pairQueries(system, base.system, rule.metric);
  if (paired.qids.length === 0) return fail('the results and the baseline have no query in common');
  const { policy } = inputs;
  const correctedAlpha =
    policy.correction === 'none' ? policy.alpha : policy.alpha / Math.max(1, confidentComparisons);
  const comparison = compareDrop(paired.candidate, paired.baseline, {
    threshold: rule.maxDrop,
    test: policy.test,
    samples: policy.samples,
    seed: policy.seed,
    // Two-sided 1 − 2α: its upper end is a one-sided bound at α, the error 'confident' controls.
    confidence: rule.decide === 'confident' ? 1 - 2 * correctedAlpha : 0.95,
  });
  const result = outcome(rule, system.id, rule.metric, {
    status: 'pass',
    threshold: `${threshold} (${rule.decide})`,
    reason: '',
    observed: comparison.candidateMean,
    baseline: comparison.baselineMean,
    difference: comparison.difference,
    ci: comparison.ci,
    pValue: comparison.pValue,
  });
  return { outcome: result, rule, comparison, baselineValues: paired.baseline };
}

function countConfidentDrops(policy: Policy, candidate: MeasuredResults): number {
  let count = 0;
  for (const rule of policy.rules) {
    if (rule.kind !== 'maxDrop' || rule.decide !== 'confident') continue;
    count += candidate.systems.filter(
      (s) => s.status === 'ok' && (!rule.systems || rule.systems.includes(s.id)),
    ).length;
  }
  return count;
}

/**
 * Decides the maxDrop comparisons together: the p-values of `significant` rules are corrected for their
 * number (Holm by default); `confident` intervals were widened (Bonferroni) when they were computed.
 */
function decidePending(
  pending: PendingDrop[],
  policy: Policy,
  lowJudged: Map<string, string>,
): RuleOutcome[] {
  const tested = pending.filter((p) => p.rule.decide === 'significant');
  const adjust =
    policy.correction === 'holm'
      ? holmAdjust
      : policy.correction === 'bonferroni'
        ? bonferroniAdjust
        : (p: number[]) => p;
  const adjustedValues = adjust(tested.map((t) => t.comparison.pValue));
  const adjusted = new Map(tested.map((p, i) => [p, adjustedValues[i] ?? 1]));
  return pending.map((p) => {
    const { comparison, rule } = p;
    const adjustedPValue = adjusted.get(p) ?? null;
    const failed = dropFails(comparison, rule.decide, adjustedPValue ?? comparison.pValue, policy.alpha);
    const reason = dropReason(comparison, rule, failed, adjustedPValue, policy.alpha);
    const lowJudgedReason = lowJudged.get(p.outcome.system);
    let status: Status = failed ? (rule.level === 'warn' ? 'warn' : 'fail') : 'pass';
    if (failed && lowJudgedReason) status = 'warn';
    return {
      ...p.outcome,
      adjustedPValue,
      status,
      reason: failed && lowJudgedReason ? `${reason}; a warning only: ${lowJudgedReason}` : reason,
    };
  });
}

function dropReason(
  c: DropComparison,
  rule: MaxDropRule,
  failed: boolean,
  adjustedPValue: number | null,
  alpha: number,
): string {
  const change =
    c.difference === 0
      ? 'did not change'
      : `${c.drop > 0 ? 'dropped' : 'rose'} ${fmt(Math.abs(c.difference))}`;
  const observed = `${rule.metric} ${change} (${fmt(c.baselineMean)} → ${fmt(c.candidateMean)}, ${c.queries} queries)`;
  const limit = `the allowed drop is ${fmt(c.threshold)}`;
  const ci = `[${fmt(c.ci.low)}, ${fmt(c.ci.high)}]`;
  if (c.drop <= c.threshold) return `${observed}; ${limit}`;
  switch (rule.decide) {
    case 'point':
      return `${observed}, more than ${limit.replace('the allowed drop is ', '')}`;
    case 'significant': {
      const p = `p = ${pText(adjustedPValue ?? c.pValue)}${adjustedPValue === null ? '' : ' after correction'}`;
      return failed
        ? `${observed}, more than the allowed ${fmt(c.threshold)}, and the drop is significant (${p} < ${alpha})`
        : `${observed}, more than the allowed ${fmt(c.threshold)}, but that is within noise (${p} ≥ ${alpha})`;
    }
    case 'confident':
      return failed
        ? `${observed}: the whole interval of the difference ${ci} lies beyond the allowed drop ${fmt(c.threshold)}`
        : `${observed}, but the interval of the difference ${ci} reaches inside the allowed drop ${fmt(c.threshold)}: not confidently beyond it`;
  }
}

/**
 * The smallest true drop the rule detects. Identical runs have differences with no spread, which says
 * nothing about the noise of a real change: then the spread of the baseline's own values stands in (the
 * spread of a difference between two systems whose per-query values correlate at 0.5).
 */
function detectable(p: PendingDrop, system: string, policy: Policy): DetectableEffect {
  const { comparison } = p;
  const sdDifference =
    comparison.sdDifference > 0 ? comparison.sdDifference : standardDeviation(p.baselineValues);
  return {
    system,
    metric: p.rule.metric,
    queries: comparison.queries,
    sdDifference,
    value: minimumDetectableEffect({
      sdDifference,
      queries: comparison.queries,
      alpha: policy.alpha,
      power: policy.power,
    }),
    threshold: comparison.threshold,
  };
}

function standardDeviation(values: Float64Array): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

/** The allowed increase over `base`: absolute in the figure's units, or a share of it. */
function allowedIncrease(threshold: DropThreshold, base: number): number {
  return 'abs' in threshold ? threshold.abs : threshold.rel * base;
}

function latencyOutcomes(
  rule: LatencyRule,
  system: MeasuredSystem,
  base: BaselineLookup,
  noBaselineReason: string | undefined,
): RuleOutcome[] {
  const stage = rule.stage;
  const absent =
    (stage === 'rerank' && !system.description?.reranker) ||
    (stage === 'embed' && !system.description?.model);
  if (absent) return []; // a system without that stage: nothing to gate
  const figures = system.latencyMs?.[stage];
  const results: RuleOutcome[] = [];
  const metric = (p: string) => `latency.${stage}.${p}`;
  const unmeasured =
    stage === 'embed'
      ? 'embedding latency was not measured: every query embedding came from the cache (clear cacheDir to measure it)'
      : `${stage} latency was not measured`;
  for (const [p, max] of [
    ['p95', rule.p95MaxMs],
    ['p99', rule.p99MaxMs],
  ] as const) {
    if (max === undefined) continue;
    const threshold = `${p} ≤ ${max} ms`;
    const value = figures?.[p];
    results.push(
      value === undefined
        ? outcome(rule, system.id, metric(p), { status: 'fail', threshold, reason: unmeasured })
        : outcome(rule, system.id, metric(p), {
            status: value <= max ? 'pass' : 'fail',
            observed: value,
            threshold,
            reason: `${stage} ${p} latency ${ms(value)} ${value <= max ? 'is within' : 'exceeds'} ${ms(max)}`,
          }),
    );
  }
  if (rule.maxIncrease) {
    const threshold = thresholdText('p95 increase', rule.maxIncrease, ' ms');
    const why = missingBaseline(base, noBaselineReason);
    const before = base.system?.latencyMs?.[stage]?.p95;
    const now = figures?.p95;
    results.push(
      why || before === undefined || now === undefined
        ? outcome(rule, system.id, metric('p95'), {
            status: 'fail',
            threshold,
            reason: why ?? (now === undefined ? unmeasured : `the baseline has no ${stage} latency`),
          })
        : increaseOutcome(rule, system.id, metric('p95'), now, before, rule.maxIncrease, threshold, ms),
    );
  }
  return results;
}

function costOutcomes(
  rule: CostRule,
  system: MeasuredSystem,
  base: BaselineLookup,
  noBaselineReason: string | undefined,
): RuleOutcome[] {
  const results: RuleOutcome[] = [];
  const now = system.costPerQuery;
  const metric = 'cost.perQuery';
  if (rule.perQueryMax !== undefined) {
    const threshold = `≤ ${rule.perQueryMax} per query`;
    results.push(
      now === null
        ? outcome(rule, system.id, metric, { status: 'fail', threshold, reason: 'the cost was not measured' })
        : outcome(rule, system.id, metric, {
            status: now <= rule.perQueryMax ? 'pass' : 'fail',
            observed: now,
            threshold,
            reason: `${money(now)} per query ${now <= rule.perQueryMax ? 'is within' : 'exceeds'} ${money(rule.perQueryMax)}`,
          }),
    );
  }
  if (rule.maxIncrease) {
    const threshold = thresholdText('increase', rule.maxIncrease);
    const why = missingBaseline(base, noBaselineReason);
    const before = base.system?.costPerQuery ?? null;
    results.push(
      why || before === null || now === null
        ? outcome(rule, system.id, metric, {
            status: 'fail',
            threshold,
            reason: why ?? 'the cost was not measured in the results or the baseline',
          })
        : increaseOutcome(rule, system.id, metric, now, before, rule.maxIncrease, threshold, money),
    );
  }
  return results;
}

function increaseOutcome(
  rule: Rule,
  system: string,
  metric: string,
  now: number,
  before: number,
  limit: DropThreshold,
  threshold: string,
  show: (x: number) => string,
): RuleOutcome {
  const allowed = allowedIncrease(limit, before);
  const passed = now - before <= allowed;
  return outcome(rule, system, metric, {
    status: passed ? 'pass' : 'fail',
    observed: now,
    baseline: before,
    difference: now - before,
    threshold,
    reason: `${show(before)} → ${show(now)}: ${passed ? 'within' : 'more than'} the allowed increase of ${show(allowed)}`,
  });
}

function coverageOutcomes(
  rule: CoverageRule,
  system: MeasuredSystem,
  figures: CoverageFigures | string,
): RuleOutcome[] {
  const results: RuleOutcome[] = [];
  if (rule.minJudged !== undefined) {
    const metric = `Judged@${rule.k}`;
    const threshold = `≥ ${rule.minJudged}`;
    results.push(
      typeof figures === 'string'
        ? outcome(rule, system.id, metric, { status: 'fail', threshold, reason: figures })
        : outcome(rule, system.id, metric, {
            status: figures.judged >= rule.minJudged ? 'pass' : 'fail',
            observed: figures.judged,
            threshold,
            reason:
              figures.judged >= rule.minJudged
                ? `${percent(figures.judged)} of the top ${rule.k} is judged`
                : `only ${percent(figures.judged)} of the top ${rule.k} is judged: ${figures.unjudged.length} unjudged documents listed for annotation`,
          }),
    );
  }
  if (rule.maxMissingRelevant !== undefined) {
    const metric = 'missingRelevant';
    const threshold = `≤ ${rule.maxMissingRelevant}`;
    const missing = typeof figures === 'string' ? figures : figures.missingRelevant;
    results.push(
      typeof missing === 'string'
        ? outcome(rule, system.id, metric, { status: 'fail', threshold, reason: missing })
        : outcome(rule, system.id, metric, {
            status: missing.share <= rule.maxMissingRelevant ? 'pass' : 'fail',
            observed: missing.share,
            threshold,
            reason: `${missing.missing.length} of ${missing.relevant} judged-relevant documents are not in the index${missing.missing.length ? ` (${missing.missing.slice(0, 5).join(', ')}${missing.missing.length > 5 ? ', …' : ''})` : ''}`,
          }),
    );
  }
  return results;
}

function overall(outcomes: RuleOutcome[]): Status {
  if (outcomes.some((o) => o.status === 'fail')) return 'fail';
  return outcomes.some((o) => o.status === 'warn') ? 'warn' : 'pass';
}

/** Failures first, then warnings; otherwise in the order of the systems and the policy's rules. */
function sortOutcomes(outcomes: RuleOutcome[]): RuleOutcome[] {
  return outcomes
    .map((o, i) => ({ o, i }))
    .sort((a, b) => STATUS_ORDER[a.o.status] - STATUS_ORDER[b.o.status] || a.i - b.i)
    .map(({ o }) => o);
}

function thresholdText(what: string, limit: DropThreshold, unit = ''): string {
  return 'abs' in limit ? `${what} ≤ ${limit.abs}${unit}` : `${what} ≤ ${percent(limit.rel)}`;
}

const fmt = (x: number): string => x.toFixed(4);
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const money = (x: number): string => x.toPrecision(3);
const percent = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
const pText = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
