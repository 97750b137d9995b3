import { createHash } from 'node:crypto';
import { canonicalJson } from '../dataset/canonical.js';
import { formatDuration } from '../durations.js';
import type { ReviewFile } from '../results/review.js';
import type { Readiness } from './index-store.js';

/** What a cutover asks for. */
export interface CutoverRequest {
  alias: string;
  to: string;
  /** A review older than this is refused (default 24 h). */
  maxAgeMs: number;
}

/** The state of things now, read just before the switch, to hold against what the review saw. */
export interface CurrentFacts {
  now: Date;
  /** The alias's target now; undefined when the alias does not exist. */
  aliasTarget: string | undefined;
  toExists: boolean;
  configSha256: string;
  datasetDigest: string;
  /** sha256 of each side's build record now (null: none). */
  liveRecordSha256: string | null;
  candidateRecordSha256: string | null;
  candidateReadiness: Readiness | null;
}

/**
 * Every reason a review does not allow this switch now, in words: it is about another alias or candidate,
 * the alias moved since, the dataset, the config or either index was changed or rebuilt (digests), it is
 * too old, or the target is gone or not ready. Empty: the review still describes what is about to happen.
 */
export function cutoverProblems(review: ReviewFile, request: CutoverRequest, facts: CurrentFacts): string[] {
  const problems: string[] = [];
  const { alias, to } = request;
  if (review.candidate.target !== to) {
    problems.push(`the review's candidate is ${review.candidate.target}, not ${to}`);
  }
  if (review.live.alias !== null && review.live.alias !== alias) {
    problems.push(`the review is about alias ${review.live.alias}, not ${alias}`);
  }
  if (facts.aliasTarget === undefined) {
    problems.push(
      `alias ${alias} does not exist (a cutover moves an existing alias; create it with \`index build --alias\`)`,
    );
  } else if (facts.aliasTarget !== review.live.target) {
    problems.push(
      `alias ${alias} points at ${facts.aliasTarget} now, but the review compared the candidate with ${review.live.target}: review again`,
    );
  }
  if (facts.aliasTarget === to) problems.push(`alias ${alias} already points at ${to}`);
  if (!facts.toExists) problems.push(`the target ${to} does not exist`);
  const changed = (what: string, then: string | null, now: string | null) => {
    if (then !== now) {
      problems.push(
        `${what} changed since the review (digest ${short(then)} then, ${short(now)} now): review again`,
      );
    }
  };
  changed('the config', review.config.sha256, facts.configSha256);
  changed(
    `the dataset ${review.dataset.name}@${review.dataset.version}`,
    review.dataset.digest,
    facts.datasetDigest,
  );
  changed(
    `the build record of ${review.live.target} (live)`,
    review.live.buildRecordSha256,
    facts.liveRecordSha256,
  );
  if (facts.toExists) {
    changed(
      `the build record of ${review.candidate.target} (candidate: rebuilt?)`,
      review.candidate.buildRecordSha256,
      facts.candidateRecordSha256,
    );
  }
  const reviewedAt = Date.parse(review.reviewedAt);
  if (Number.isNaN(reviewedAt)) {
    problems.push(`the review's time '${review.reviewedAt}' is not a time`);
  } else {
    const age = facts.now.getTime() - reviewedAt;
    if (age > request.maxAgeMs) {
      problems.push(
        `the review is ${formatDuration(age)} old, older than --max-age ${formatDuration(request.maxAgeMs)}: review again`,
      );
    } else if (age < -60_000) {
      problems.push(`the review's time ${review.reviewedAt} lies in the future`);
    }
  }
  if (facts.candidateReadiness && !facts.candidateReadiness.ready) {
    problems.push(`${to} is not ready to serve now: ${facts.candidateReadiness.problems.join('; ')}`);
  }
  return problems;
}

function short(digest: string | null): string {
  return digest === null ? 'none' : digest.replace(/^sha256:/, '').slice(0, 12);
}

/** sha256 of a build record's canonical JSON: any rebuild or edit of the record changes it. */
export function recordDigest(record: Record<string, unknown> | null): string | null {
  return record === null ? null : createHash('sha256').update(canonicalJson(record)).digest('hex');
}
