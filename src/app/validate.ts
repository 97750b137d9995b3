import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ruleName } from '../config/gate-policy.js';
import { loadConfig } from '../config/load.js';
import { loadPolicy } from '../config/load-policy.js';
import { loadRouterConfig } from '../config/router-config.js';
import { loadRouterPolicy } from '../config/router-policy.js';
import { looksLikeDict } from '../dataset/dict-run.js';
import { isGzip, withPlainFile } from '../dataset/gzip.js';
import { beirSplits, readBeirFolder } from '../dataset/import/beir.js';
import { readSimpleEvalSet } from '../dataset/import/simple.js';
import { parseJsonDocument } from '../dataset/json-text.js';
import { countJudgments } from '../dataset/judgments.js';
import { splitColumns } from '../dataset/lines.js';
import { looksLikeMsMarco } from '../dataset/msmarco-run.js';
import { loadDataset, readRecords } from '../dataset/native.js';
import { firstLine } from '../dataset/peek.js';
import { readQrelsFile } from '../dataset/qrels-file.js';
import { isRouteDatasetFolder, loadRouteDataset } from '../dataset/route-dataset.js';
import { readRunFile } from '../dataset/run-file.js';
import type { DocumentRecord, QueryRecord } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { routerRuleName } from '../gate/route-gate.js';
import { parseBaseline } from '../results/baseline.js';
import { INPUT_KINDS, type InputKind } from './input-kinds.js';

export interface ValidationReport {
  kind: InputKind;
  summary: string;
  warnings: string[];
}

/**
 * Validates a dataset folder or an input file of a known kind (detected from its content unless given). A
 * gzip-compressed file is checked as the file it holds.
 */
export function validatePath(path: string, kind?: InputKind): ValidationReport {
  if (!existsSync(path)) throw new UserError('no such file or folder', { file: path });
  if (statSync(path).isFile() && isGzip(path)) {
    return withPlainFile(path, (plain) => {
      const report = validatePath(plain, kind);
      return { ...report, warnings: report.warnings.map((w) => w.split(plain).join(path)) };
    });
  }
  const detected = kind ?? detectKind(path);
  switch (detected) {
    case 'dataset': {
      const dir = statSync(path).isDirectory() ? path : dirname(path);
      if (isRouteDatasetFolder(dir)) {
        const routes = loadRouteDataset(dir);
        const outOfScope = routes.items.filter((item) => item.route === null).length;
        return {
          kind: detected,
          summary: `route dataset ${routes.manifest.name}@${routes.manifest.version}: ${routes.routes.length} routes, ${routes.items.length} utterances (${outOfScope} out of scope), ${routes.digest}`,
          warnings: [],
        };
      }
      const dataset = loadDataset(dir);
      const docs = dataset.corpus ? `${dataset.corpus.size} documents, ` : 'no corpus, ';
      return {
        kind: detected,
        summary: `dataset ${dataset.manifest.name}@${dataset.manifest.version}: ${dataset.queries.size} queries, ${docs}${countJudgments(dataset.qrels)} judgments, ${dataset.digest}`,
        warnings: dataset.warnings,
      };
    }
    case 'beir': {
      const splits = beirSplits(path);
      const split = splits.includes('test') || splits.length === 0 ? 'test' : (splits[0] as string);
      const content = readBeirFolder(path, split);
      return {
        kind: detected,
        summary: `BEIR folder: ${content.queries.size} ${split} queries, ${content.corpus?.size ?? 0} documents (splits: ${splits.join(', ')})`,
        warnings: [],
      };
    }
    case 'run': {
      const run = readRunFile(path);
      let results = 0;
      for (const query of run.queries.values()) results += query.docids.length;
      return {
        kind: detected,
        summary: `run '${run.runId}': ${run.queries.size} queries, ${results} results`,
        warnings: [],
      };
    }
    case 'qrels': {
      const qrels = readQrelsFile(path);
      return {
        kind: detected,
        summary: `qrels: ${qrels.size} queries, ${countJudgments(qrels)} judgments`,
        warnings: [],
      };
    }
    case 'queries':
      refuseBeirRecords(path);
      return {
        kind: detected,
        summary: `queries: ${readRecords<QueryRecord>(path, 'query', 'query').size}`,
        warnings: [],
      };
    case 'corpus':
      refuseBeirRecords(path);
      return {
        kind: detected,
        summary: `corpus: ${readRecords<DocumentRecord>(path, 'document', 'document').size} documents`,
        warnings: [],
      };
    case 'config': {
      const config = loadConfig(path);
      return {
        kind: detected,
        summary: `config: dataset ${config.dataset}, ${config.systems.length} systems (${config.systems.map((s) => s.id).join(', ')})`,
        warnings: [],
      };
    }
    case 'policy': {
      const policy = loadPolicy(path);
      return {
        kind: detected,
        summary: `gate policy: ${policy.rules.length} rules (${policy.rules.map(ruleName).join(', ')}), alpha ${policy.alpha}`,
        warnings: [],
      };
    }
    case 'router-config': {
      const config = loadRouterConfig(path);
      return {
        kind: detected,
        summary: `router config: dataset ${config.dataset}, ${config.routers.length} routers (${config.routers.map((r) => r.id).join(', ')})`,
        warnings: [],
      };
    }
    case 'router-policy': {
      const policy = loadRouterPolicy(path);
      return {
        kind: detected,
        summary: `router gate policy: ${policy.rules.length} rules (${policy.rules.map(routerRuleName).join(', ')})`,
        warnings: [],
      };
    }
    case 'baseline': {
      const baseline = parseBaseline(readTextFile(path), path);
      const { dataset } = baseline;
      return {
        kind: detected,
        summary: `baseline of run ${baseline.runId} on ${dataset.name}@${dataset.version}: ${baseline.systems.map((s) => s.id).join(', ')}`,
        warnings: [],
      };
    }
    case 'simple': {
      const set = readSimpleEvalSet(path);
      return {
        kind: detected,
        summary: `eval set: ${set.queries.size} queries, ${countJudgments(set.qrels)} judgments`,
        warnings: [],
      };
    }
  }
}

