import { describe, expect, it } from 'vitest';
import { type CurrentFacts, cutoverProblems, recordDigest } from '../../src/lifecycle/cutover-checks.js';
import type { ReviewFile, ReviewSide } from '../../src/results/review.js';

const LIVE_RECORD = recordDigest({ modelAlias: 'old' });
const CANDIDATE_RECORD = recordDigest({ modelAlias: 'new' });

function side(system: string, target: string, alias: string | null, digest: string | null): ReviewSide {
  return {
    system,
    index: system,
    kind: 'qdrant',
    where: 'http://127.0.0.1:6333',
    alias,
    target,
    buildRecordSha256: digest,
    readiness: { ready: true, count: 10, status: 'green', problems: [] },
    compatibility: { problems: [], warnings: [] },
  };
}

const REVIEW: ReviewFile = {
  schemaVersion: 1,
  kind: 'migration-review',
  tool: { name: 'retrieval-gate', version: '0' },
  reviewedAt: '2026-12-01T10:00:00.000Z',
  status: 'pass',
  runId: 'r1',
  config: { file: '/c.yaml', sha256: 'a'.repeat(64) },
  policy: { file: '/p.yaml', sha256: 'b'.repeat(64) },
  dataset: { name: 'bikes', version: '1.0.0', digest: 'sha256:dd' },
  sample: null,
  live: side('live', 'docs_v1', 'docs', LIVE_RECORD),
  candidate: side('candidate', 'docs_v2', null, CANDIDATE_RECORD),
  agreement: [],
  completeness: null,
  build: null,
};

const FACTS: CurrentFacts = {
  now: new Date('2026-12-01T12:00:00.000Z'),
  aliasTarget: 'docs_v1',
  toExists: true,
  configSha256: 'a'.repeat(64),
  datasetDigest: 'sha256:dd',
  liveRecordSha256: LIVE_RECORD,
  candidateRecordSha256: CANDIDATE_RECORD,
  candidateReadiness: { ready: true, count: 10, problems: [] },
};

const REQUEST = { alias: 'docs', to: 'docs_v2', maxAgeMs: 24 * 3_600_000 };

describe('whether a review still allows a cutover', () => {
  it('allows the switch the review describes, while nothing has changed', () => {
    expect(cutoverProblems(REVIEW, REQUEST, FACTS)).toEqual([]);
  });

  it.each([
    ['another candidate', { ...REQUEST, to: 'docs_v3' }, FACTS, /candidate is docs_v2, not docs_v3/],
    ['another alias', { ...REQUEST, alias: 'search' }, FACTS, /about alias docs, not search/],
    [
      'an alias that does not exist',
      REQUEST,
      { ...FACTS, aliasTarget: undefined },
      /alias docs does not exist/,
    ],
    ['an alias moved since', REQUEST, { ...FACTS, aliasTarget: 'docs_v0' }, /points at docs_v0 now/],
    ['a target that is gone', REQUEST, { ...FACTS, toExists: false }, /target docs_v2 does not exist/],
    [
      'an edited config',
      REQUEST,
      { ...FACTS, configSha256: 'c'.repeat(64) },
      /the config changed since the review/,
    ],
    ['an edited dataset', REQUEST, { ...FACTS, datasetDigest: 'sha256:ee' }, /dataset bikes@1.0.0 changed/],
    [
      'a rebuilt candidate',
      REQUEST,
      { ...FACTS, candidateRecordSha256: recordDigest({ modelAlias: 'new', builtAt: 'later' }) },
      /build record of docs_v2 \(candidate: rebuilt\?\) changed/,
    ],
    [
      'a rebuilt live index',
      REQUEST,
      { ...FACTS, liveRecordSha256: null },
      /build record of docs_v1 \(live\) changed/,
    ],
    [
      'an expired review',
      REQUEST,
      { ...FACTS, now: new Date('2026-12-02T10:00:01.000Z') },
      /older than --max-age 24.0 h/,
    ],
    [
      'a candidate not ready',
      REQUEST,
      { ...FACTS, candidateReadiness: { ready: false, count: 3, problems: ['status yellow'] } },
      /not ready to serve now: status yellow/,
    ],
  ])('refuses %s', (_what, request, facts, message) => {
    const problems = cutoverProblems(REVIEW, request, facts);
    expect(problems.join('\n')).toMatch(message);
  });

  it('digests a build record by its content, not its key order', () => {
    expect(recordDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(recordDigest({ b: { d: 3, c: 2 }, a: 1 }));
    expect(recordDigest(null)).toBeNull();
  });
});
