import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRunFiles, loadConfig, readQrelsFile, readRunFile, UserError } from '../src/index.js';
import { REPO_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

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

  it('reads runs and qrels in the forms pytrec_eval and ranx exchange', () => {
    const dir = tempDir('rg-api-');
    writeFileSync(join(dir, 'qrels.json'), '{"q1": {"d1": 2, "d2": 0}}');
    writeFileSync(join(dir, 'run.json'), '{"q1": {"d1": 1.5, "d3": 0.5}}');
    expect(readQrelsFile(join(dir, 'qrels.json')).get('q1')).toEqual(
      new Map([
        ['d1', 2],
        ['d2', 0],
      ]),
    );
    expect(readRunFile(join(dir, 'run.json')).queries.get('q1')?.docids).toEqual(['d1', 'd3']);
  });

  it('throws a UserError, not a crash, on a bad config', () => {
    expect(() => loadConfig(join(REPO_ROOT, 'no-such.yaml'))).toThrow(UserError);
  });
});