/** Tells an input's kind from its layout or its first line. */
export function detectKind(path: string): InputKind {
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'manifest.json'))) return 'dataset';
    const corpus = ['corpus.jsonl', 'corpus.jsonl.gz'].some((name) => existsSync(join(path, name)));
    if (corpus && existsSync(join(path, 'qrels'))) return 'beir';
    throw new UserError(
      'folder is neither a dataset (manifest.json) nor a BEIR folder (corpus.jsonl, qrels/)',
      { file: path },
    );
  }
  if (basename(path) === 'manifest.json') return 'dataset';
  if (/\.ya?ml$/i.test(path)) return detectYamlKind(readTextFile(path));
  if (/\.json$/i.test(path) && /"kind": "baseline"/.test(readTextFile(path))) return 'baseline';
  const line = firstLine(path);
  if (line === undefined) throw new UserError('the file is empty', { file: path });
  if (line.startsWith('[')) return 'simple';
  if (looksLikeDict(line)) return detectDictKind(path);
  if (line.startsWith('{')) return detectJsonlKind(path, line);
  if (/^query-id\s+corpus-id\s+score$/.test(line)) return 'qrels'; // BEIR's header
  const fields = splitColumns(line).length;
  if (fields === 4) return 'qrels';
  if (fields >= 6 || looksLikeMsMarco(line)) return 'run';
  throw new UserError(
    `cannot tell what this file is (${fields} columns: TREC qrels have 4, TREC runs 6); pass --kind ${INPUT_KINDS.join('|')}`,
    { file: path, line: 1 },
  );
}

/** Gate policies have rules (a router's says `kind: router`); router configs have routers or a thresholds matrix. */
function detectYamlKind(text: string): InputKind {
  if (/^kind:\s*router\s*(#.*)?$/m.test(text)) return 'router-policy';
  if (/^rules:/m.test(text)) return 'policy';
  if (/^routers:/m.test(text) || /^\s+thresholds:/m.test(text)) return 'router-config';
  return 'config';
}

/**
 * The dict form holds runs and qrels alike: small integers only are grades; a run's scores are fractional or,
 * when a system writes integers (reversed ranks, counts), mostly outside a grade scale (pass --kind otherwise).
 */
function detectDictKind(path: string): InputKind {
  const value = parseJsonDocument(readTextFile(path), path);
  const values = Object.values(value as Record<string, unknown>).flatMap((docs) =>
    typeof docs === 'object' && docs !== null ? Object.values(docs) : [],
  );
  const isGrade = (v: unknown) =>
    Number.isInteger(v) && (v as number) >= LOWEST_GRADE && (v as number) <= HIGHEST_GRADE;
  return values.every(isGrade) ? 'qrels' : 'run';
}

/** The widest grade scales in use: ClueWeb's -2 (spam) up to the 0–4 and 0–10 scales of graded collections. */
const LOWEST_GRADE = -2;
const HIGHEST_GRADE = 10;

/**
 * BEIR's queries.jsonl and corpus.jsonl key their records `_id`, not `id`: checked as native files they fail
 * on a field the user never wrote. They belong to a BEIR folder, which is checked (and imported) whole.
 */
function refuseBeirRecords(path: string, record = firstRecord(path)): void {
  if (record === undefined || !('_id' in record) || 'id' in record) return;
  const file = basename(path).startsWith('queries') ? 'queries' : 'corpus';
  throw new UserError(
    `a BEIR ${file} file (its records have '_id'): check its folder as a BEIR folder, retrieval-gate validate ${dirname(path)} --kind beir`,
    { file: path, line: 1, field: '_id' },
  );
}

function firstRecord(path: string): Record<string, unknown> | undefined {
  const line = firstLine(path);
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not JSON: the reader reports it at its line
  }
}

function detectJsonlKind(path: string, line: string): InputKind {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`malformed JSON: ${(error as Error).message}`, { file: path, line: 1 });
  }
  refuseBeirRecords(path, record);
  if ('relevant_passages' in record || 'query' in record) return 'simple';
  if ('results' in record || 'score' in record) return 'run';
  if ('rel' in record) return 'qrels';
  if (basename(path).startsWith('queries')) return 'queries';
  if ('id' in record || 'title' in record) return 'corpus';
  throw new UserError(`cannot tell what this JSONL file is; pass --kind ${INPUT_KINDS.join('|')}`, {
    file: path,
    line: 1,
  });
}
