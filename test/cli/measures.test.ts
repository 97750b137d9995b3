import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';

describe('retrieval-gate measures', () => {
  it('lists every family with its parameters, aggregation and source, and how the shared parameters work', async () => {
    const result = await runCliInProcess(['measures']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^measure\s+parameters\s+over queries\s+what it is\s+definition$/);
    expect(lines.find((line) => line.startsWith('ERR[(max_rel)][@k] '))).toMatch(/gdeval/);
    expect(lines.find((line) => line.startsWith('GMAP '))).toMatch(/geometric/);
    expect(result.stdout).toMatch(/rel=N \(binary measures\).*judged_only \(every measure\)/);
  });

  it("is the README's measure table, word for word (the README cannot fall behind the registry)", async () => {
    const result = await runCliInProcess(['measures', '--format', 'markdown']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\| measure \| parameters \|/);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(result.stdout);
  });
});
