import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../dataset/jsonl.js';
import { UserError } from '../errors.js';
import type { RouteEvaluation, RouteOutcome } from '../evaluation/routing/types.js';
import { readTextFile, writeTextFile } from '../files.js';
import { ROUTE_RUN_FILES, routerDecisionsFile } from './layout.js';
import { parseValidated } from './run-folder.js';

export interface RouterRecord {
  id: string;
  kind: 'embedding' | 'command' | 'http';
  /** What the router is: its model, method, k and threshold, or its program or service. */
  description: Record<string, unknown>;
  evaluation: RouteEvaluation;
}

/** route-run.json: what was measured, on which dataset version, by which tool. */
export interface RouteRunFile {
  schemaVersion: 1;
  kind: 'route-run';
  tool: { name: string; version: string };
  runId: string;
  dataset: { name: string; version: string; digest: string };
  startedAt: string;
  finishedAt: string;
  routers: RouterRecord[];
}

/** A route run read back: its file, and each router's decisions by utterance. */
export interface RouteRun {
  dir: string;
  file: RouteRunFile;
  decisions: Map<string, RouteOutcome[]>;
}

export function writeRouteRun(dir: string, run: RouteRunFile, decisions: Map<string, RouteOutcome[]>): void {
  for (const [id, outcomes] of decisions) {
    writeTextFile(routerDecisionsFile(dir, id), outcomes.map((o) => `${JSON.stringify(o)}\n`).join(''));
  }
  writeTextFile(join(dir, ROUTE_RUN_FILES.run), `${JSON.stringify(run, null, 2)}\n`);
}

export function readRouteRun(dir: string): RouteRun {
  const path = join(dir, ROUTE_RUN_FILES.run);
  if (!existsSync(path))
    throw new UserError(`not a route run folder: ${ROUTE_RUN_FILES.run} is missing`, { file: dir });
  const file = parseValidated<RouteRunFile>(readTextFile(path), path, 'route-run');
  const decisions = new Map<string, RouteOutcome[]>();
  for (const router of file.routers) {
    const decisionsPath = routerDecisionsFile(dir, router.id);
    if (!existsSync(decisionsPath))
      throw new UserError(`the decisions of router '${router.id}' are missing`, { file: decisionsPath });
    const outcomes: RouteOutcome[] = [];
    readJsonl<RouteOutcome>(decisionsPath, 'route-decision', (outcome) => {
      outcomes.push(outcome);
    });
    decisions.set(router.id, outcomes);
  }
  return { dir, file, decisions };
}

/** One rule on one router: what was observed and why it passed or failed. */
export interface RouteRuleOutcome {
  rule: string;
  router: string;
  status: 'pass' | 'fail';
  observed: number | null;
  baseline?: number;
  /** Paired interval of candidate − baseline, for a maxDrop. */
  ci?: { low: number; high: number };
  pValue?: number;
  reason: string;
}

/** route-gate.json: the verdict of a router policy on a route run. */
export interface RouteVerdict {
  kind: 'route-verdict';
  status: 'pass' | 'fail';
  policy: string;
  runId: string;
  baseline: { runId: string; dir: string } | null;
  outcomes: RouteRuleOutcome[];
}
