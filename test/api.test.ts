import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRunFiles, loadConfig, UserError } from '../src/index.js';
import { REPO_ROOT } from './helpers/cli.js';

describe('the programmatic API', () => {
  it('evaluates run files as the eval command does', () => {
    const runs = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0', 'runs');
    const { evaluation } = evaluateRunFiles({
      dataset: join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0'),
      runs: [join(runs, 'bm25.trec')],
      measures: 'nDCG@10',
    });
    // trec_eval ndcg_cut.10 on the same files prints 0.6378.
    expect(evaluation.runs[0]?.measures['nDCG@10']?.value.toFixed(4)).toBe('0.6378');
  });

  it('throws a UserError, not a crash, on a bad config', () => {
    expect(() => loadConfig(join(REPO_ROOT, 'no-such.yaml'))).toThrow(UserError);
  });
});
