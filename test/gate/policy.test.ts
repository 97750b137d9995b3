import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/load-policy.js';
import { UserError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function policyFile(yaml: string): string {
  const file = join(tempDir(), 'gate.yaml');
  writeFileSync(file, yaml);
  return file;
}

function errorOf(yaml: string): string {
  try {
    loadPolicy(policyFile(yaml));
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('the policy loaded');
}

describe('loadPolicy', () => {
  it('reads the shipped default policy with its defaults filled in', () => {
    const policy = loadPolicy(join(REPO_ROOT, 'gates', 'default.yaml'));
    expect(policy).toMatchObject({ alpha: 0.05, test: 'randomization', correction: 'holm', power: 0.8 });
    expect(policy.rules.map((r) => r.kind)).toEqual(['maxDrop', 'maxDrop', 'latency', 'cost', 'coverage']);
    expect(policy.rules[0]).toMatchObject({ metric: 'nDCG@10', decide: 'significant', level: 'error' });
    // Relative, with a floor: the example's sub-millisecond timings pass on any machine.
    expect(policy.rules[2]).toMatchObject({ kind: 'latency', maxIncrease: { rel: 0.5 }, ignoreBelowMs: 20 });
  });

  it('canonicalises measure names and defaults decide, stage and k', () => {
    const policy = loadPolicy(
      policyFile(
        [
          'rules:',
          '  - { kind: maxDrop, metric: recall@5, maxDrop: { abs: 0.03 } }',
          '  - { kind: latency, p95MaxMs: 200 }',
          '  - { kind: coverage, minJudged: 0.5 }',
        ].join('\n'),
      ),
    );
    expect(policy.rules).toMatchObject([
      { metric: 'R@5', decide: 'significant', line: 2 },
      { stage: 'total', level: 'error' },
      { k: 10 },
    ]);
  });

  it('names the line and field of a bad rule', () => {
    expect(errorOf('rules:\n  - { kind: floor, metric: R@5 }\n')).toMatch(
      /gate\.yaml:2: field 'rules\[0\]\.min': is missing/,
    );
    expect(errorOf('rules:\n  - kind: floor\n    metric: R@55x\n    min: 1\n')).toMatch(
      /gate\.yaml:3: field 'rules\[0\]\.metric'/,
    );
    expect(errorOf('rules:\n  - { kind: maxDrop, metric: R@5, maxDrop: { abs: 0.03, rel: 0.1 } }\n')).toMatch(
      /gate\.yaml:2: field 'rules\[0\]\.maxDrop'/,
    );
    expect(errorOf('rules:\n  - { kind: latency }\n')).toMatch(
      /gate\.yaml:2: field 'rules\[0\]': a latency rule needs at least one of p95MaxMs, p99MaxMs, maxIncrease/,
    );
    expect(errorOf('rules:\n  - { kind: latency, p95MaxMs: 200, ignoreBelowMs: 5 }\n')).toMatch(
      /gate\.yaml:2: field 'rules\[0\]\.ignoreBelowMs': ignores increases below a floor, so it needs maxIncrease/,
    );
    expect(errorOf('alpha: 2\nrules: []\n')).toMatch(/gate\.yaml:1: field 'alpha'/);
    expect(errorOf('rules:\n  - { kind: speed }\n')).toMatch(
      /gate\.yaml:2: field 'rules\[0\]\.kind': unknown kind "speed"/,
    );
  });
});
