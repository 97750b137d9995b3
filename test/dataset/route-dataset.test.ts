import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRouteDataset } from '../../src/dataset/route-dataset.js';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const ROUTES = [
  {
    name: 'billing',
    examples: ['where is my invoice', 'I was charged twice'],
    costPerCall: 0.001,
    latencyMs: 200,
  },
  { name: 'password', examples: ['reset my password'], costPerCall: 0.0005 },
  { name: null, costPerCall: 0.01, latencyMs: 1500 },
];

function writeLines(path: string, records: unknown[]): string {
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
}

/** Imports labelled utterances with the routes above (or others) into a fresh folder. */
async function importUtterances(name: string, content: string, routes: unknown[] = ROUTES) {
  const dir = tempDir();
  const routesPath = writeLines(join(dir, 'routes.jsonl'), routes);
  const src = join(dir, name);
  writeFileSync(src, content);
  const out = join(dir, 'helpdesk');
  const result = await runCliInProcess([
    'dataset',
    'import',
    src,
    '--from',
    'utterances',
    '--routes',
    routesPath,
    '--name',
    'helpdesk',
    '--version',
    '1',
    '--out',
    out,
  ]);
  return { ...result, out, src, routesPath };
}

const CSV =
  'id,text,route\nb1,"Why was I billed twice, again?",billing\np1,forgot my password,password\no1,tell me a joke,\n';

describe('route datasets', () => {
  it('imports a CSV of labelled utterances: routes in file order, an empty route is the fallback', async () => {
    const { status, stdout, out } = await importUtterances('utterances.csv', CSV);
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /wrote helpdesk@1 .*: 2 routes, 3 utterances \(1 out of scope\), sha256:[0-9a-f]{64}/,
    );
    const dataset = loadRouteDataset(out);
    expect(dataset.routes.map((r) => r.name)).toEqual(['billing', 'password']);
    expect(dataset.fallback).toEqual({ costPerCall: 0.01, latencyMs: 1500 });
    expect(dataset.items).toEqual([
      { id: 'b1', text: 'Why was I billed twice, again?', route: 'billing' },
      { id: 'o1', text: 'tell me a joke', route: null },
      { id: 'p1', text: 'forgot my password', route: 'password' },
    ]);
    const validated = await runCliInProcess(['validate', out]);
    expect(validated.stdout).toMatch(
      /^ok: route dataset helpdesk@1: 2 routes, 3 utterances \(1 out of scope\)/,
    );
  });

  it('gives JSONL and CSV of the same utterances the same digest, and numbers utterances without ids', async () => {
    const jsonl = [
      { id: 'b1', text: 'Why was I billed twice, again?', route: 'billing' },
      { id: 'p1', text: 'forgot my password', route: 'password' },
      { id: 'o1', text: 'tell me a joke', route: null },
    ];
    const a = await importUtterances('u.jsonl', jsonl.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const b = await importUtterances('u.csv', CSV);
    expect(loadRouteDataset(a.out).digest).toBe(loadRouteDataset(b.out).digest);
    const numbered = await importUtterances('n.csv', 'text,route\nreset it,password\n');
    expect(loadRouteDataset(numbered.out).items[0]?.id).toBe('u1');
  });

  it('refuses an edited file: a published version is never edited', async () => {
    const { out } = await importUtterances('utterances.csv', CSV);
    const items = join(out, 'items.jsonl');
    writeFileSync(items, readFileSync(items, 'utf8').replace('tell me a joke', 'tell me two jokes'));
    const result = await runCliInProcess(['validate', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("field 'files.items.sha256': items.jsonl has changed");
  });

  it('names file, line and field of an unknown route label and a duplicate id', async () => {
    const unknown = await importUtterances(
      'u.csv',
      'id,text,route\na,hi,billing\nb,cancel my plan,cancellation\n',
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(`${unknown.src}:3: field 'route': unknown route 'cancellation'`);
    const duplicate = await importUtterances(
      'u.jsonl',
      '{"id":"a","text":"hi","route":null}\n{"id":"a","text":"again","route":null}\n',
    );
    expect(duplicate.status).toBe(2);
    expect(duplicate.stderr).toContain(
      `${duplicate.src}:2: field 'id': duplicate utterance id 'a' (first at line 1)`,
    );
  });

  it('names the line of a route without examples, and a routes file without a fallback', async () => {
    const empty = await importUtterances('u.csv', CSV, [
      ROUTES[0],
      { name: 'password', examples: [] },
      ROUTES[2],
    ]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain(
      `${empty.routesPath}:2: field 'examples': route 'password' has no example utterances`,
    );
    const noFallback = await importUtterances('u.csv', CSV, [ROUTES[0], ROUTES[1]]);
    expect(noFallback.status).toBe(2);
    expect(noFallback.stderr).toContain('no fallback line');
  });

  it('tells a route dataset from a retrieval dataset where one is given for the other', async () => {
    const { out } = await importUtterances('utterances.csv', CSV);
    const evaluated = await runCliInProcess([
      'eval',
      '--dataset',
      out,
      '--run',
      join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0', 'runs', 'bm25.trec'),
    ]);
    expect(evaluated.status).toBe(2);
    expect(evaluated.stderr).toContain("field 'kind': this is a route dataset");
    const config = join(out, '..', 'router.yaml');
    writeFileSync(
      config,
      `dataset: ${JSON.stringify(join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0'))}\nmodels:\n  h: { provider: hashing }\nrouters:\n  r: { kind: embedding, model: h, threshold: 0.2 }\n`,
    );
    const routed = await runCliInProcess(['route', '--config', config, '--reports', join(out, '..', 'runs')]);
    expect(routed.status).toBe(2);
    expect(routed.stderr).toContain(
      "field 'kind': this is a retrieval dataset (queries and judgments), not a route dataset",
    );
  });
});
