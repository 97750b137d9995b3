import { parseDuration } from '../durations.js';
import { UserError } from '../errors.js';
import { hasUnitRange, type Measure, parseMeasure } from '../metrics/registry.js';
import { schemaProblem } from '../schemas.js';
import { readUtf8File } from '../utf8.js';
import { POLICY_DEFAULTS, type Policy, type Rule } from './gate-policy.js';
import { fieldName, parseLocatedYaml } from './locate.js';

type RawRule = Partial<Rule> & { kind: Rule['kind'] };
interface RawPolicy extends Partial<Omit<Policy, 'rules' | 'file'>> {
  rules: RawRule[];
}

/**
 * Reads a gate policy (gates/*.yaml): YAML → JSON Schema (policy.schema.json) → measure names → defaults.
 * Errors name the file, the line and the field, like the run configuration's.
 */
export function loadPolicy(file: string): Policy {
  const yaml = parseLocatedYaml(readUtf8File(file), file);
  const fail = (message: string, path: (string | number)[], field = fieldName(path)): never => {
    throw new UserError(message, { file, line: yaml.lineOf(path), field });
  };
  const problem = schemaProblem('policy', yaml.value);
  if (problem) {
    const bounds = missingBounds(yaml.value, problem.path);
    if (bounds)
      fail(
        `a ${bounds.kind} rule needs at least one of ${bounds.fields.join(', ')}`,
        problem.path.slice(0, 2),
      );
    fail(problem.message, problem.path, problem.field);
  }
  const raw = yaml.value as RawPolicy;

  const rules = raw.rules.map((rule, i): Rule => {
    const line = yaml.lineOf(['rules', i]);
    const common = { level: rule.level ?? 'error', ...(line === undefined ? {} : { line }) };
    if ('metric' in rule && typeof rule.metric === 'string') {
      const measure = ruleMeasure(rule.metric, (message) => fail(message, ['rules', i, 'metric']));
      checkRange(rule, measure, (message, path) => fail(message, ['rules', i, ...path]));
      // Canonical names ("recall@5" → "R@5") are what evaluations are keyed by.
      return { ...rule, ...common, metric: measure.name, ...decideDefault(rule) } as Rule;
    }
    if (rule.kind === 'latency') {
      if (rule.ignoreBelowMs !== undefined && rule.maxIncrease === undefined)
        fail('ignores increases below a floor, so it needs maxIncrease to compare with', [
          'rules',
          i,
          'ignoreBelowMs',
        ]);
      return { ...rule, ...common, stage: rule.stage ?? 'total' } as Rule;
    }
    if (rule.kind === 'coverage' || rule.kind === 'ann')
      return { ...rule, ...common, k: rule.k ?? 10 } as Rule;
    if (rule.kind === 'agreement')
      return { ...rule, ...common, k: rule.k ?? 10, queries: rule.queries ?? 'judged' } as Rule;
    if (rule.kind === 'consistency')
      return consistencyRule(rule, common, (message, field) => fail(message, ['rules', i, field]));
    if (rule.kind === 'completeness')
      return { ...rule, ...common, maxMissing: rule.maxMissing ?? 0, maxStale: rule.maxStale ?? 0 } as Rule;
    return { ...rule, ...common } as Rule;
  });

  return {
    file,
    alpha: raw.alpha ?? POLICY_DEFAULTS.alpha,
    test: raw.test ?? POLICY_DEFAULTS.test,
    correction: raw.correction ?? POLICY_DEFAULTS.correction,
    samples: raw.samples ?? POLICY_DEFAULTS.samples,
    seed: raw.seed ?? POLICY_DEFAULTS.seed,
    power: raw.power ?? POLICY_DEFAULTS.power,
    ...(raw.baseline === undefined ? {} : { baseline: raw.baseline }),
    rules,
  };
}

/** The measure a rule names, or the failure that says why it names none. */
function ruleMeasure(name: string, fail: (message: string) => never): Measure {
  try {
    return parseMeasure(name);
  } catch (error) {
    return fail((error as Error).message);
  }
}

/**
 * A floor or a drop threshold outside the values of a measure bounded by [0, 1] could never fail (a floor
 * of -1, a drop of 2 points) or would always fail (a floor of 1.5): refused, naming the rule's field.
 */
function checkRange(rule: RawRule, measure: Measure, fail: (message: string, path: string[]) => never): void {
  if (!hasUnitRange(measure)) return;
  const bounded = `${measure.name} lies in [0, 1]`;
  if (rule.kind === 'floor' && typeof rule.min === 'number' && !(rule.min >= 0 && rule.min <= 1)) {
    const effect = rule.min < 0 ? 'could never fail' : 'would always fail';
    fail(`a floor of ${rule.min} ${effect}: ${bounded}, so min must be between 0 and 1`, ['min']);
  }
  if (rule.kind === 'maxDrop' && rule.maxDrop) {
    const threshold = rule.maxDrop as Record<string, unknown>;
    for (const key of ['abs', 'rel'] as const) {
      const value = threshold[key];
      if (typeof value === 'number' && value > 1) {
        const what =
          key === 'abs' ? `a drop of ${value} points` : `a drop of ${value * 100} % of the baseline`;
        fail(`${what} can never happen: ${bounded}, so maxDrop.${key} must be at most 1`, ['maxDrop', key]);
      }
    }
  }
}

/** Rules whose limits are all optional need one of them (the schema's anyOf, said in words). */
const BOUNDS: Partial<Record<Rule['kind'], string[]>> = {
  latency: ['p95MaxMs', 'p99MaxMs', 'maxIncrease'],
  cost: ['perQueryMax', 'maxIncrease'],
  coverage: ['minJudged', 'maxMissingRelevant'],
  agreement: ['minOverlap', 'minTop1'],
  consistency: ['maxMissing', 'maxOrphaned', 'maxStale', 'maxForeign', 'maxOldestUnresolved'],
};

const LIMITS = ['maxMissing', 'maxOrphaned', 'maxStale', 'maxForeign'] as const;

/** "1%" → a share, 10 → a count; "24h" → ms (the schema checked the shapes). */
function consistencyRule(
  rule: RawRule,
  common: Pick<Rule, 'level' | 'line'>,
  fail: (message: string, field: string) => never,
): Rule {
  const raw = rule as unknown as Record<string, unknown>;
  const parsed: Record<string, unknown> = { ...raw, ...common };
  for (const key of LIMITS) {
    const value = raw[key];
    if (value === undefined) continue;
    parsed[key] =
      typeof value === 'number' ? { count: value } : { share: Number(String(value).slice(0, -1)) / 100 };
  }
  if (raw.maxOldestUnresolved !== undefined) {
    const ms = parseDuration(String(raw.maxOldestUnresolved));
    if (ms === undefined) fail('takes a duration like 24h, 90m or 2d', 'maxOldestUnresolved');
    parsed.maxOldestUnresolved = ms;
  }
  return parsed as unknown as Rule;
}

function missingBounds(value: unknown, path: string[]): { kind: string; fields: string[] } | undefined {
  const [section, index] = path;
  if (section !== 'rules' || index === undefined) return undefined;
  const rule = (value as { rules: Record<string, unknown>[] }).rules[Number(index)] ?? {};
  const fields = BOUNDS[rule.kind as Rule['kind']];
  if (!fields || fields.some((field) => field in rule)) return undefined;
  return { kind: String(rule.kind), fields };
}

function decideDefault(rule: RawRule): { decide?: 'significant' } {
  return rule.kind === 'maxDrop' && !('decide' in rule && rule.decide) ? { decide: 'significant' } : {};
}
