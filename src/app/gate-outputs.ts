import { join } from 'node:path';
import { appendTextFile, writeTextFile } from '../files.js';
import { gateJunit } from '../report/gate-junit.js';
import { gateMarkdown } from '../report/gate-markdown.js';
import { githubAnnotations } from '../report/github-annotations.js';
import { RUN_FILES } from '../results/layout.js';
import type { Verdict } from '../results/verdict.js';

export interface GateOutputs {
  /** The files written: gate.md, gate.junit.xml, gate.json. */
  files: string[];
  /** GitHub workflow commands for the caller to print on stdout; empty outside GitHub Actions. */
  annotations: string[];
}

/**
 * Writes a verdict's CI outputs into `outDir`: Markdown for people, JUnit XML for test panels, JSON for
 * machines. Under GitHub Actions it also appends the Markdown to the job's step summary and returns the
 * annotations; `env` is a parameter so tests (and other CI systems) need not touch process.env.
 */
export function writeGateOutputs(
  verdict: Verdict,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
): GateOutputs {
  const markdown = gateMarkdown(verdict);
  const outputs: [string, string][] = [
    ['gate.md', markdown],
    ['gate.junit.xml', gateJunit(verdict)],
    // The name a run folder's report looks for, so `run --gate` puts the verdict where the report finds it.
    [RUN_FILES.verdict, `${JSON.stringify(verdict, null, 2)}\n`],
  ];
  const files = outputs.map(([name, text]) => {
    const file = join(outDir, name);
    writeTextFile(file, text);
    return file;
  });
  // Appended, not written: earlier steps of the job may have written their own summary.
  if (env.GITHUB_STEP_SUMMARY) appendTextFile(env.GITHUB_STEP_SUMMARY, markdown);
  return { files, annotations: env.GITHUB_ACTIONS === 'true' ? githubAnnotations(verdict) : [] };
}
