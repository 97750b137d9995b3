import { describe, expect, it } from 'vitest';
import type { Policy, Rule } from '../../src/config/gate-policy.js';
import { applyPolicy, type GateInputs } from '../../src/gate/apply.js';
import type { CoverageFigures } from '../../src/gate/coverage.js';
import { gateText } from '../../src/report/gate-text.js';
import type { MeasuredResults, MeasuredSystem } from '../../src/results/measured.js';
import type { RuleOutcome } from '../../src/results/verdict.js';

const QIDS = Array.from({ length: 10 }, (_, i) => `q${i}`);
const BASE = QIDS.map(() => 0.5);
// Differences whose one-sided paired t-test p-values are 0.0286 and 0.0421 (scipy.stats.ttest_1samp):
// each significant alone at 0.05, neither after Holm (adjusted 0.0571 both).
const D1 = [-0.3, -0.2, -0.1, 0.1, -0.3, -0.2, 0.1, -0.1, -0.2, 0.1];
const D2 = [-0.3, -0.2, -0.2, 0.1, -0.3, -0.2, 0.2, -0.1, -0.2, 0.1];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function system(
  id: string,
  values: Record<string, number[]>,
  extra: Partial<MeasuredSystem> = {},
): MeasuredSystem {
  return {
    id,
    status: 'ok',
    description: {
      model: null,
      index: { alias: 'bm25', kind: 'bm25', resolved: 'bm25' },
      reranker: null,
      k: 10,
    },
    measures: Object.fromEntries(
      Object.entries(values).map(([name, xs]) => [
        name,
        { value: mean(xs), ciLow: mean(xs) - 0.1, ciHigh: mean(xs) + 0.1 },
      ]),
    ),
    perQuery: { qids: QIDS, values },
    latencyMs: { total: { count: 10, p50: 10, p95: 20, p99: 30, mean: 12, max: 31 } },
    costPerQuery: 0.001,
    ...extra,
  };
}

function results(systems: MeasuredSystem[]): MeasuredResults {
  return {
    source: 'reports/test',
    runId: 'test',
    dataset: { name: 'd', version: '1', digest: 'sha256:00', judgedQueries: 10 },
    settings: {
      measures: ['R@5', 'nDCG@10'],
      relevanceLevel: 1,
      missingQueries: 'zero',
      bootstrap: { samples: 1000, confidence: 0.95, seed: 42 },
    },
    systems,
  };
}

function policy(rules: Rule[], overrides: Partial<Policy> = {}): Policy {
  return {
    file: 'gates/test.yaml',
    alpha: 0.05,
    test: 't',
    correction: 'holm',
    samples: 10_000,
    seed: 42,
    power: 0.8,
    rules,
    ...overrides,
  };
}

const baseline = results([system('s', { 'R@5': BASE, 'nDCG@10': BASE })]);
const shifted = (d: number[]) => BASE.map((b, i) => b + (d[i] ?? 0));

function gate(
  rules: Rule[],
  candidate: MeasuredSystem[],
  extra: Partial<GateInputs> = {},
  overrides: Partial<Policy> = {},
) {
  return applyPolicy({
    policy: policy(rules, overrides),
    candidate: results(candidate),
    baseline,
    coverage: () => 'not measured in this test',
    ...extra,
  });
}

const only = (outcomes: RuleOutcome[], metric: string): RuleOutcome => {
  const found = outcomes.find((o) => o.metric === metric);
  if (!found) throw new Error(`no outcome for ${metric}`);
  return found;
};

const drop = (metric: string, decide: 'point' | 'significant' | 'confident', abs = 0.05): Rule => ({
  kind: 'maxDrop',
  metric,
  maxDrop: { abs },
  decide,
  level: 'error',
});

describe('floor', () => {
  it('passes at or above the floor, fails below, and only warns at level warn', () => {
    const s = system('s', { 'R@5': shifted(D1) }); // mean 0.39
    const pass = gate([{ kind: 'floor', metric: 'R@5', min: 0.39, level: 'error' }], [s]);
    expect(pass.status).toBe('pass');
    const fail = gate([{ kind: 'floor', metric: 'R@5', min: 0.4, level: 'error' }], [s]);
    expect(fail.status).toBe('fail');
    expect(fail.outcomes[0]?.reason).toBe('R@5 0.3900 is below the floor 0.4');
    const warn = gate([{ kind: 'floor', metric: 'R@5', min: 0.4, level: 'warn' }], [s]);
    expect(warn.status).toBe('warn');
  });
});

