import { dirname, resolve } from 'node:path';
import type { Policy } from '../config/gate-policy.js';
import { loadPolicy } from '../config/load-policy.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { applyPolicy } from '../gate/apply.js';
import { checkComparable } from '../gate/compare.js';
import { coverageLookup, coveredSystems } from '../gate/coverage.js';
import { gateText } from '../report/gate-text.js';
import { loadBaseline } from '../results/baseline.js';
import type { MeasuredResults } from '../results/measured.js';
import { loadRunFolder } from '../results/run-folder.js';
import { readSystemRun } from '../results/system-files.js';
import type { Verdict } from '../results/verdict.js';
import { writeGateOutputs } from './gate-outputs.js';
import { recordedDataset } from './recorded-dataset.js';

export interface GateOptions {
  policyFile: string;
  /** A run folder, reports/<run-id>/. */
  resultsDir: string;
  /** A baseline file or git:REF:PATH; default: the policy's `baseline`. */
  baseline?: string;
  allowDatasetChange?: boolean;
  /** The dataset's folder or name@version, for coverage rules; default: the results' name@version. */
  dataset?: string;
  /** Where gate.md, gate.junit.xml and gate.json go; default: the results folder. */
  outDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface GateOutcome {
  verdict: Verdict;
  files: string[];
  /** GitHub workflow commands to print (only under GitHub Actions). */
  annotations: string[];
  /** Why the baseline named could not be read (its file or git: reference, and the reason), if it could not. */
  baselineProblem?: string;
}

/**
 * results + policy (+ baseline) → verdict → CI outputs. Bad input (a malformed policy or results, a baseline
 * of another dataset) throws a UserError; a baseline that cannot be read fails the rules that needed it.
 */
export async function gateResults(options: GateOptions): Promise<GateOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const policy = loadPolicy(options.policyFile);
  const { results: candidate, summary } = loadRunFolder(options.resultsDir);
  const reference = options.baseline ?? policyBaseline(policy);
  let baseline: MeasuredResults | null = null;
  let noBaselineReason: string | undefined = reference
    ? undefined
    : 'none was given (--baseline, or baseline: in the policy)';
  const warnings: string[] = [];
  if (reference) {
    try {
      baseline = await loadBaseline(reference, cwd);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      // Still fail closed (the rules that compare fail), but say which baseline and why, in every output.
      noBaselineReason = `the baseline could not be read: ${baselineMessage(error, reference)}`;
      warnings.push(`${noBaselineReason}; every rule that compares with it fails`);
    }
  }
  if (baseline) warnings.push(...checkComparable(candidate, baseline, options.allowDatasetChange === true));
  const dataset = needsDataset(policy)
    ? datasetFor(candidate, options.dataset, cwd, () =>
        recordedDataset(summary.dataset, options.resultsDir, cwd),
      )
    : 'not needed';
  // Without the dataset there is no coverage to measure, so no run is read.
  const runs =
    typeof dataset === 'string'
      ? new Map()
      : new Map(coveredSystems(policy, candidate).map((id) => [id, readSystemRun(options.resultsDir, id)]));
  const verdict = applyPolicy({
    policy,
    candidate,
    baseline,
    ...(noBaselineReason ? { noBaselineReason } : {}),
    coverage: coverageLookup(candidate, runs, dataset),
    warnings,
  });
  const written = writeGateOutputs(verdict, options.outDir ?? options.resultsDir, options.env ?? process.env);
  return {
    verdict,
    ...written,
    ...(baseline === null && reference ? { baselineProblem: noBaselineReason } : {}),
  };
}

/** A baseline's error with the reference it was given by at its start (a file the error names otherwise). */
function baselineMessage(error: UserError, reference: string): string {
  return error.message.includes(reference) || (error.location.file ?? '') !== ''
    ? error.message
    : `${reference}: ${error.message}`;
}

/** The policy's own baseline: a path relative to the policy file, or a git reference as written. */
function policyBaseline(policy: Policy): string | undefined {
  if (!policy.baseline) return undefined;
  return policy.baseline.startsWith('git:')
    ? policy.baseline
    : resolve(dirname(policy.file), policy.baseline);
}

function needsDataset(policy: Policy): boolean {
  return policy.rules.some((rule) => rule.kind === 'coverage');
}

/**
 * The dataset the results were measured on, checked by digest: the one --dataset names, else the one the run
 * folder records (its folder, then its name@version); a string says why it is unavailable.
 */
function datasetFor(
  results: MeasuredResults,
  reference: string | undefined,
  cwd: string,
  recorded: () => Dataset,
): Dataset | string {
  const wanted = `${results.dataset.name}@${results.dataset.version}`;
  let dataset: Dataset;
  try {
    dataset = reference === undefined ? recorded() : loadDataset(resolveDataset(reference, cwd));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return `the dataset ${wanted} is needed to measure coverage but could not be loaded (${error.message}); pass --dataset`;
  }
  if (dataset.digest !== results.dataset.digest) {
    return `the dataset found for ${wanted} has digest ${dataset.digest}, not the results' ${results.dataset.digest}; pass --dataset with the one they were measured on`;
  }
  return dataset;
}

/** What `retrieval-gate gate` shows: the gate's outcome, and its verdict as text for the terminal. */
export interface GateWithText extends GateOutcome {
  text: string;
}

export async function gateWithText(options: GateOptions): Promise<GateWithText> {
  const outcome = await gateResults(options);
  return { ...outcome, text: gateText(outcome.verdict) };
}
