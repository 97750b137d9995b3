import type { CoverageRule } from '../../config/gate-policy.js';
import type { MeasuredSystem } from '../../results/measured.js';
import type { RuleOutcome } from '../../results/verdict.js';
import type { CoverageFigures } from '../coverage.js';
import { percent } from '../format.js';
import { outcome } from '../outcome.js';

/** A coverage rule: the judged share of the top k, and the share of judged-relevant documents not indexed. */
export function coverageOutcomes(
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

/**
 * A system whose top k is judged less than `minJudged` retrieves documents nobody judged: its drops may not
 * be real, so they become warnings, and its unjudged documents are listed for annotation.
 */
export function lowJudged(
  rule: CoverageRule,
  figures: CoverageFigures | string,
): { reason: string; unjudged: CoverageFigures['unjudged'] } | undefined {
  if (typeof figures === 'string' || rule.minJudged === undefined || figures.judged >= rule.minJudged) {
    return undefined;
  }
  return {
    reason: `only ${percent(figures.judged)} of its top ${rule.k} is judged: new, unjudged documents are being retrieved (${figures.unjudged.length} listed for annotation), so the drop may not be real`,
    unjudged: figures.unjudged,
  };
}
