import { describe, expect, it } from 'vitest';
import type { RouterPolicy } from '../../src/config/router-policy.js';
import { evaluateRouter } from '../../src/evaluation/routing/evaluate.js';
import type { RouteOutcome } from '../../src/evaluation/routing/types.js';
import { type GatedRouteRun, gateRouteRun } from '../../src/gate/route-gate.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const prices = {
  routes: new Map([
    ['billing', { costPerCall: 0.001 }],
    ['refunds', { costPerCall: 0.002 }],
  ]),
  fallback: { costPerCall: 0.01 },
};

/**
 * A run of one router 'r' over 40 utterances that belong on billing, `wrong` of them wrong: fallen back, or
 * sent to refunds with `misroute`.
 */
function run(
  wrong: number,
  options: { digest?: string; scored?: boolean; misroute?: boolean } = {},
): GatedRouteRun {
  const outcomes: RouteOutcome[] = Array.from({ length: 40 }, (_, i) => ({
    id: `u${i}`,
    expected: 'billing',
    chosen: i < wrong ? (options.misroute ? 'refunds' : null) : 'billing',
    ...(options.scored === false ? {} : { candidate: 'billing', score: i < wrong ? 0.2 : 0.9 }),
    latencyMs: i,
    routingCost: 0,
  }));
  return gated(`wrong-${wrong}`, outcomes, options.digest);
}

/** A route run of router 'r' with these decisions, evaluated as the route workflow evaluates it. */
function gated(runId: string, outcomes: RouteOutcome[], digest = DIGEST): GatedRouteRun {
  const evaluation = evaluateRouter(outcomes, {
    routeNames: ['billing', 'refunds'],
    prices,
    bootstrap: { samples: 200, confidence: 0.95, seed: 1 },
    sweepThresholds: [0.5],
    requiredAccuracy: 0.5,
  });
  return {
    dir: `runs/${runId}`,
    file: {
      schemaVersion: 1,
      kind: 'route-run',
      tool: { name: 'retrieval-gate', version: 'test' },
      runId,
      dataset: { name: 'desk', version: '1', digest },
      startedAt: '',
      finishedAt: '',
      routers: [{ id: 'r', kind: 'embedding', description: {}, evaluation }],
    },
    decisions: new Map([['r', outcomes]]),
    prices,
  };
}

const policy = (rules: RouterPolicy['rules']): RouterPolicy => ({
  file: 'policy.yaml',
  rules,
  alpha: 0.05,
  test: 'randomization',
  samples: 500,
  seed: 3,
});

describe('router gate', () => {
  it('passes floors and budgets that hold, and fails the ones that do not, with the figure in the reason', () => {
    const verdict = gateRouteRun(
      run(4),
      policy([
        { kind: 'floor', measure: 'accuracy', min: 0.9 },
        { kind: 'floor', measure: 'accuracy', min: 0.95 },
        { kind: 'budget', measure: 'latency.p95', max: 38 },
        // 4 fallbacks at 0.01 and 36 right at 0.001, per 36 correct: 0.076 / 36
        { kind: 'budget', measure: 'costPerOutcome', max: 0.002 },
      ]),
      undefined,
    );
    expect(verdict.outcomes.map((o) => o.status)).toEqual(['pass', 'fail', 'pass', 'fail']);
    expect(verdict.outcomes[1]?.reason).toBe('accuracy 0.9000 is below the floor 0.95');
    expect(verdict.outcomes[2]?.observed).toBe(37); // nearest rank: the 38th of 0…39 ms
    expect(verdict.outcomes[3]?.observed).toBeCloseTo(0.076 / 36, 12);
    expect(verdict.status).toBe('fail');
  });

  it('fails a router whose accuracy dropped significantly against its baseline, and passes an equal one', () => {
    const rule = { kind: 'maxDrop', measure: 'accuracy', max: 0.02, decide: 'significant' } as const;
    const worse = gateRouteRun(run(12), policy([rule]), run(0));
    expect(worse.status).toBe('fail');
    expect(worse.outcomes[0]).toMatchObject({ observed: 0.7, baseline: 1 });
    expect(worse.outcomes[0]?.reason).toMatch(
      /^accuracy 1\.0000 → 0\.7000 over 40 utterances: a drop of 0\.3000/,
    );
    expect(gateRouteRun(run(2), policy([rule]), run(2)).status).toBe('pass');
    // One utterance worse is beyond 0.02 but within noise.
    const noise = gateRouteRun(run(1), policy([rule]), run(0));
    expect(noise.status).toBe('pass');
    expect(noise.outcomes[0]?.reason).toContain('but not beyond noise');
  });

  it('fails closed: no baseline, a baseline on another dataset version, a measure that was not computed', () => {
    const rule = { kind: 'maxDrop', measure: 'accuracy', max: 0.02, decide: 'point' } as const;
    expect(gateRouteRun(run(0), policy([rule]), undefined).outcomes[0]?.reason).toContain('no baseline');
    const other = gateRouteRun(run(0), policy([rule]), run(0, { digest: `sha256:${'b'.repeat(64)}` }));
    expect(other.status).toBe('fail');
    expect(other.outcomes[0]?.reason).toContain('not on this dataset version');
    const unscored = gateRouteRun(
      run(0, { scored: false }),
      policy([{ kind: 'budget', measure: 'ece', max: 1 }]),
      undefined,
    );
    expect(unscored.status).toBe('fail');
    expect(unscored.outcomes[0]?.reason).toContain('ece was not measured');
  });
});

