import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRouteDataset } from '../../src/dataset/route-dataset.js';
import type { RouteRunFile } from '../../src/results/route-run.js';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { countTokens, startEmbeddingsServer } from '../servers/openai-embeddings-server.js';

const ITEMS = [
  { id: 'b1', text: 'send me my invoice', route: 'billing' },
  { id: 'b2', text: 'why was I charged twice', route: 'billing' },
  { id: 'b3', text: 'a charge on my card I do not know', route: 'billing' },
  { id: 'p1', text: 'I forgot my password again', route: 'password' },
  { id: 'p2', text: 'please reset my password', route: 'password' },
  { id: 'p3', text: 'I cannot log in', route: 'password' },
  { id: 'x1', text: 'tell me a joke about cats', route: null },
  { id: 'x2', text: '<script>alert("routed")</script> what is the weather', route: null },
];
const texts = () => ITEMS.map((item) => item.text);

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
      items: ITEMS,
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
  - { maxDrop: macroF1, max: 0.05, decide: point }
  - { maxDrop: acceptedAccuracy, max: 0.05, decide: point }
  - { maxIncrease: fallbackRate, max: 0.05, decide: point }
  - { maxIncrease: costPerOutcome, max: 0.001, decide: point }
`;

/** A router service routing on keywords; under /bad it answers a route no dataset defines. */
async function startRouterService(): Promise<{ server: Server; url: string; authorizations: string[] }> {
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      authorizations.push(request.headers.authorization ?? '');
      const { utterance } = JSON.parse(body) as { utterance: { text: string } };
      const text = utterance.text.toLowerCase();
      const route = /invoice|charged/.test(text)
        ? 'billing'
        : /password|log in/.test(text)
          ? 'password'
          : null;
      const answer =
        request.url === '/bad'
          ? { route: 'refunds' }
          : route
            ? { route, score: 0.9 }
            : { route: 'billing', score: 0.1 };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations };
}

describe('retrieval-gate route', () => {
  let dir: string;
  let baselineDir: string;
  let policy: string;
  let service: { server: Server; url: string; authorizations: string[] };
  /** `route` with a config into dir/runs/<runId>/, then the rest of its flags. */
  const route = (config: string, runId: string, ...flags: string[]) =>
    runCliInProcess([
      'route',
      '--config',
      config,
      '--reports',
      join(dir, 'runs'),
      '--run-id',
      runId,
      ...flags,
    ]);
  beforeAll(async () => {
    service = await startRouterService();
    dir = tempDir();
    writeSmallDataset(dir);
    policy = join(dir, 'policy.yaml');
    writeFileSync(policy, POLICY);
    const config = writeConfig(dir, 'good.yaml', '  main: { kind: embedding, model: hash, threshold: 0.1 }');
    const result = await route(config, 'base');
    expect(result.stderr).toContain('reports written to');
    expect(result.status).toBe(0);
    baselineDir = join(dir, 'runs', 'base');
  });

  afterAll(async () => {
    await new Promise((resolve) => service.server.close(resolve));
  });

  it('writes a run folder with each router’s decisions, its measures and a report with inert text', () => {
    const run = JSON.parse(readFileSync(join(baselineDir, 'route-run.json'), 'utf8')) as RouteRunFile;
    expect(run.dataset.name).toBe('desk');
    const evaluation = run.routers[0]?.evaluation;
    expect(evaluation?.utterances).toBe(8);
    expect(evaluation?.labels).toEqual(['billing', 'password', null]);
    expect(evaluation?.accuracy.value).toBeGreaterThanOrEqual(0.5);
    expect(existsSync(join(baselineDir, 'routers', 'main', 'decisions.jsonl'))).toBe(true);
    expect(readFileSync(join(baselineDir, 'router.yaml'), 'utf8')).toContain('threshold: 0.1');
    const html = readFileSync(join(baselineDir, 'route-report.html'), 'utf8');
    expect(html).toContain('Confusion matrix');
    expect(html).toContain('aria-label="trade-off curve"');
    expect(html).toContain('aria-label="reliability diagram"');
    expect(html).not.toContain('<script>');
  });

  it('fails the gate on a worse router: the same router id with a threshold that sends everything to the fallback', async () => {
    const worse = writeConfig(dir, 'worse.yaml', '  main: { kind: embedding, model: hash, threshold: 0.99 }');
    const result = await route(worse, 'worse', '--gate', policy, '--baseline', baselineDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL {2}maxDrop accuracy 0\.05 \(point\) {2}main: accuracy 0\.\d+ → 0\.2500 over 8 utterances: a drop of/,
    );
    expect(result.stdout).toMatch(
      /FAIL {2}maxDrop macroF1 0\.05 \(point\) {2}main: macroF1 0\.\d+ → 0\.\d+ over 8/,
    );
    // Everything fell back: no utterance both routers accepted, so the rule fails closed.
    expect(result.stdout).toMatch(
      /FAIL {2}maxDrop acceptedAccuracy .*no utterance was accepted \(routed\) by both/,
    );
    expect(result.stdout).toMatch(
      /FAIL {2}maxIncrease fallbackRate .*→ 1\.0000 over 8 utterances: a rise of/,
    );
    expect(result.stdout).toMatch(/FAIL {2}maxIncrease costPerOutcome .*: a rise of/);
    expect(result.stdout).toContain('gate: fail');
    const verdict = JSON.parse(readFileSync(join(dir, 'runs', 'worse', 'route-gate.json'), 'utf8'));
    expect(verdict.status).toBe('fail');
    expect(verdict.baseline.runId).toBe('base');
  });

  it('refuses to write over an earlier route run of the same id', async () => {
    const config = writeConfig(dir, 'again.yaml', '  main: { kind: embedding, model: hash, threshold: 0.1 }');
    const result = await route(config, 'base');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('already holds a route run; choose another --run-id');
  });

  it('passes the gate for the same router against its own baseline', async () => {
    const same = writeConfig(dir, 'same.yaml', '  main: { kind: embedding, model: hash, threshold: 0.1 }');
    const result = await route(same, 'same', '--gate', policy, '--baseline', baselineDir);
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
    const result = await route(config, 'command');
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

  it('routes through a router service over HTTP with its key as a bearer token, never written', async () => {
    const config = writeConfig(
      dir,
      'http.yaml',
      `  svc: { kind: http, url: "${service.url}", apiKeyEnv: ROUTER_TEST_KEY, threshold: 0.5, costPerCall: 0.00005 }`,
    );
    const result = await runCliInProcess(
      ['route', '--config', config, '--reports', join(dir, 'runs'), '--run-id', 'http'],
      undefined,
      { ROUTER_TEST_KEY: 'sk-router-secret-123456' },
    );
    expect(result.stderr).toContain('reports written to');
    expect(result.status).toBe(0);
    expect(service.authorizations.every((a) => a === 'Bearer sk-router-secret-123456')).toBe(true);
    const run = JSON.parse(readFileSync(join(dir, 'runs', 'http', 'route-run.json'), 'utf8')) as RouteRunFile;
    // The service routes on a keyword: b1, b2 and p1–p3 right, the rest to the fallback (x1, x2 right).
    expect(run.routers[0]?.evaluation.accuracy.value).toBe(7 / 8);
    expect(run.routers[0]?.evaluation.cost?.routing).toBeCloseTo(8 * 0.00005, 12);
    for (const name of readdirSync(join(dir, 'runs', 'http')).filter(
      (f) => f.endsWith('.json') || f.endsWith('.html'),
    ))
      expect(readFileSync(join(dir, 'runs', 'http', name), 'utf8')).not.toContain('sk-router-secret');
  });

  it('fails a router service that names a route the dataset does not have (exit 2)', async () => {
    const config = writeConfig(
      dir,
      'http-bad.yaml',
      `  svc: { kind: http, url: "${service.url}/bad", maxRetries: 0 }`,
    );
    const result = await runCliInProcess(['route', '--config', config, '--reports', join(dir, 'runs')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "field 'route': route 'refunds' is not in the dataset (billing, password)",
    );
  });

  it('prices an OpenAI-compatible router model by the tokens it bills, the same on a second, cached run', async () => {
    const server = await startEmbeddingsServer({});
    try {
      const config = join(dir, 'openai.yaml');
      writeFileSync(
        config,
        `dataset: ./desk\ncacheDir: ${join(dir, 'openai-cache')}\nmodels:\n  te3: { provider: openai, model: text-embedding-3-small, url: "${server.url}", dimensions: 16, pricePer1MTokens: 1000000, apiKeyEnv: ROUTER_TEST_KEY }\nrouters:\n  te3: { kind: embedding, model: te3, threshold: 0.1 }\n`,
      );
      const env = { ROUTER_TEST_KEY: 'sk-test' };
      const routing = async (runId: string) => {
        const result = await runCliInProcess(
          ['route', '--config', config, '--reports', join(dir, 'runs'), '--run-id', runId],
          undefined,
          env,
        );
        expect(result.status).toBe(0);
        const run = JSON.parse(
          readFileSync(join(dir, 'runs', runId, 'route-run.json'), 'utf8'),
        ) as RouteRunFile;
        return run.routers[0]?.evaluation.cost?.routing;
      };
      const first = await routing('openai-1');
      // At a price of one per token, the routing cost is the utterances' cl100k token count.
      expect(first).toBe([...texts()].reduce((sum, text) => sum + countTokens(text), 0));
      const requests = server.stats.requests;
      expect(await routing('openai-2')).toBe(first);
      expect(server.stats.requests).toBe(requests); // everything came from the cache
    } finally {
      await server.close();
    }
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

describe('router configs and policies', () => {
  it('expands a matrix of models × thresholds into routers, which validate lists', async () => {
    const result = await runCliInProcess(['validate', 'examples/router.yaml']);
    expect(result.stdout).toBe(
      'ok: router config: dataset helpdesk-routes@1.0.0, 5 routers (knn-2048, hash-512:centroid@0.1, hash-512:centroid@0.2, hash-2048:centroid@0.1, hash-2048:centroid@0.2)\n',
    );
    const policy = await runCliInProcess(['validate', 'gates/router-release.yaml']);
    expect(policy.stdout).toContain('ok: router gate policy: 7 rules (floor accuracy ≥ 0.55,');
    expect(policy.stdout).toContain(
      'maxDrop macroF1 0.03 (significant), maxIncrease fallbackRate 0.05 (significant))',
    );
  });

  it('names the line and field of a drop or rise on a measure it cannot limit', async () => {
    const dir = tempDir();
    const path = join(dir, 'policy.yaml');
    writeFileSync(
      path,
      'kind: router\nrules:\n  - { floor: accuracy, min: 0.5 }\n  - { maxDrop: fallbackRate, max: 0.1 }\n',
    );
    const wrong = await runCliInProcess(['validate', path]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(
      `${path}:4: field 'rules[1].maxDrop': maxDrop takes accuracy, acceptedAccuracy, macroF1, not 'fallbackRate' (fallbackRate is limited by maxIncrease: less is better)`,
    );
    writeFileSync(path, 'kind: router\nrules:\n  - { maxDrop: macroF1, max: 2 }\n');
    const never = await runCliInProcess(['validate', path]);
    expect(never.stderr).toContain(
      `${path}:3: field 'rules[0].max': a drop of 2 points of macroF1 can never happen`,
    );
  });

  it('names the line and field of a matrix threshold outside the score range, and of an unknown model', async () => {
    const dir = tempDir();
    const path = join(dir, 'router.yaml');
    writeFileSync(
      path,
      'dataset: x@1\nmodels:\n  hash: { provider: hashing }\nmatrix:\n  models: [hash, nope]\n  thresholds: [0.2, -3]\n',
    );
    const result = await runCliInProcess(['validate', path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `${path}:6: field 'matrix.thresholds[1]': threshold -3 is outside the router's score range [-1, 1]`,
    );
    writeFileSync(
      path,
      'dataset: x@1\nmodels:\n  hash: { provider: hashing }\nmatrix:\n  models: [hash, nope]\n  thresholds: [0.2]\n',
    );
    const unknown = await runCliInProcess(['validate', path]);
    expect(unknown.stderr).toContain(`${path}:5: field 'matrix.models[1]': unknown model 'nope'`);
  });
});
