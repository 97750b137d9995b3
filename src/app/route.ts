import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRouterConfig, type RouterConfig } from '../config/router-config.js';
import { loadRouterPolicy } from '../config/router-policy.js';
import { resolveDataset } from '../dataset/resolve.js';
import { loadRouteDataset, type RouteDataset } from '../dataset/route-dataset.js';
import { UserError } from '../errors.js';
import { evaluateRouter } from '../evaluation/routing/evaluate.js';
import type { RouteOutcome } from '../evaluation/routing/types.js';
import { checkOutputFolder, copyFile, shownName, writeTextFile } from '../files.js';
import { gateRouteRun } from '../gate/route-gate.js';
import { renderRouteReport } from '../report/route-html.js';
import { defaultRunId, ROUTE_RUN_FILES, runIdProblem } from '../results/layout.js';
import {
  type RouteRunFile,
  type RouterRecord,
  type RouteVerdict,
  readRouteRun,
  writeRouteRun,
} from '../results/route-run.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { createRouter, describeRouter } from './router-components.js';

export interface RouteOptions {
  configFile: string;
  /** The run folder is <reportsDir>/<runId>/. */
  reportsDir: string;
  runId?: string;
  /** A router policy to gate the run on, and a previous route run folder as its baseline. */
  policyFile?: string;
  baselineDir?: string;
  env?: NodeJS.ProcessEnv;
  stderr?: NodeJS.WritableStream;
}

export interface RouteOutcomeSummary {
  dir: string;
  run: RouteRunFile;
  verdict?: RouteVerdict;
}

/**
 * Runs every router of a router config over its route dataset, one utterance at a time (each call timed:
 * the latency routing adds), evaluates each, writes the run folder (route-run.json, each router's
 * decisions, route-report.html) and, with a policy, gates it against the baseline (route-gate.json).
 */
export async function routeConfigFile(options: RouteOptions): Promise<RouteOutcomeSummary> {
  const env = options.env ?? process.env;
  const config = loadRouterConfig(options.configFile, env);
  // Policy and baseline are read before any router runs: a typo there should not cost a run.
  const policy = options.policyFile ? loadRouterPolicy(options.policyFile) : undefined;
  const baseline = options.baselineDir ? readRouteRun(options.baselineDir) : undefined;
  const dataset = loadRouteDataset(resolveDataset(config.dataset, config.dir));
  const startedAt = new Date();
  const runId = options.runId ?? defaultRunId(startedAt);
  const problem = runIdProblem(runId);
  if (problem) throw new UserError(`--run-id '${shownName(runId)}' cannot name a run folder: ${problem}`);
  checkOutputFolder(options.reportsDir, '--reports');
  const dir = join(options.reportsDir, runId);
  if (existsSync(join(dir, ROUTE_RUN_FILES.run)))
    throw new UserError(`run folder ${dir} already holds a route run; choose another --run-id`);

  const prices = {
    routes: new Map(dataset.routes.map((route) => [route.name, route])),
    fallback: dataset.fallback,
  };
  const records: RouterRecord[] = [];
  const decisions = new Map<string, RouteOutcome[]>();
  for (const router of config.routers) {
    const outcomes = await routeAll(router, dataset, {
      cacheDir: config.cacheDir,
      dir: config.dir,
      env,
      ...(options.stderr ? { stderr: options.stderr } : {}),
    });
    decisions.set(router.id, outcomes);
    records.push({
      id: router.id,
      kind: router.kind,
      description: describeRouter(router),
      evaluation: evaluateRouter(outcomes, {
        routeNames: dataset.routes.map((route) => route.name),
        prices,
        bootstrap: config.bootstrap,
        sweepThresholds: config.sweep,
        requiredAccuracy: config.requiredAccuracy,
      }),
    });
  }
  const run: RouteRunFile = {
    schemaVersion: 1,
    kind: 'route-run',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    runId,
    dataset: { name: dataset.manifest.name, version: dataset.manifest.version, digest: dataset.digest },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    routers: records,
  };
  writeRouteRun(dir, run, decisions);
  copyFile(options.configFile, join(dir, ROUTE_RUN_FILES.config));
  const verdict = policy ? gateRouteRun({ dir, file: run, decisions, prices }, policy, baseline) : undefined;
  if (verdict) writeTextFile(join(dir, ROUTE_RUN_FILES.verdict), `${JSON.stringify(verdict, null, 2)}\n`);
  const texts = new Map(dataset.items.map((item) => [item.id, item.text]));
  writeTextFile(join(dir, ROUTE_RUN_FILES.report), renderRouteReport(run, decisions, texts, verdict));
  return { dir, run, ...(verdict ? { verdict } : {}) };
}

/** Routes every utterance in dataset order, one call each, timing each call alone. */
async function routeAll(
  config: RouterConfig,
  dataset: RouteDataset,
  context: { cacheDir: string; dir: string; env: NodeJS.ProcessEnv; stderr?: NodeJS.WritableStream },
): Promise<RouteOutcome[]> {
  const router = await createRouter(config, { routes: dataset.routes, ...context });
  const price = config.kind === 'embedding' ? config.model.pricePer1MTokens / 1e6 : 0;
  try {
    const outcomes: RouteOutcome[] = [];
    for (const item of dataset.items) {
      const start = performance.now();
      const decision = await router.route({ id: item.id, text: item.text });
      const latencyMs = decision.latencyMs ?? performance.now() - start;
      outcomes.push({
        id: item.id,
        expected: item.route,
        chosen: decision.route,
        ...(decision.candidate === undefined ? {} : { candidate: decision.candidate }),
        ...(decision.score === undefined ? {} : { score: decision.score }),
        latencyMs,
        routingCost: config.costPerCall + (decision.cost ?? 0) + (decision.tokens ?? 0) * price,
      });
    }
    return outcomes;
  } finally {
    await router.close?.();
  }
}