describe('maxDrop decide modes', () => {
  it('a drop above the threshold on one query: point fails, significant and confident pass', () => {
    const values = shifted([0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5]); // mean drop 0.05 > 0.03, one query
    for (const [decide, status] of [
      ['point', 'fail'],
      ['significant', 'pass'],
      ['confident', 'pass'],
    ] as const) {
      const verdict = gate(
        [drop('R@5', decide, 0.03)],
        [system('s', { 'R@5': values })],
        {},
        { test: 'randomization' },
      );
      expect(verdict.status, decide).toBe(status);
    }
  });

  it('a constant drop of 0.5 fails every mode, with a zero-width interval at −0.5', () => {
    const values = BASE.map(() => 0);
    for (const decide of ['point', 'significant', 'confident'] as const) {
      const outcome = only(gate([drop('R@5', decide)], [system('s', { 'R@5': values })]).outcomes, 'R@5');
      expect(outcome.status, decide).toBe('fail');
      expect(outcome.difference).toBeCloseTo(-0.5, 12);
      expect(outcome.ci).toEqual({ low: -0.5, high: -0.5 });
    }
  });

  it('a relative threshold is a share of the baseline mean', () => {
    const values = BASE.map(() => 0.47); // drop 0.03 = 6 % of 0.5
    expect(
      gate([{ ...drop('R@5', 'point'), maxDrop: { rel: 0.05 } } as Rule], [system('s', { 'R@5': values })])
        .status,
    ).toBe('fail');
    expect(
      gate([{ ...drop('R@5', 'point'), maxDrop: { rel: 0.07 } } as Rule], [system('s', { 'R@5': values })])
        .status,
    ).toBe('pass');
  });
});

describe('multiple comparisons', () => {
  const candidate = [system('s', { 'R@5': shifted(D1), 'nDCG@10': shifted(D2) })];
  const rules = [drop('R@5', 'significant'), drop('nDCG@10', 'significant')];

  it('without correction both drops are significant; Holm adjusts both to 0.0571 and passes them', () => {
    const uncorrected = gate(rules, candidate, {}, { correction: 'none' });
    expect(uncorrected.outcomes.map((o) => o.status)).toEqual(['fail', 'fail']);
    expect(only(uncorrected.outcomes, 'R@5').pValue).toBeCloseTo(0.028555, 5);
    expect(only(uncorrected.outcomes, 'nDCG@10').pValue).toBeCloseTo(0.042075, 5);

    const holm = gate(rules, candidate);
    expect(holm.status).toBe('pass');
    expect(only(holm.outcomes, 'R@5').adjustedPValue).toBeCloseTo(0.057109, 5);
    expect(only(holm.outcomes, 'nDCG@10').adjustedPValue).toBeCloseTo(0.057109, 5);
    expect(only(holm.outcomes, 'R@5').reason).toContain('within noise');
  });
});

describe('fails closed', () => {
  it('a failed system fails the gate with its error', () => {
    const failed: MeasuredSystem = { ...system('s', {}), status: 'failed', error: 'connection refused' };
    const verdict = gate([{ kind: 'floor', metric: 'R@5', min: 0, level: 'error' }], [failed]);
    expect(verdict.status).toBe('fail');
    expect(verdict.outcomes[0]?.kind).toBe('system');
    expect(verdict.outcomes[0]?.reason).toContain('connection refused');
  });

  it('no baseline, a baseline without the system, a metric never measured, a system the results lack', () => {
    const s = system('s', { 'R@5': BASE });
    const noBaseline = gate([drop('R@5', 'point')], [s], {
      baseline: null,
      noBaselineReason: 'none was given',
    });
    expect(noBaseline.status).toBe('fail');
    expect(noBaseline.outcomes[0]?.reason).toBe('no baseline to compare with (none was given)');

    const otherSystem = gate([drop('R@5', 'point')], [system('t', { 'R@5': BASE })]);
    expect(otherSystem.outcomes[0]?.reason).toBe("the baseline has no system 't'");

    const unmeasured = gate([{ kind: 'floor', metric: 'P@5', min: 0, level: 'error' }], [s]);
    expect(unmeasured.status).toBe('fail');
    expect(unmeasured.outcomes[0]?.reason).toContain('P@5 was not measured');

    const absent = gate([{ kind: 'floor', metric: 'R@5', min: 0, level: 'error', systems: ['prod'] }], [s]);
    expect(absent.status).toBe('fail');
    expect(absent.outcomes[0]?.reason).toContain("no system 'prod'");
  });

  it('compares with the baseline system a rule names', () => {
    const verdict = gate(
      [{ ...drop('R@5', 'point'), baselineSystem: 's' } as Rule],
      [system('new', { 'R@5': BASE })],
    );
    expect(verdict.status).toBe('pass');
    expect(verdict.outcomes[0]?.baseline).toBe(0.5);
    // The outcome says which system it was compared with (the report's Δ uses the same one).
    expect(verdict.outcomes[0]?.baselineSystem).toBe('s');
    const same = gate([drop('R@5', 'point')], [system('s', { 'R@5': BASE })]);
    expect(same.outcomes[0]).not.toHaveProperty('baselineSystem');
  });
});

