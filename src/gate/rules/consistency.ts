import type { ConsistencyRule, CountOrShare } from '../../config/gate-policy.js';
import { formatDuration } from '../../durations.js';
import type { AuditFile } from '../../results/audit.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { percent } from '../format.js';
import { outcome } from '../outcome.js';

type Kind = 'missing' | 'orphaned' | 'stale' | 'foreign';

const LIMITS: [Kind, 'maxMissing' | 'maxOrphaned' | 'maxStale' | 'maxForeign'][] = [
  ['missing', 'maxMissing'],
  ['orphaned', 'maxOrphaned'],
  ['stale', 'maxStale'],
  ['foreign', 'maxForeign'],
];

/** Ids named in a failing reason at most (audit.json lists them all). */
const NAMED = 3;

/**
 * A consistency rule on an index audit: each limit (a count, or a share of the source's live rows) and the
 * age of the oldest missing or stale document. One outcome per rule, for the audited index. Fails closed
 * without an audit.
 */
export function consistencyOutcome(rule: ConsistencyRule, audit: AuditFile | undefined): RuleOutcome {
  if (!audit) {
    return outcome(rule, 'index', 'inconsistencies', {
      status: 'fail',
      reason: 'consistency is measured by `retrieval-gate audit`, and no audit ran for these results',
    });
  }
  const live = audit.source.live;
  const over: string[] = [];
  const said: string[] = [];
  const thresholds: string[] = [];
  for (const [kind, key] of LIMITS) {
    const limit = rule[key];
    if (!limit) continue;
    const count = audit.counts[kind];
    const allowed = allowedCount(limit, live);
    thresholds.push(`${kind} ≤ ${limitText(limit)}`);
    const figure = `${count} ${kind} (${percent(live === 0 ? 0 : count / live)} of ${live} rows)`;
    said.push(figure);
    if (count > allowed) {
      const ids = audit.lists[kind].slice(0, NAMED).map((item) => item.id);
      over.push(`${figure}, more than ${limitText(limit)}: ${ids.join(', ')}${count > NAMED ? ', …' : ''}`);
    }
  }
  if (rule.maxOldestUnresolved !== undefined) {
    thresholds.push(`oldest unresolved ≤ ${formatDuration(rule.maxOldestUnresolved)}`);
    const oldest = audit.oldestUnresolved;
    if (oldest && oldest.ageMs > rule.maxOldestUnresolved) {
      over.push(
        `${oldest.id} has waited ${formatDuration(oldest.ageMs)} since it changed (${oldest.updatedAt}), longer than ${formatDuration(rule.maxOldestUnresolved)}`,
      );
    } else {
      said.push(
        oldest
          ? `oldest unresolved ${formatDuration(oldest.ageMs)}`
          : 'nothing unresolved with a change time',
      );
    }
  }
  const index = `${audit.index.target} (${audit.index.kind} ${audit.index.where})`;
  return outcome(rule, audit.index.alias, 'inconsistencies', {
    status: over.length > 0 ? 'fail' : 'pass',
    observed: audit.counts.missing + audit.counts.orphaned + audit.counts.stale + audit.counts.foreign,
    threshold: thresholds.join(', '),
    reason:
      over.length > 0
        ? `${index} is out of step with ${audit.source.name}: ${over.join('; ')}`
        : `${index} agrees with ${audit.source.name} within the limits: ${said.join(', ')}`,
  });
}

function allowedCount(limit: CountOrShare, live: number): number {
  return 'count' in limit ? limit.count : limit.share * live;
}

function limitText(limit: CountOrShare): string {
  return 'count' in limit ? String(limit.count) : percent(limit.share);
}
