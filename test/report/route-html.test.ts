import { describe, expect, it } from 'vitest';
import { evaluateRouter } from '../../src/evaluation/routing/evaluate.js';
import type { RouteOutcome } from '../../src/evaluation/routing/types.js';
import { renderRouteReport } from '../../src/report/route-html.js';
import type { RouteRunFile } from '../../src/results/route-run.js';

const outcomes: RouteOutcome[] = [
  {
    id: 'a',
    expected: 'billing',
    chosen: 'billing',
    candidate: 'billing',
    score: 0.9,
    latencyMs: 1,
    routingCost: 0,
  },
  {
    id: 'b',
    expected: null,
    chosen: 'billing',
    candidate: 'billing',
    score: 0.6,
    latencyMs: 1,
    routingCost: 0,
  },
  {
    id: 'c',
    expected: 'billing',
    chosen: null,
    candidate: 'billing',
    score: 0.1,
    latencyMs: 1,
    routingCost: 0,
  },
];
const evaluation = evaluateRouter(outcomes, {
  routeNames: ['billing'],
  prices: { routes: new Map([['billing', { costPerCall: 0.001 }]]), fallback: { costPerCall: 0.01 } },
  bootstrap: { samples: 100, confidence: 0.95, seed: 1 },
  sweepThresholds: [0, 0.5, 1],
  requiredAccuracy: 0.5,
});
const run: RouteRunFile = {
  schemaVersion: 1,
  kind: 'route-run',
  tool: { name: 'retrieval-gate', version: 'test' },
  runId: 'r1',
  dataset: { name: 'desk', version: '1', digest: `sha256:${'0'.repeat(64)}` },
  startedAt: '2026-12-04T00:00:00.000Z',
  finishedAt: '2026-12-04T00:00:01.000Z',
  routers: [{ id: '<b>router</b>', kind: 'embedding', description: {}, evaluation }],
};
const texts = new Map([
  ['a', 'my invoice'],
  ['b', '<img src=x onerror=alert(1)> tell me a joke'],
  ['c', 'refund \u202Eevil'],
]);
const html = renderRouteReport(run, new Map([['<b>router</b>', outcomes]]), texts, undefined);

describe('router page', () => {
  it('shows the confusion matrix as a heat map, right decisions green and wrong ones red', () => {
    expect(html).toContain('<h3>Confusion matrix</h3>');
    expect(html).toMatch(/background:rgba\(26,127,55,0\.425\)[^>]*>1</); // billing → billing: half the row
    expect(html).toMatch(/background:rgba\(207,34,46,0\.425\)[^>]*>1</); // billing → fallback
  });

  it('draws the trade-off curve with the best threshold marked, and the reliability diagram', () => {
    expect(html).toContain('aria-label="trade-off curve"');
    expect(html).toContain(`best ${evaluation.sweep?.best}`);
    expect(html).toContain('aria-label="reliability diagram"');
  });

  it('lists misrouted utterances with their text inert: markup escaped, bidi controls shown', () => {
    expect(html).toContain('2 misrouted utterances');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62; tell me a joke');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>router');
    expect(html).toContain('refund ⟨U+202E⟩evil');
  });
});
