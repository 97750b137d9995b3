import type {
  AgreementRule,
  CompatibilityRule,
  CompletenessRule,
  ReadinessRule,
  ReviewRule,
} from '../../config/gate-policy.js';
import type { ReviewFigures } from '../../results/review.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { fmt, percent } from '../format.js';
import { outcome } from '../outcome.js';

/**
 * The rules only a migration review measures: agreement with the live system, the candidate index's
 * completeness against the corpus, its readiness, and that its build record names the candidate's model.
 * Fail closed: without a review (a plain `gate`), or for a system the review is not about, they fail.
 */
export function reviewOutcome(
  rule: ReviewRule,
  system: string,
  review: ReviewFigures | undefined,
): RuleOutcome {
  if (!review || review.candidate.system !== system) {
    return outcome(rule, system, metricOf(rule), {
      status: 'fail',
      reason: review
        ? `the review's candidate is '${review.candidate.system}', not '${system}': a ${rule.kind} rule gates the candidate`
        : `${rule.kind} is measured only by \`migrate review\`, which these results do not come from`,
    });
  }
  switch (rule.kind) {
    case 'agreement':
      return agreementOutcome(rule, system, review);
    case 'completeness':
      return completenessOutcome(rule, system, review);
    case 'readiness':
      return readinessOutcome(rule, system, review);
    case 'compatibility':
      return compatibilityOutcome(rule, system, review);
  }
}

export function metricOf(rule: ReviewRule): string {
  switch (rule.kind) {
    case 'agreement':
      return rule.minOverlap !== undefined ? `overlap@${rule.k}` : 'top1Match';
    case 'completeness':
      return 'missing+stale';
    case 'readiness':
      return 'ready';
    case 'compatibility':
      return 'build record';
  }
}

function agreementOutcome(rule: AgreementRule, system: string, review: ReviewFigures): RuleOutcome {
  const metric = metricOf(rule);
  const figures = review.agreement.find((a) => a.set === rule.queries && a.k === rule.k);
  if (!figures || figures.queries === 0) {
    return outcome(rule, system, metric, {
      status: 'fail',
      reason:
        rule.queries === 'sample'
          ? 'no unjudged sample was compared: pass `migrate review --queries <file.jsonl>`, or remove the rule'
          : `no queries were answered by both systems at k ${rule.k}`,
    });
  }
  const checks: { what: string; value: number; min: number }[] = [];
  if (rule.minOverlap !== undefined)
    checks.push({ what: `mean top-${rule.k} overlap`, value: figures.meanOverlap, min: rule.minOverlap });
  if (rule.minTop1 !== undefined)
    checks.push({ what: 'same first document', value: figures.top1Match, min: rule.minTop1 });
  const failed = checks.filter((c) => c.value < c.min);
  const said = checks.map(
    (c) => `${c.what} ${fmt(c.value)} (${c.value < c.min ? 'below' : 'at least'} ${c.min})`,
  );
  const worst = figures.worst[0];
  const over = `over ${figures.queries} ${rule.queries === 'sample' ? 'unjudged sample' : 'judged'} queries`;
  return outcome(rule, system, metric, {
    status: failed.length > 0 ? 'fail' : 'pass',
    observed: checks[0]?.value ?? null,
    threshold: checks.map((c) => `${c.what} ≥ ${c.min}`).join(', '),
    reason:
      failed.length > 0
        ? `the candidate disagrees with the live system: ${said.join('; ')} ${over}${worst ? `; least agreement on '${worst.qid}' (${percent(worst.overlap)} overlap)` : ''}`
        : `${said.join('; ')} ${over}`,
  });
}

function completenessOutcome(rule: CompletenessRule, system: string, review: ReviewFigures): RuleOutcome {
  const metric = metricOf(rule);
  const figures = review.completeness;
  if (!figures) {
    return outcome(rule, system, metric, {
      status: 'fail',
      reason: 'the dataset has no corpus, so what the candidate index should hold is unknown',
    });
  }
  const share = (n: number) => (figures.corpus === 0 ? 0 : n / figures.corpus);
  const limits = [
    { what: 'missing', count: figures.missing, max: rule.maxMissing, ids: figures.examples.missing },
    { what: 'stale', count: figures.stale, max: rule.maxStale, ids: figures.examples.stale },
    ...(rule.maxExtra === undefined
      ? []
      : [{ what: 'extra', count: figures.extra, max: rule.maxExtra, ids: figures.examples.extra }]),
  ];
  const over = limits.filter((l) => share(l.count) > l.max);
  const unknown =
    figures.unknownDigest > 0
      ? `; ${figures.unknownDigest} documents record no text digest, so their staleness is unknown`
      : '';
  const target = review.candidate.target;
  return outcome(rule, system, metric, {
    status: over.length > 0 ? 'fail' : 'pass',
    observed: share(figures.missing + figures.stale),
    threshold: limits.map((l) => `${l.what} ≤ ${percent(l.max)}`).join(', '),
    reason:
      over.length > 0
        ? `${target} is incomplete: ${over
            .map(
              (l) =>
                `${l.count} ${l.what} of ${figures.corpus} corpus documents (e.g. ${l.ids.slice(0, 3).join(', ')})`,
            )
            .join('; ')}${unknown}`
        : `${target} holds ${figures.indexed - figures.extra} of ${figures.corpus} corpus documents: ${figures.missing} missing, ${figures.stale} stale, ${figures.extra} extra${unknown}`,
  });
}

function readinessOutcome(rule: ReadinessRule, system: string, review: ReviewFigures): RuleOutcome {
  const { readiness, target } = review.candidate;
  return outcome(rule, system, metricOf(rule), {
    status: readiness.ready ? 'pass' : 'fail',
    observed: readiness.count,
    threshold: 'ready to serve',
    reason: readiness.ready
      ? `${target} is ready (${readiness.status ? `status ${readiness.status}, ` : ''}${readiness.count} exactly counted)`
      : `${target} is not ready to serve: ${readiness.problems.join('; ')}`,
  });
}

function compatibilityOutcome(rule: CompatibilityRule, system: string, review: ReviewFigures): RuleOutcome {
  const { compatibility, target, buildRecordSha256 } = review.candidate;
  const problems = [
    ...compatibility.problems,
    ...(buildRecordSha256 === null
      ? [
          `${target} has no build record: nothing says the candidate's model built it (build it with \`index build\`)`,
        ]
      : []),
  ];
  return outcome(rule, system, metricOf(rule), {
    status: problems.length === 0 ? 'pass' : 'fail',
    threshold: "built by the candidate's model and version",
    reason:
      problems.length === 0
        ? `${target} was built by the candidate's model and version (its build record says so)`
        : problems.join('; '),
  });
}
