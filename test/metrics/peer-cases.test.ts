import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EvaluateOptions, evaluateRun } from '../../src/metrics/evaluate.js';
import { parseMeasure } from '../../src/metrics/registry.js';
import type { Qrels, Run } from '../../src/metrics/types.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The peers' own published test cases, transcribed as data (test/fixtures/peers/<peer>.json, each naming its
 * repository, commit and, per case, the test file, function and line): ir_measures', ranx's and
 * pytrec_eval's expected values, measured with our registry. trec_eval's own test folder is
 * trec-eval-conformance.test.ts. A check whose peer measure has no equivalent here has `measure: null` and
 * a note: it is listed (printed), not run.
 */

/** The peer's tolerance: |ours − theirs| ≤ abs + rel × |theirs|; `peer` says which assertion it comes from. */
interface Tolerance {
  abs?: number;
  rel?: number;
  peer?: string;
}

interface Check {
  peerMeasure: string;
  /** Our registry's notation, or null when we have no equivalent. */
  measure: string | null;
  aggregate?: number;
  perQuery?: Record<string, number>;
  /** The expected value as the peer writes it, when it is an expression (ranx). */
  expectedExpression?: unknown;
  tolerance?: Tolerance;
  note?: string;
}

type JsonQrels = Record<string, Record<string, number>>;
/** Per query: doc → score, or [doc, score] pairs where the peer's ranking repeats a document. */
type JsonRun = Record<string, Record<string, number> | [string, number][]>;

interface PeerCase {
  source: string;
  /** Inline, or the name of an entry of the file's `shared.qrels`. */
  qrels: JsonQrels | string;
  run: JsonRun | string;
  checks: Check[];
  /** Evaluation options where the peer's convention is not `missing: 'empty'`. */
  options?: Partial<EvaluateOptions>;
  note?: string;
  comment?: string;
}

interface PeerFile {
  peer: string;
  repository: string;
  commit: string;
  comment?: string;
  shared?: { qrels?: Record<string, JsonQrels>; runs?: Record<string, JsonRun> };
  cases: PeerCase[];
}

/** Exact equality on a rounded literal: the peer's value is good to its last printed digit. */
const DEFAULT_TOLERANCE: Tolerance = { abs: 1e-4 };

const PEERS = ['ir_measures', 'ranx', 'pytrec_eval'] as const;