describe('latency and cost', () => {
  it('checks p95 and p99 budgets and the p95 increase over the baseline', () => {
    const slow = system(
      's',
      { 'R@5': BASE },
      {
        latencyMs: { total: { count: 10, p50: 10, p95: 35, p99: 40, mean: 12, max: 41 } },
      },
    );
    const verdict = gate(
      [
        {
          kind: 'latency',
          stage: 'total',
          p95MaxMs: 50,
          p99MaxMs: 39,
          maxIncrease: { rel: 0.5 },
          level: 'error',
        },
      ],
      [slow],
    );
    expect(verdict.outcomes.map((o) => [o.metric, o.status])).toEqual([
      ['latency.total.p99', 'fail'],
      ['latency.total.p95', 'fail'], // 20 → 35 ms: more than 50 % (10 ms)
      ['latency.total.p95', 'pass'],
    ]);
  });

  it("fails the increase closed against an earlier version's per-call latency where calls were batched", () => {
    const rule: Rule = { kind: 'latency', stage: 'total', maxIncrease: { rel: 0.5 }, level: 'error' };
    const embedded = (extra: Partial<MeasuredSystem>) =>
      system(
        's',
        { 'R@5': BASE },
        {
          description: {
            model: { alias: 'm', provider: 'hashing', model: 'h', version: '1', dimensions: 8 },
            index: { alias: 'exact', kind: 'embedded', resolved: 'e' },
            reranker: null,
            k: 10,
          },
          ...extra,
        },
      );
    const older = results([embedded({ latencyPer: 'call' })]);
    const [outcome] = gate([rule], [embedded({})], { baseline: older }).outcomes;
    expect(outcome?.status).toBe('fail');
    expect(outcome?.reason).toMatch(
      /^the baseline recorded total latency per batched call .* save the baseline/,
    );
    // The same basis on both sides compares as before.
    expect(gate([rule], [embedded({ latencyPer: 'call' })], { baseline: older }).outcomes[0]?.status).toBe(
      'pass',
    );
    // BM25 searched one query per call in earlier versions: its figures compare.
    const bm25 = results([system('s', { 'R@5': BASE }, { latencyPer: 'call' })]);
    expect(gate([rule], [system('s', { 'R@5': BASE })], { baseline: bm25 }).outcomes[0]?.status).toBe('pass');
  });

  it('ignores a p95 increase of at most ignoreBelowMs, however large relative to a tiny baseline', () => {
    // Sub-millisecond timings from another machine: 0.2 → 0.7 ms is +250 %, and noise.
    const at = (p95: number) =>
      system(
        's',
        { 'R@5': BASE },
        { latencyMs: { total: { count: 10, p50: 0.1, p95, p99: p95, mean: 0.1, max: p95 } } },
      );
    const rule: Rule = {
      kind: 'latency',
      stage: 'total',
      maxIncrease: { rel: 0.5 },
      ignoreBelowMs: 20,
      level: 'error',
    };
    const tiny = { baseline: results([at(0.2)]) };
    const small = gate([rule], [at(0.7)], tiny).outcomes[0];
    expect(small).toMatchObject({
      status: 'pass',
      observed: 0.7,
      baseline: 0.2,
      threshold: 'p95 increase ≤ 50 % (or ≤ 20 ms)',
    });
    expect(small?.reason).toBe(
      '0.2 ms → 0.7 ms: more than the allowed increase, but by no more than the 20.0 ms the rule ignores',
    );
    // A warn-level rule (as the shipped policies have it) ignores it too.
    expect(gate([{ ...rule, level: 'warn' }], [at(0.7)], tiny).outcomes[0]?.status).toBe('pass');
    // Within the relative limit (or faster), the usual reason.
    expect(gate([rule], [at(0.1)], tiny).outcomes[0]?.reason).toBe(
      '0.2 ms → 0.1 ms: within the allowed increase of 0.1 ms',
    );
    // Above the floor, the relative limit decides again.
    const large = gate([rule], [at(30)], tiny).outcomes[0];
    expect(large?.status).toBe('fail');
    expect(large?.reason).toBe('0.2 ms → 30.0 ms: more than the allowed increase of 0.1 ms');
    // Without the floor, the same small change fails.
    expect(gate([{ ...rule, ignoreBelowMs: undefined }], [at(0.7)], tiny).outcomes[0]?.status).toBe('fail');
  });

  it('skips the rerank stage of a system without a reranker; fails one whose stage was not measured', () => {
    const s = system('s', { 'R@5': BASE });
    expect(gate([{ kind: 'latency', stage: 'rerank', p95MaxMs: 1, level: 'error' }], [s]).outcomes).toEqual(
      [],
    );
    const withReranker = system(
      's',
      { 'R@5': BASE },
      {
        description: {
          model: null,
          index: { alias: 'b', kind: 'bm25', resolved: 'b' },
          reranker: { alias: 'r', kind: 'lexical', depth: 5 },
          k: 10,
        },
      },
    );
    const verdict = gate([{ kind: 'latency', stage: 'rerank', p95MaxMs: 1, level: 'error' }], [withReranker]);
    expect(verdict.status).toBe('fail');
    expect(verdict.outcomes[0]?.reason).toBe('rerank latency was not measured');
  });

  it('checks cost per query against a budget and the baseline', () => {
    const pricey = system('s', { 'R@5': BASE }, { costPerQuery: 0.0012 });
    const verdict = gate(
      [{ kind: 'cost', perQueryMax: 0.002, maxIncrease: { rel: 0.1 }, level: 'error' }],
      [pricey],
    );
    expect(verdict.outcomes.map((o) => o.status)).toEqual(['fail', 'pass']); // +20 % > 10 %; within budget
  });
});

