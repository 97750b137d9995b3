import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { neutralize } from '../../src/cli/workflow-guard.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const INJECTED = '::error file=evil.js,line=1::INJECTED';

describe('no line of output can start a CI workflow command', () => {
  it.each([
    [`a\n${INJECTED}\n`, true, `a\n\\${INJECTED}\n`],
    [`${INJECTED}`, true, `\\${INJECTED}`],
    [`  ${INJECTED}`, true, `  \\${INJECTED}`],
    [`a\r${INJECTED}`, true, `a\r\\${INJECTED}`],
    [`x${INJECTED}`, true, `x${INJECTED}`], // not at a line start: harmless
    [`${INJECTED}`, false, `${INJECTED}`], // continues a line written before
  ])('escapes %j (chunk starts a line: %s)', (text, atLineStart, expected) => {
    expect(neutralize(text, atLineStart).guarded).toBe(expected);
  });

  it('follows line starts across writes, blanks included', () => {
    const first = neutralize('warning: id ', true);
    expect(first.endsAtLineStart).toBe(false);
    expect(neutralize(INJECTED, first.endsAtLineStart).guarded).toBe(INJECTED);
    const blanks = neutralize('done\n  ', false);
    expect(blanks.endsAtLineStart).toBe(true);
    expect(neutralize(INJECTED, blanks.endsAtLineStart).guarded).toBe(`\\${INJECTED}`);
  });

  it('in error messages that quote user input', async () => {
    const result = await runCliInProcess(['trec-eval', '-m', `P\n${INJECTED}`, 'qrels', 'run']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`P\\n${INJECTED}`); // its line break shown, on the error's one line
    for (const line of `${result.stdout}${result.stderr}`.split('\n')) expect(line).not.toMatch(/^\s*::/);
  });
});

describe('warnings and errors stay on one line', () => {
  it('show control characters from user input as escapes', async () => {
    const result = await runCliInProcess(['trec-eval', '-m', 'P\n\u001b[2Jx', 'qrels', 'run']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("'P\\n\\x1b[2Jx'");
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('hostile ids reach no CI command, in any command', () => {
  const hostile = `q1\n${INJECTED}`;
  it.each([
    ['eval', (run: string) => ['eval', '--dataset', 'bike-repair@1.0.0', '--run', run]],
    ['compare', (run: string) => ['compare', '--dataset', 'bike-repair@1.0.0', '--run', run, '--run', run]],
    ['validate', (run: string) => ['validate', run]],
    ['trec-eval', (run: string) => ['trec-eval', 'datasets/bike-repair/1.0.0/qrels.jsonl', run]],
  ])('%s', async (_name, args) => {
    const dir = tempDir('rg-hostile-');
    const run = join(dir, 'hostile.jsonl');
    writeFileSync(run, `${JSON.stringify({ qid: hostile, docid: `d\n${INJECTED}`, score: 1 })}\n`);
    const result = await runCliInProcess(args(run));
    const lines = `${result.stdout}${result.stderr}`.split(/\r?\n/);
    expect(lines.filter((line) => /^\s*::/.test(line))).toEqual([]);
  });
});
