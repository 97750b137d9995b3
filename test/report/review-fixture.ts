import type { ReviewFile, ReviewSide } from '../../src/results/review.js';

/** A query text that would open HTML with a script-running handler, were it ever parsed as markup. */
export const HOSTILE_QUERY = '<img src=x onerror=alert(1)>';
/** A document id that would split a Markdown table cell. */
export const PIPE_DOC = 'chain|lube';

const SHA = (digit: string): string => digit.repeat(64);

function side(overrides: Partial<ReviewSide>): ReviewSide {
  return {
    system: 'hash-128@kb',
    index: 'kb',
    kind: 'qdrant',
    where: 'http://localhost:6333',
    alias: 'kb',
    target: 'kb_2026_10',
    buildRecordSha256: SHA('a'),
    readiness: { ready: true, count: 118, status: 'green', problems: [] },
    compatibility: { problems: [], warnings: [] },
    ...overrides,
  };
}

/**
 * A failing review of the bike-repair help centre: the live hash-128 system (through the alias kb) against
 * a hash-512 candidate on its own collection, which is still indexing and lacks two documents. Its worst
 * judged query has the hostile text, and the candidate ranked the doc id with a pipe first.
 */
export function reviewFixture(): ReviewFile {
  return {
    schemaVersion: 1,
    kind: 'migration-review',
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    reviewedAt: '2026-11-23T10:00:00.000Z',
    status: 'fail',
    runId: 'review-7',
    config: { file: 'retrieval-gate.yaml', sha256: SHA('1') },
    policy: { file: 'gates/cutover.yaml', sha256: SHA('2') },
    dataset: { name: 'bike-repair', version: '1.0.0', digest: `sha256:${'0123456789abcdef'.repeat(4)}` },
    sample: { file: 'traffic.jsonl', sha256: SHA('3'), queries: 200 },
    live: side({}),
    candidate: side({
      system: 'hash-512@kb-next',
      index: 'kb-next',
      alias: null,
      target: 'kb_2026_11',
      buildRecordSha256: SHA('b'),
      readiness: { ready: false, count: 116, status: 'yellow', problems: ['kb_2026_11 is still indexing'] },
      compatibility: { problems: [], warnings: ['the build record names no tokenizer'] },
    }),
    agreement: [
      {
        set: 'judged',
        k: 10,
        queries: 6,
        meanOverlap: 0.85,
        top1Match: 5 / 6,
        worst: [
          {
            qid: 'q05',
            text: HOSTILE_QUERY,
            overlap: 0.4,
            top1: false,
            live: ['gear-indexing', 'derailleur-hanger', 'chain-wear'],
            candidate: [PIPE_DOC, 'chain-wear', 'gear-indexing'],
          },
        ],
      },
      { set: 'sample', k: 10, queries: 200, meanOverlap: 0.9125, top1Match: 0.94, worst: [] },
    ],
    completeness: {
      corpus: 120,
      indexed: 118,
      missing: 2,
      extra: 0,
      stale: 1,
      unknownDigest: 0,
      examples: { missing: ['wheel-truing', 'spoke-tension'], extra: [], stale: [PIPE_DOC] },
    },
    build: {
      documents: 118,
      tokens: 45210,
      cost: 0.000904,
      durationMs: 12345,
      builtAt: '2026-11-22T18:00:00.000Z',
    },
  };
}
