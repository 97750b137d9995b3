import { describe, expect, it } from 'vitest';
import { githubAnnotations } from '../../src/report/github-annotations.js';
import type { RuleOutcome } from '../../src/results/verdict.js';
import { HOSTILE, verdictFixture } from './verdict-fixture.js';

describe('githubAnnotations', () => {
  const lines = githubAnnotations(verdictFixture());

  it('makes failed outcomes errors; warned ones, undetectable drops and warnings warnings; passes nothing', () => {
    expect(lines.map((line) => line.slice(0, line.indexOf(' title=')))).toEqual([
      '::error',
      '::warning',
      '::error',
      '::warning',
      '::warning',
    ]);
    expect(lines[4]).toBe(
      `::warning title=retrieval-gate::the baseline of ${HOSTILE} was measured on bike-repair@0.9.0; compared anyway`,
    );
    expect(lines[0]).toContain(`${HOSTILE} · maxDrop nDCG@10 (nDCG@10)`);
    expect(lines[2]).toContain('broken · system ran (run)');
    expect(lines[3]).toContain(`cannot see the allowed drop%3A ${HOSTILE} · maxDrop nDCG@10`);
    expect(
      githubAnnotations({ ...verdictFixture(), outcomes: [], detectableEffects: [], warnings: [] }),
    ).toEqual([]);
  });

  it('writes one workflow command per line, the title as a property and the reason as the message', () => {
    expect(lines[1]).toBe(
      '::warning title=retrieval-gate warned%3A bm25 · latency total (latency.total.p95)::80.0 ms → 123.5 ms: more than the allowed increase of 40.0 ms [threshold: p95 increase ≤ 50 %25]',
    );
    expect(lines[3]).toBe(
      `::warning title=retrieval-gate cannot see the allowed drop%3A ${HOSTILE} · maxDrop nDCG@10::the rule allows a drop of 0.0200, but on 40 queries the smallest drop the gate detects with 80 %25 power at alpha 0.05 is 0.0443: add queries or loosen the threshold`,
    );
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
  });

  it("escapes as GitHub's toolkit does: %, CR and LF everywhere; : and , in properties too", () => {
    const crashed = verdictFixture().outcomes.find((o) => o.kind === 'system') as RuleOutcome;
    const [line] = githubAnnotations({
      ...verdictFixture(),
      outcomes: [{ ...crashed, system: 's,1:x', rule: '50% off', reason: 'a:b,c 100%\r\nnext::error x' }],
      detectableEffects: [],
    });
    expect(line).toBe(
      '::error title=retrieval-gate failed%3A s%2C1%3Ax · 50%25 off (run)::a:b,c 100%25%0D%0Anext::error x [threshold: runs]',
    );
  });
});
