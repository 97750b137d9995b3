import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnnRule } from '../../src/config/gate-policy.js';
import { loadPolicy } from '../../src/config/load-policy.js';
import { applyPolicy } from '../../src/gate/apply.js';
import type { MeasuredSystem } from '../../src/results/measured.js';
import type { AnnCheck } from '../../src/results/summary.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const RULE: AnnRule = { kind: 'ann', k: 10, minRecall: 0.95, level: 'error' };

function system(id: string, kind: string, annCheck?: AnnCheck): MeasuredSystem {
  return {
    id,
    status: 'ok',
    description: { model: null, index: { alias: kind, kind, resolved: kind }, reranker: null, k: 100 },
    measures: { 'nDCG@10': { value: 0.42, ciLow: 0.4, ciHigh: 0.44 } },
    perQuery: { qids: ['q1'], values: { 'nDCG@10': [0.42] } },
    latencyMs: null,
    costPerQuery: null,
    ...(annCheck ? { annCheck } : {}),
  };
}

function checked(recall: number, sample: { size: number; seed: number } | null = null): AnnCheck {
  return {
    status: 'ok',
    k: 100,
    queries: 40,
    sample,
    recall: {
      'ANNRecall@10': { value: recall, ciLow: recall - 0.05, ciHigh: Math.min(1, recall + 0.05) },
      'ANNRecall@100': { value: recall, ciLow: recall - 0.05, ciHigh: recall },
    },
    perQuery: { qids: ['q1'], values: { 'ANNRecall@10': [recall], 'ANNRecall@100': [recall] } },
    exactMeasures: { 'nDCG@10': { value: 0.61, ciLow: 0.58, ciHigh: 0.64 } },
  };
}

function gate(systems: MeasuredSystem[], rule: AnnRule = RULE) {
  return applyPolicy({
    policy: {
      file: 'gates/ann.yaml',
      alpha: 0.05,
      test: 't',
      correction: 'holm',
      samples: 1000,
      seed: 42,
      power: 0.8,
      rules: [rule],
    },
    candidate: {
      source: 'reports/test',
      runId: 'test',
      dataset: { name: 'd', version: '1', digest: 'sha256:00', judgedQueries: 40 },
      settings: {
        measures: ['nDCG@10'],
        relevanceLevel: 1,
        missingQueries: 'zero',
        bootstrap: { samples: 1000, confidence: 0.95, seed: 42 },
      },
      systems,
    },
    baseline: null,
    coverage: () => 'not measured in this test',
  });
}

describe('gate rule ann', () => {
  it('fails below minRecall, naming the loss and what exact search would give', () => {
    const verdict = gate([system('hnsw', 'qdrant', checked(0.62)), system('good', 'qdrant', checked(0.97))]);
    expect(verdict.status).toBe('fail');
    const [failed, passed] = verdict.outcomes;
    expect(failed).toMatchObject({
      rule: 'ann @10',
      kind: 'ann',
      system: 'hnsw',
      metric: 'ANNRecall@10',
      status: 'fail',
      observed: 0.62,
      ci: { low: 0.57, high: 0.67 },
      threshold: '≥ 0.95',
      reason:
        'the index returns only 62 % of the exact top 10 (ANNRecall@10 0.6200 over 40 queries); exact search gives nDCG@10 0.6100 against 0.4200',
    });
    expect(passed).toMatchObject({ system: 'good', status: 'pass', observed: 0.97 });
    expect(passed?.reason).toBe(
      'the index returns 97 % of the exact top 10 (ANNRecall@10 0.9700 over 40 queries)',
    );
  });

  it('says a sample is a sample, and does not compare its exact measures with all queries', () => {
    const [outcome] = gate([system('hnsw', 'qdrant', checked(0.5, { size: 40, seed: 42 }))]).outcomes;
    expect(outcome?.reason).toBe(
      'the index returns only 50 % of the exact top 10 (ANNRecall@10 0.5000 over a sample of 40 queries (seed 42))',
    );
  });

  it('fails closed: a check that did not run, no check at all, a cutoff that was not measured', () => {
    const failed: AnnCheck = {
      status: 'failed',
      k: 100,
      queries: 40,
      sample: null,
      error: "Qdrant http://127.0.0.1:6333: query batch on 'docs': timed out after 30000 ms",
    };
    const verdict = gate(
      [
        system('timeout', 'qdrant', failed),
        system('unchecked', 'command'),
        system('k5', 'qdrant', checked(1)),
      ],
      { ...RULE, k: 5 },
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.outcomes.map((o) => [o.system, o.status, o.metric, o.reason])).toEqual([
      [
        'timeout',
        'fail',
        'ANNRecall@5',
        "the exact check did not run, so ANN quality is unknown: Qdrant http://127.0.0.1:6333: query batch on 'docs': timed out after 30000 ms",
      ],
      [
        'unchecked',
        'fail',
        'ANNRecall@5',
        'no ANN check was recorded: the command index gave no exact answer to compare with, so the neighbours it loses are unknown',
      ],
      [
        'k5',
        'fail',
        'ANNRecall@5',
        "ANNRecall@5 was not measured: the run's ANN check measured ANNRecall@10, ANNRecall@100 (exact top 100)",
      ],
    ]);
  });

  it('passes an index that searches exactly, saying recall is 1 by construction', () => {
    const verdict = gate([
      system('exact', 'embedded'),
      system('brute', 'qdrant', { status: 'exact', k: 100 }),
    ]);
    expect(verdict.status).toBe('pass');
    expect(verdict.outcomes.map((o) => [o.observed, o.reason])).toEqual([
      [1, 'ANNRecall@10 is 1 by construction: the embedded index scores every document'],
      [1, 'ANNRecall@10 is 1 by construction: the index searches exactly (exact: true)'],
    ]);
  });

  it('a warn rule only warns', () => {
    const verdict = gate([system('hnsw', 'qdrant', checked(0.5))], { ...RULE, level: 'warn' });
    expect(verdict.status).toBe('warn');
  });

  it('the shipped example policy loads', () => {
    expect(loadPolicy(join(REPO_ROOT, 'gates', 'ann.yaml')).rules).toMatchObject([
      { kind: 'ann', k: 10, minRecall: 0.95, level: 'error' },
    ]);
  });

  it('loads from a policy with k defaulting to 10, and refuses a recall above 1', () => {
    const dir = tempDir();
    const file = join(dir, 'ann.yaml');
    writeFileSync(file, 'rules:\n  - { kind: ann, minRecall: 0.95, systems: [hnsw] }\n');
    expect(loadPolicy(file).rules).toEqual([
      { kind: 'ann', minRecall: 0.95, systems: ['hnsw'], k: 10, level: 'error', line: 2 },
    ]);
    writeFileSync(file, 'rules:\n  - { kind: ann, minRecall: 1.5 }\n');
    expect(() => loadPolicy(file)).toThrow(/minRecall/);
  });
});
