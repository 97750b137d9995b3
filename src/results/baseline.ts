import { resolve } from 'node:path';
import { parseJsonDocument } from '../dataset/json-text.js';
import { UserError } from '../errors.js';
import type { EvaluationSettings } from '../evaluation/types.js';
import { readUtf8File } from '../utf8.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { isGitReference, readGitFile } from './git-show.js';
import type { LatencyBasis, MeasuredResults, MeasuredSystem } from './measured.js';
import { checkColumns, parseValidated } from './run-folder.js';

/**
 * A baseline file (baseline.schema.json): the measurements a candidate is compared with, kept in the
 * repository (gates/baselines/*.json) so a pull request can be gated against what main measured. It holds no
 * timestamp and no path of the machine that saved it, so the same results always give the same bytes and a
 * re-saved, unchanged baseline makes no diff.
 */
export interface BaselineFile {
  schemaVersion: 1;
  kind: 'baseline';
  tool: { name: string; version: string };
  /** The run (reports/<run-id>/) it was saved from. */
  runId: string;
  dataset: MeasuredResults['dataset'];
  settings: EvaluationSettings;
  /** Only systems that ran: a failed system has nothing to compare with. */
  systems: BaselineSystem[];
}

export type BaselineSystem = Pick<
  MeasuredSystem,
  'id' | 'description' | 'measures' | 'perQuery' | 'latencyMs' | 'costPerQuery'
> & {
  /** Absent in baselines saved by earlier versions, whose latencies are per call ('call'). */
  latencyPer?: LatencyBasis;
};

/** Reads a baseline from a file (relative to `cwd`) or from a git revision, `git:REF:PATH`. */
export async function loadBaseline(reference: string, cwd = process.cwd()): Promise<MeasuredResults> {
  const text = isGitReference(reference)
    ? await readGitFile(reference, cwd)
    : readUtf8File(resolve(cwd, reference));
  return parseBaseline(text, reference);
}

/** A baseline file's text, validated; `reference` names it in errors and becomes the results' source. */
export function parseBaseline(text: string, reference: string): MeasuredResults {
  checkVersion(parseJsonDocument(text, reference), reference);
  const file = parseValidated<BaselineFile>(text, reference, 'baseline');
  file.systems.forEach((system, i) => {
    checkColumns(system.perQuery, reference, `systems[${i}].perQuery`);
  });
  return {
    source: reference,
    runId: file.runId,
    dataset: file.dataset,
    settings: file.settings,
    // Only an earlier version's per-call figures are marked: per query is what a system measures now.
    systems: file.systems.map(({ latencyPer, ...system }) => ({
      ...system,
      ...(latencyPer === 'query' ? {} : { latencyPer: 'call' as const }),
      status: 'ok',
    })),
  };
}

/**
 * A baseline of a schemaVersion this tool does not read (saved by a newer one, or edited) is named as that,
 * not as the schema's first complaint about its fields.
 */
function checkVersion(value: unknown, reference: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError('is not a baseline file: expected a JSON object saved by `baseline save`', {
      file: reference,
    });
  }
  const { schemaVersion, kind } = value as { schemaVersion?: unknown; kind?: unknown };
  if (kind !== undefined && kind !== 'baseline') {
    throw new UserError(
      `is a '${String(kind)}' file, not a baseline (kind: baseline, from \`baseline save\`)`,
      {
        file: reference,
        field: 'kind',
      },
    );
  }
  if (schemaVersion !== 1) {
    throw new UserError(
      `${schemaVersion === undefined ? 'has no schemaVersion' : `has schemaVersion ${JSON.stringify(schemaVersion)}`}; this version of the tool (${TOOL_VERSION}) reads baselines of schemaVersion 1: save the baseline again with \`baseline save\``,
      { file: reference, field: 'schemaVersion' },
    );
  }
}

/** Fields in a fixed order, so equal results serialise to equal bytes. */
export function toBaselineFile(results: MeasuredResults, systems: MeasuredSystem[]): BaselineFile {
  return {
    schemaVersion: 1,
    kind: 'baseline',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    runId: results.runId,
    dataset: results.dataset,
    settings: results.settings,
    systems: systems.map((s) => ({
      id: s.id,
      description: s.description,
      measures: s.measures,
      perQuery: s.perQuery,
      latencyMs: s.latencyMs,
      latencyPer: s.latencyPer ?? 'query',
      costPerQuery: s.costPerQuery,
    })),
  };
}
