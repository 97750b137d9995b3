import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGateOutputs } from '../../src/app/gate-outputs.js';
import { UserError } from '../../src/errors.js';
import { gateJunit } from '../../src/report/gate-junit.js';
import { gateMarkdown } from '../../src/report/gate-markdown.js';
import { githubAnnotations } from '../../src/report/github-annotations.js';
import { tempDir } from '../helpers/tmp.js';
import { verdictFixture } from './verdict-fixture.js';

describe('writeGateOutputs', () => {
  const verdict = verdictFixture();

  it('writes gate.md, gate.junit.xml and gate.json into a folder it creates', () => {
    const outDir = join(tempDir(), 'reports', 'pr-7');
    const { files, annotations } = writeGateOutputs(verdict, outDir, {});
    expect(files).toEqual(['gate.md', 'gate.junit.xml', 'gate.json'].map((name) => join(outDir, name)));
    const read = (name: string) => readFileSync(join(outDir, name), 'utf8');
    expect(read('gate.md')).toBe(gateMarkdown(verdict));
    expect(read('gate.junit.xml')).toBe(gateJunit(verdict));
    expect(read('gate.json')).toBe(`${JSON.stringify(verdict, null, 2)}\n`);
    expect(JSON.parse(read('gate.json'))).toEqual(verdict);
    expect(annotations).toEqual([]);
  });

  it('returns the annotations only under GitHub Actions', () => {
    const dir = tempDir();
    expect(writeGateOutputs(verdict, dir, { GITHUB_ACTIONS: 'true' }).annotations).toEqual(
      githubAnnotations(verdict),
    );
    expect(writeGateOutputs(verdict, dir, { GITHUB_ACTIONS: 'false' }).annotations).toEqual([]);
  });

  it("appends the Markdown to the step summary, keeping the earlier steps' summaries", () => {
    const dir = tempDir();
    const summary = join(dir, 'step_summary.md');
    writeFileSync(summary, '# build\n\nok\n');
    writeGateOutputs(verdict, join(dir, 'out'), { GITHUB_STEP_SUMMARY: summary });
    expect(readFileSync(summary, 'utf8')).toBe(`# build\n\nok\n${gateMarkdown(verdict)}`);
  });

  it('writes no step summary when GITHUB_STEP_SUMMARY is unset or empty', () => {
    const dir = tempDir();
    // An empty name is no file: trying to append to it would throw.
    expect(() => writeGateOutputs(verdict, join(dir, 'out'), { GITHUB_STEP_SUMMARY: '' })).not.toThrow();
    writeGateOutputs(verdict, join(dir, 'out'), {});
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['gate.json', 'gate.junit.xml', 'gate.md']);
  });

  it('reports an output folder that cannot be written as a user error naming the file', () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    expect(() => writeGateOutputs(verdict, blocker, {})).toThrow(UserError);
    expect(() => writeGateOutputs(verdict, blocker, {})).toThrow(join(blocker, 'gate.md'));
  });

  it('reports a step summary that cannot be appended to as a user error naming it', () => {
    const dir = tempDir();
    const summary = join(dir, 'missing', 'summary.md');
    const write = () => writeGateOutputs(verdict, join(dir, 'out'), { GITHUB_STEP_SUMMARY: summary });
    expect(write).toThrow(UserError);
    expect(write).toThrow(`${summary}: cannot append to: no such file`);
  });
});
