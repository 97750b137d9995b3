import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeRouteDataset } from '../../src/dataset/route-dataset.js';
import type { RouteRunFile } from '../../src/results/route-run.js';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A small help desk: two routes, a few utterances each, two out of scope, one with markup in it. */
function writeSmallDataset(dir: string): void {
  writeRouteDataset(
    join(dir, 'desk'),
    {
      routes: [
        {
          name: 'billing',
          examples: ['where is my invoice', 'I was charged twice', 'refund the charge on my card'],
          costPerCall: 0.001,
          latencyMs: 300,
        },
        {
          name: 'password',
          examples: ['I forgot my password', 'reset my password', 'cannot log in to my account'],
          costPerCall: 0.0005,
          latencyMs: 100,
        },
      ],
      fallback: { costPerCall: 0.01, latencyMs: 2000 },
      items: [
        { id: 'b1', text: 'send me my invoice', route: 'billing' },
        { id: 'b2', text: 'why was I charged twice', route: 'billing' },
        { id: 'b3', text: 'a charge on my card I do not know', route: 'billing' },
        { id: 'p1', text: 'I forgot my password again', route: 'password' },
        { id: 'p2', text: 'please reset my password', route: 'password' },
        { id: 'p3', text: 'I cannot log in', route: 'password' },
        { id: 'x1', text: 'tell me a joke about cats', route: null },
        { id: 'x2', text: '<script>alert("routed")</script> what is the weather', route: null },
      ],
    },
    { name: 'desk', version: '1', description: 'test', source: 'test', licence: 'CC0-1.0' },
  );
}

function writeConfig(dir: string, name: string, routers: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `dataset: ./desk\nmodels:\n  hash: { provider: hashing, dimensions: 512 }\nrouters:\n${routers}\nrequiredAccuracy: 0.5\nbootstrap: { samples: 200 }\n`,
  );
  return path;
}

const POLICY = `kind: router
rules:
  - { floor: accuracy, min: 0.5 }
  - { budget: latency.p95, max: 10000 }
  - { maxDrop: accuracy, max: 0.05, decide: point }
`;

describe('retrieval-gate route', () => {
  let dir: string;
  let baselineDir: string;
  let policy: string;
  beforeAll(async () => {
    dir = tempDir();
    writeSmallDataset(dir);
    policy = join(dir, 'policy.yaml');
    writeFileSync(policy, POLICY);
    const config = writeConfig(dir, 'good.yaml', '  main: { kind: embedding, model: hash, threshold: 0.1 }');
    const result = await runCliInProcess([
      'route',
      '--config',
      config,
      '--reports',
      join(dir, 'runs'),
      '--run-id',
      'base',
    ]);
    expect(result.stderr).toContain('reports written to');
    expect(result.status).toBe(0);
    baselineDir = join(dir, 'runs', 'base');
  });

  it('writes a run folder with each router’s decisions, its measures and a report with inert text', () => {
    const run = JSON.parse(readFileSync(join(baselineDir, 'route-run.json'), 'utf8')) as RouteRunFile;
    expect(run.dataset.name).toBe('desk');
    const evaluation = run.routers[0]?.evaluation;
    expect(evaluation?.utterances).toBe(8);
    expect(evaluation?.labels).toEqual(['billing', 'password', null]);
    expect(evaluation?.accuracy.value).toBeGreaterThanOrEqual(0.5);
    expect(existsSync(join(baselineDir, 'routers', 'main', 'decisions.jsonl'))).toBe(true);
    const html = readFileSync(join(baselineDir, 'route-report.html'), 'utf8');
    expect(html).toContain('Confusion matrix');
    expect(html).toContain('aria-label="trade-off curve"');
    expect(html).toContain('aria-label="reliability diagram"');
    expect(html).not.toContain('<script>');
  });

  it('fails the gate on a worse router: the same router id with a threshold that sends everything to the fallback', async () => {
    const worse = writeConfig(dir, 'worse.yaml', '  main: { kind: embedding, model: hash, threshold: 0.99 }');
    const result = await runCliInProcess([
      'route',
      '--config',
      worse,
      '--reports',
      join(dir, 'runs'),
      '--run-id',
      'worse',
      '--gate',
      policy,
      '--baseline',
      baselineDir,
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL {2}maxDrop accuracy 0\.05 \(point\) {2}main: accuracy 0\.\d+ → 0\.2500 over 8 utterances: a drop of/,
    );
    expect(result.stdout).toContain('gate: fail');
    const verdict = JSON.parse(readFileSync(join(dir, 'runs', 'worse', 'route-gate.json'), 'utf8'));
    expect(verdict.status).toBe('fail');
    expect(verdict.baseline.runId).toBe('base');
  });

  it('passes the gate for the same router against its own baseline', async () => {
    const same = writeConfig(dir, 'same.yaml', '  main: { kind: embedding, model: hash, threshold: 0.1 }');
    const result = await runCliInProcess([
      'route',
      '--config',
      same,
      '--reports',
      join(dir, 'runs'),
      '--run-id',
      'same',
      '--gate',
      policy,
      '--baseline',
      baselineDir,
    ]);
    expect(result.stdout).toContain('gate: pass');
    expect(result.status).toBe(0);
  });

  it('routes through a command router over the JSON-lines protocol, its threshold applied', async () => {
    const program = join(REPO_ROOT, 'test', 'fixtures', 'commands', 'router.mjs');
    const config = writeConfig(
      dir,
      'command.yaml',
      `  keywords: { kind: command, command: [node, ${JSON.stringify(program)}], threshold: 0.5 }`,
    );
    const result = await runCliInProcess([
      'route',
      '--config',
      config,
      '--reports',
      join(dir, 'runs'),
      '--run-id',
      'command',
    ]);
    expect(result.status).toBe(0);
    const lines = readFileSync(join(dir, 'runs', 'command', 'routers', 'keywords', 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const byId = new Map(lines.map((o) => [o.id, o]));
    expect(byId.get('b1')).toMatchObject({ chosen: 'billing', score: 0.9, routingCost: 0.0001 });
    // "joke" makes the program answer billing at score 0.2: under the threshold, it falls back.
    expect(byId.get('x1')).toMatchObject({
      expected: null,
      chosen: null,
      candidate: 'billing',
      score: 0.2,
    });
  });

  it('refuses a threshold outside the router’s score range, naming file, line and field', async () => {
    const config = writeConfig(dir, 'bad.yaml', '  main: { kind: embedding, model: hash, threshold: 1.5 }');
    const result = await runCliInProcess(['route', '--config', config, '--reports', join(dir, 'runs')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `${config}:5: field 'routers.main.threshold': threshold 1.5 is outside the router's score range [-1, 1]`,
    );
  });

  it('runs the shipped example offline, and its gate passes', async () => {
    const result = await runCliInProcess([
      'route',
      '--config',
      'examples/router.yaml',
      '--gate',
      'gates/router.yaml',
      '--reports',
      join(dir, 'example'),
      '--run-id',
      'x',
    ]);
    expect(result.stdout).toMatch(/^helpdesk-routes@1\.0\.0, 245 utterances/);
    expect(result.stdout).toContain('gate: pass');
    expect(result.status).toBe(0);
  });
});