describe('coverage', () => {
  const figures: CoverageFigures = {
    judged: 0.2,
    unjudged: [{ qid: 'q1', docid: 'new-doc', rank: 1 }],
    missingRelevant: { share: 0.1, relevant: 10, missing: ['gone'] },
  };

  it('a low judged share fails coverage, turns a failing drop into a warning, and lists unjudged documents', () => {
    const worse = system('s', { 'R@5': BASE.map(() => 0) });
    const verdict = gate(
      [
        drop('R@5', 'point'),
        { kind: 'coverage', k: 10, minJudged: 0.5, maxMissingRelevant: 0.05, level: 'warn' },
      ],
      [worse],
      { coverage: () => figures },
    );
    expect(verdict.status).toBe('warn');
    const dropOutcome = only(verdict.outcomes, 'R@5');
    expect(dropOutcome.status).toBe('warn');
    expect(dropOutcome.reason).toContain('only 20 % of its top 10 is judged');
    expect(only(verdict.outcomes, 'missingRelevant').reason).toContain('1 of 10 judged-relevant documents');
    expect(verdict.unjudged).toEqual([{ system: 's', qid: 'q1', docid: 'new-doc', rank: 1 }]);
  });
});

describe('detectable effects', () => {
  it('warns when the threshold is below the minimum detectable effect', () => {
    const verdict = gate([drop('R@5', 'significant', 0.01)], [system('s', { 'R@5': shifted(D1) })]);
    const [effect] = verdict.detectableEffects;
    // sd of D1 = 0.15951 (numpy, ddof 1); (z.95 + z.80) · sd / √10 = 2.48647 · 0.15951 / 3.16228
    expect(effect?.value).toBeCloseTo(0.12542, 4);
    expect(effect?.threshold).toBe(0.01);
    expect(gateText(verdict)).toContain('cannot reliably see a 0.0100 drop on 10 queries');
  });
});