function load(peer: string): PeerFile {
  const path = join(REPO_ROOT, 'test', 'fixtures', 'peers', `${peer}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as PeerFile;
}

function resolveShared<T>(value: T | string, table: Record<string, T> | undefined, what: string): T {
  if (typeof value !== 'string') return value;
  const found = table?.[value];
  if (found === undefined) throw new Error(`no shared ${what} '${value}'`);
  return found;
}

function toQrels(json: JsonQrels): Qrels {
  return new Map(Object.entries(json).map(([qid, docs]) => [qid, new Map(Object.entries(docs))] as const));
}

function toRun(json: JsonRun): Run {
  const queries = new Map(
    Object.entries(json).map(([qid, docs]) => {
      const pairs: [string, number][] = Array.isArray(docs) ? docs : Object.entries(docs);
      return [qid, { docids: pairs.map(([d]) => d), scores: pairs.map(([, s]) => s) }] as const;
    }),
  );
  return { runId: 'peer', queries };
}

function allowed(expected: number, tolerance: Tolerance): number {
  return (tolerance.abs ?? 0) + (tolerance.rel ?? 0) * Math.abs(expected);
}

/** Every disagreement of a case's supported checks with our values, as text; empty when all agree. */
function mismatches(file: PeerFile, peerCase: PeerCase): string[] {
  const qrels = toQrels(resolveShared(peerCase.qrels, file.shared?.qrels, 'qrels'));
  const run = toRun(resolveShared(peerCase.run, file.shared?.runs, 'run'));
  const options: EvaluateOptions = { missing: 'empty', ...peerCase.options };
  const out: string[] = [];
  for (const check of peerCase.checks) {
    if (check.measure === null) continue;
    const label = `${check.peerMeasure} as ${check.measure}`;
    let evaluation: ReturnType<typeof evaluateRun>;
    try {
      evaluation = evaluateRun(qrels, run, [parseMeasure(check.measure)], options);
    } catch (error) {
      out.push(`${label}: ${(error as Error).message.split('. Valid measures')[0]}`);
      continue;
    }
    const tolerance = check.tolerance ?? DEFAULT_TOLERANCE;
    const compare = (where: string, ours: number | undefined, theirs: number): void => {
      if (ours === undefined) out.push(`${label} ${where}: no value (peer ${theirs})`);
      else if (!(Math.abs(ours - theirs) <= allowed(theirs, tolerance)))
        out.push(`${label} ${where}: ours ${ours}, peer ${theirs} (±${allowed(theirs, tolerance)})`);
    };
    if (check.aggregate !== undefined) compare('aggregate', evaluation.aggregates[0], check.aggregate);
    for (const [qid, theirs] of Object.entries(check.perQuery ?? {})) {
      const q = evaluation.qids.indexOf(qid);
      compare(`query ${qid}`, q < 0 ? undefined : evaluation.values[0]?.[q], theirs);
    }
  }
  return out;
}

for (const peer of PEERS) {
  const file = load(peer);
  describe(`${peer}'s published cases (${file.repository} @ ${file.commit.slice(0, 12)})`, () => {
    it('names its source and gives every check an expected value', () => {
      expect(file.peer).toBe(peer);
      expect(file.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(file.cases.length).toBeGreaterThan(0);
      for (const c of file.cases) {
        expect(c.source).toMatch(/\.py::.+\(lines? \d+/);
        for (const check of c.checks) {
          expect(check.aggregate !== undefined || Object.keys(check.perQuery ?? {}).length > 0).toBe(true);
          // A peer measure without an equivalent says why.
          if (check.measure === null) expect(check.note).toBeTruthy();
        }
      }
    });

    it('lists the checks with no equivalent measure here', () => {
      const unsupported = file.cases.flatMap((c) =>
        c.checks
          .filter((check) => check.measure === null)
          .map((check) => `${c.source}: ${check.peerMeasure}`),
      );
      if (unsupported.length > 0)
        console.info(
          `${peer}: ${unsupported.length} checks without an equivalent\n  ${unsupported.join('\n  ')}`,
        );
      expect(unsupported.length).toBeLessThan(file.cases.flatMap((c) => c.checks).length);
    });

    for (const peerCase of file.cases) {
      const supported = peerCase.checks.some((check) => check.measure !== null);
      (supported ? it : it.skip)(peerCase.source, () => {
        expect(mismatches(file, peerCase)).toEqual([]);
      });
    }
  });
}

describe('the peer-case check itself', () => {
  const file = load('pytrec_eval');
  const peerCase = file.cases[0] as PeerCase;

  it('fails on a wrong expected value, just outside the tolerance', () => {
    const check = peerCase.checks[0] as Check;
    const [qid, value] = Object.entries(check.perQuery ?? {})[0] as [string, number];
    const off = allowed(value, check.tolerance ?? DEFAULT_TOLERANCE) * 2;
    const wrong: PeerCase = { ...peerCase, checks: [{ ...check, perQuery: { [qid]: value + off } }] };
    expect(mismatches(file, peerCase)).toEqual([]);
    expect(mismatches(file, wrong)).toHaveLength(1);
  });

  it('fails on a query the evaluation does not have, and on a measure that does not parse', () => {
    const check = peerCase.checks[0] as Check;
    expect(mismatches(file, { ...peerCase, checks: [{ ...check, perQuery: { nope: 1 } }] })).toHaveLength(1);
    expect(
      mismatches(file, { ...peerCase, checks: [{ ...check, measure: 'NoSuchMeasure@3' }] }),
    ).toHaveLength(1);
  });
});
