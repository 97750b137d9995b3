import { describe, expect, it } from 'vitest';
import type { RouterPolicy } from '../../src/config/router-policy.js';
import { evaluateRouter } from '../../src/evaluation/routing/evaluate.js';
import type { RouteOutcome } from '../../src/evaluation/routing/types.js';
import { type GatedRouteRun, gateRouteRun } from '../../src/gate/route-gate.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const prices = { routes: new Map([['billing', { costPerCall: 0.001 }]]), fallback: { costPerCall: 0.01 } };

/** A run of one router 'r' over 40 utterances, `wrong` of them misrouted (expected billing, fell back). */
function run(wrong: number, options: { digest?: string; scored?: boolean } = {}): GatedRouteRun {
  const outcomes: RouteOutcome[] = Array.from({ length: 40 }, (_, i) => ({
    id: `u${i}`,
    expected: 'billing',
    chosen: i < wrong ? null : 'billing',
    ...(options.scored === false ? {} : { candidate: 'billing', score: i < wrong ? 0.2 : 0.9 }),
    latencyMs: i,
    routingCost: 0,
  }));
  const evaluation = evaluateRouter(outcomes, {
    routeNames: ['billing'],
    prices,
    bootstrap: { samples: 200, confidence: 0.95, seed: 1 },
    sweepThresholds: [0.5],
    requiredAccuracy: 0.5,
  });
  return {
    dir: `runs/${wrong}`,
    file: {
      schemaVersion: 1,
      kind: 'route-run',
      tool: { name: 'retrieval-gate', version: 'test' },
      runId: `wrong-${wrong}`,
      dataset: { name: 'desk', version: '1', digest: options.digest ?? DIGEST },
      startedAt: '',
      finishedAt: '',
      routers: [{ id: 'r', kind: 'embedding', description: {}, evaluation }],
    },
    decisions: new Map([['r', outcomes]]),
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
