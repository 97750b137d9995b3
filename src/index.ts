/**
 * The programmatic API: what the CLI does, as functions. The CLI (src/cli/) is one client of it; a CI
 * script or a notebook can be another.
 */

export { createComponentFactory } from './app/components.js';
export { type EvaluateFilesOptions, evaluateRunFiles } from './app/eval.js';
export {
  type HeldSystem,
  type ReadReportFilesOptions,
  type ReportBaseline,
  readReportFiles,
  type WriteReportOptions,
  writeReport,
} from './app/report.js';
export { type RouteOptions, type RouteOutcomeSummary, routeConfigFile } from './app/route.js';
export { type BuildComponents, type RunOptions, type RunOutcome, runConfig } from './app/run.js';
export { loadConfig } from './config/load.js';
export { loadRouterConfig, type RouterConfig } from './config/router-config.js';
export type { RunConfig, SystemConfig } from './config/types.js';
export { loadDataset } from './dataset/native.js';
export { readQrelsFile } from './dataset/qrels-file.js';
export { resolveDataset } from './dataset/resolve.js';
export { loadRouteDataset, type RouteDataset } from './dataset/route-dataset.js';
export { readRunFile } from './dataset/run-file.js';
export type { Dataset } from './dataset/types.js';
export { UserError } from './errors.js';
export { evaluateRuns, type NamedRun } from './evaluation/evaluate-runs.js';
export type { RerankerLift } from './evaluation/lift.js';
export { evaluateRouter } from './evaluation/routing/evaluate.js';
export type { RouteEvaluation, RouteOutcome } from './evaluation/routing/types.js';
export type { EvaluationFile, MeasureSummary } from './evaluation/types.js';
export { parseMeasure, parseMeasureList } from './metrics/registry.js';
export { formatComparisonTable } from './report/comparison-table.js';
export {
  type BuildReportOptions,
  buildReportData,
  type ReportFiles,
  type SystemReportFiles,
} from './report/report-data.js';
export type { ReportData, ReportSystem } from './report/report-data.types.js';
export { reportMarkdown } from './report/report-markdown.js';
export { loadRunFolder } from './results/run-folder.js';
export type { RunSummary, SystemSummary } from './results/summary.js';
export type { Embedder, Hit, Index, Reranker, RouteDecision, Router } from './retrieve/types.js';
