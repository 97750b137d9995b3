import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, TestRunner } from 'vitest';

/** Folders made outside a test (in a beforeAll or at collection): the file's tests share them. */
const fileDirs: string[] = [];

// Registered once per test file: vitest evaluates this module afresh for each file it runs.
afterAll(() => {
  for (const dir of fileDirs.splice(0)) remove(dir);
});

/** A fresh temporary folder, removed when the test that made it ends (or, made outside a test, its file). */
export function tempDir(prefix = 'rg-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (TestRunner.getCurrentTest()) onTestFinished(() => remove(dir));
  else fileDirs.push(dir);
  return dir;
}

function remove(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