/**
 * Five utterances decided by a baseline that is right on all of them and a candidate that is right on u1 only:
 *   u1 billing: billing / billing    u2 refunds: refunds / billing    u3 billing: billing / fallback
 *   u4 fallback: fallback / refunds  u5 refunds: refunds / fallback                 (baseline / candidate)
 */
function handRuns(): { baseline: GatedRouteRun; candidate: GatedRouteRun } {
  const expected = ['billing', 'refunds', 'billing', null, 'refunds'];
  const decide = (chosen: (string | null)[]): RouteOutcome[] =>
    chosen.map((c, i) => ({
      id: `u${i + 1}`,
      expected: expected[i] as string | null,
      chosen: c,
      latencyMs: 1,
      routingCost: 0,
    }));
  return {
    baseline: gated('base', decide(expected)),
    candidate: gated('cand', decide(['billing', 'billing', null, 'refunds', null])),
  };
}

describe('router gate against a baseline, per measure', () => {
  const { baseline, candidate } = handRuns();
  const change = (rule: RouterPolicy['rules'][number], mine = candidate, theirs = baseline) =>
    gateRouteRun(mine, policy([rule]), theirs).outcomes[0];

  it('pairs acceptedAccuracy over the utterances both routers accepted', () => {
    // Both took a route on u1 and u2: the baseline was right on both, the candidate on u1 only.
    const outcome = change({ kind: 'maxDrop', measure: 'acceptedAccuracy', max: 0.1, decide: 'point' });
    expect(outcome).toMatchObject({ status: 'fail', observed: 0.5, baseline: 1 });
    expect(outcome?.reason).toMatch(
      /^acceptedAccuracy 1\.0000 → 0\.5000 over the 2 of 5 utterances both accepted: a drop of 0\.5000/,
    );
  });

  it('compares macro-F1 by a paired bootstrap of utterances', () => {
    // Candidate: billing P 1/2 R 1/2 F1 1/2, refunds and the fallback F1 0: (1/2) / 3. Baseline: 1.
    const outcome = change({ kind: 'maxDrop', measure: 'macroF1', max: 0.1, decide: 'point' });
    expect(outcome?.status).toBe('fail');
    expect(outcome?.observed).toBeCloseTo(1 / 6, 12);
    expect(outcome?.baseline).toBe(1);
    expect(outcome?.reason).toMatch(/^macroF1 1\.0000 → 0\.1667 over 5 utterances: a drop of 0\.8333/);
    expect(outcome?.ci?.high).toBeLessThan(0);
  });

  it('limits the rise of the fallback rate and of the cost per correct outcome', () => {
    // Fallbacks: u4 for the baseline, u3 and u5 for the candidate.
    const fallback = change({ kind: 'maxIncrease', measure: 'fallbackRate', max: 0.1, decide: 'point' });
    expect(fallback?.status).toBe('fail');
    expect(fallback?.observed).toBeCloseTo(0.4, 12);
    expect(fallback?.baseline).toBeCloseTo(0.2, 12);
    expect(fallback?.reason).toMatch(/^fallbackRate 0\.2000 → 0\.4000 over 5 utterances: a rise of 0\.2000/);
    expect(fallback?.ci?.low).toBeLessThanOrEqual(0.2);
    expect(change({ kind: 'maxIncrease', measure: 'fallbackRate', max: 0.25, decide: 'point' })?.status).toBe(
      'pass',
    );
    // Baseline: 0.001 + 0.002 + 0.001 + 0.01 + 0.002 over 5 right. Candidate: u1 0.001, the misroutes u2
    // (0.001 + 0.01) and u4 (0.002 + 0.01), the fallbacks u3 and u5 (0.01 each), over 1 right.
    const cost = change({ kind: 'maxIncrease', measure: 'costPerOutcome', max: 0.01, decide: 'point' });
    expect(cost?.status).toBe('fail');
    expect(cost?.observed).toBeCloseTo(0.044, 12);
    expect(cost?.baseline).toBeCloseTo(0.0032, 12);
    expect(cost?.reason).toMatch(/^costPerOutcome 0\.0032 → 0\.0440 over 5 utterances: a rise of 0\.0408/);
    expect(cost?.ci?.low).toBeGreaterThan(0);
  });

  it('passes a router equal to its baseline on every measure, with no difference and p = 1', () => {
    for (const rule of [
      { kind: 'maxDrop', measure: 'acceptedAccuracy', max: 0, decide: 'significant' },
      { kind: 'maxDrop', measure: 'macroF1', max: 0, decide: 'significant' },
      { kind: 'maxIncrease', measure: 'fallbackRate', max: 0, decide: 'significant' },
      { kind: 'maxIncrease', measure: 'costPerOutcome', max: 0, decide: 'confident' },
    ] as const) {
      const outcome = change(rule, candidate, candidate);
      expect(outcome?.status, rule.measure).toBe('pass');
      expect(outcome?.pValue, rule.measure).toBe(1);
      expect(outcome?.ci, rule.measure).toEqual({ low: 0, high: 0 });
    }
  });

  it('fails a significantly worse router on each measure, and lets a drop within noise pass', () => {
    const worse = {
      accuracy: [run(12), run(0)],
      macroF1: [run(12, { misroute: true }), run(0)],
      acceptedAccuracy: [run(12, { misroute: true }), run(0)],
      fallbackRate: [run(12), run(0)],
      costPerOutcome: [run(12), run(0)],
    } as const;
    for (const [measure, [mine, theirs]] of Object.entries(worse)) {
      const kind = measure === 'fallbackRate' || measure === 'costPerOutcome' ? 'maxIncrease' : 'maxDrop';
      const max = measure === 'costPerOutcome' ? 0.0001 : 0.001; // a cost: 0.001 → 0.0013 on one fallback
      const rule = { kind, measure, max, decide: 'significant' } as RouterPolicy['rules'][number];
      const outcome = gateRouteRun(mine, policy([rule]), theirs).outcomes[0];
      expect(outcome?.status, measure).toBe('fail');
      expect(outcome?.pValue, measure).toBeLessThan(0.05);
      // One utterance worse is beyond the allowed change but not significant on 40.
      const noise = gateRouteRun(run(1, { misroute: kind === 'maxDrop' }), policy([rule]), theirs)
        .outcomes[0];
      expect(noise?.status, measure).toBe('pass');
      expect(noise?.reason, measure).toContain('but not beyond noise');
    }
  });

  it('fails closed where the measure cannot be computed', () => {
    const nothingAccepted = gated(
      'none',
      (candidate.decisions.get('r') ?? []).map((o) => ({ ...o, chosen: null })),
    );
    const accepted = change(
      { kind: 'maxDrop', measure: 'acceptedAccuracy', max: 1, decide: 'point' },
      nothingAccepted,
    );
    expect(accepted).toMatchObject({ status: 'fail', observed: null });
    expect(accepted?.reason).toContain('no utterance was accepted (routed) by both');
    // The candidate above is right on u4 only (the fallback): still defined. All wrong is not.
    const allWrong = gated(
      'wrong',
      (candidate.decisions.get('r') ?? []).map((o) => ({
        ...o,
        chosen: o.expected === 'billing' ? 'refunds' : 'billing',
      })),
    );
    const cost = change(
      { kind: 'maxIncrease', measure: 'costPerOutcome', max: 1, decide: 'point' },
      allWrong,
    );
    expect(cost).toMatchObject({ status: 'fail', observed: null });
    expect(cost?.reason).toContain('undefined for the router or its baseline');
    const { prices: _, ...unpriced } = candidate;
    const noCosts = change(
      { kind: 'maxIncrease', measure: 'costPerOutcome', max: 1, decide: 'point' },
      unpriced,
    );
    expect(noCosts?.reason).toContain('costPerOutcome was not measured');
    const noBaseline = gateRouteRun(
      candidate,
      policy([{ kind: 'maxDrop', measure: 'macroF1', max: 1, decide: 'point' }]),
      undefined,
    );
    expect(noBaseline.status).toBe('fail');
  });
});
