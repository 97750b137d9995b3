import { UserError } from '../errors.js';
import type { GainPairs } from './gains.js';
import type { DcgGain } from './measures.js';
import type { UtilityWeights } from './set-measures.js';

/**
 * Measure parameters as written in a measure's name, ir_measures style: `SetF(beta=2)`, `RBP(p=0.8)`,
 * `nDCG(gains={1:3,2:9})@10`, `11ptAvg(levels=[0.25,0.5,0.75])`, `Utility(weights=[2,-1,0,0],docs=1000)`,
 * `P(rel=2)@5`, `nDCG(dcg=exp-log2,judged_only=true)@10`. A flag may stand alone (`judged_only`); strings may
 * be quoted as ir_measures prints them (`dcg='exp-log2'`).
 */
export interface MeasureParams {
  /** Custom gains, grade → gain, in the order given (nDCG, G, nDCGRel, RnDCG, RBP). */
  gains?: GainPairs;
  /** RBP's persistence (default 0.9). */
  p?: number;
  /** SetF: the weight of recall against precision (default 1). */
  beta?: number;
  /** 11ptAvg: the recall levels (default 0, 0.1, …, 1), in the order given. */
  levels?: readonly number[];
  /** Utility: weights of relevant retrieved, non-relevant retrieved, relevant missed, the rest (default 1,-1,0,0). */
  weights?: UtilityWeights;
  /** Utility: documents in the collection, for the last cell (default 0). */
  docs?: number;
  /** nDCG: linear gains (log2, trec_eval's) or exponential ones (exp-log2). */
  dcg?: DcgGain;
  /** ERR, nERR: the scale's highest grade (default 4, gdeval's). */
  max_rel?: number;
  /** Binary measures: the grade from which a document counts as relevant, instead of the run's level. */
  rel?: number;
  /** Any measure: drop the documents without a judgment before measuring (ir_measures' judged_only). */
  judged_only?: boolean;
}

export type ParamName = keyof MeasureParams;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function number(text: string, what: string): number {
  const value = Number(text.trim());
  if (!NUMBER.test(text.trim()) || !Number.isFinite(value))
    throw new UserError(`${what}: '${text}' is not a number`);
  return value;
}

/** Splits on `separator` outside brackets: "a=[1,2],b=3" → ["a=[1,2]", "b=3"]. */
export function splitTopLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function enclosed(text: string, open: string, close: string, what: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith(open) || !trimmed.endsWith(close))
    throw new UserError(`${what}: expected ${open}…${close}, got '${text}'`);
  const inner = trimmed.slice(1, -1);
  return inner.trim() === '' ? [] : inner.split(',');
}

function numberList(text: string, what: string): number[] {
  return enclosed(text, '[', ']', what).map((item) => number(item, what));
}

function gainPairs(text: string, what: string): GainPairs {
  return enclosed(text, '{', '}', what).map((item) => {
    const [grade = '', gain, ...rest] = item.split(':');
    if (gain === undefined || rest.length > 0 || !/^\s*[+-]?\d+\s*$/.test(grade))
      throw new UserError(`${what}: '${item}' is not grade:gain (an integer grade)`);
    return [Number(grade), number(gain, what)] as const;
  });
}

function utilityWeights(text: string, what: string): UtilityWeights {
  const list = numberList(text, what);
  if (list.length !== 4) throw new UserError(`${what}: needs 4 weights, got ${list.length}`);
  return list as unknown as UtilityWeights;
}

function wholeNumber(text: string, what: string, min: number): number {
  const value = number(text, what);
  if (!Number.isInteger(value) || value < min)
    throw new UserError(`${what}: must be a whole number ≥ ${min}`);
  return value;
}

/** A string as written, or quoted as Python prints it. */
function unquoted(text: string): string {
  return text.trim().replace(/^(['"])(.*)\1$/, '$2');
}

function flag(text: string, what: string): boolean {
  const value = unquoted(text).toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UserError(`${what}: '${text}' is not true or false`);
}

const DCG_GAINS: readonly DcgGain[] = ['log2', 'exp-log2'];

function dcgGain(text: string, what: string): DcgGain {
  const value = unquoted(text) as DcgGain;
  if (!DCG_GAINS.includes(value))
    throw new UserError(`${what}: '${text}' is not one of ${DCG_GAINS.join(', ')}`);
  return value;
}

const READERS: { [P in ParamName]-?: (text: string, what: string) => NonNullable<MeasureParams[P]> } = {
  gains: gainPairs,
  p: number,
  beta: number,
  levels: (text, what) => {
    const list = numberList(text, what);
    if (list.length === 0) throw new UserError(`${what}: needs at least one recall level`);
    return list;
  },
  weights: utilityWeights,
  docs: (text, what) => wholeNumber(text, what, 0),
  dcg: dcgGain,
  max_rel: (text, what) => wholeNumber(text, what, 1),
  rel: (text, what) => wholeNumber(text, what, 0),
  judged_only: flag,
};

/** Parameters that may stand alone, meaning true. */
const FLAGS: readonly ParamName[] = ['judged_only'];

/** `gains=exp` (and `gains=linear`): another way to choose nDCG's gains, read as `dcg=`. */
const GAIN_WORDS: Record<string, DcgGain> = { exp: 'exp-log2', exponential: 'exp-log2', linear: 'log2' };

/** Splits "key=value" (a flag alone is "key=true"), turning `gains=exp` into `dcg=exp-log2`. */
function keyValue(part: string, allowed: readonly ParamName[]): [key: string, value: string] {
  const eq = part.indexOf('=');
  const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
  if (eq < 0) return [key, FLAGS.includes(key as ParamName) ? 'true' : ''];
  const value = part.slice(eq + 1);
  const word = GAIN_WORDS[unquoted(value).toLowerCase()];
  if (key === 'gains' && word !== undefined && allowed.includes('dcg')) return ['dcg', word];
  return [key, value];
}

/** Reads "beta=2" or "p=0.8,gains={1:3}" for a measure that accepts `allowed`. */
export function parseParams(measure: string, text: string, allowed: readonly ParamName[]): MeasureParams {
  const params: Record<string, unknown> = {};
  for (const part of splitTopLevel(text)) {
    const [key, value] = keyValue(part, allowed);
    if (!(allowed as readonly string[]).includes(key)) {
      const accepted = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw new UserError(`measure '${measure}': unknown parameter '${part.trim()}' (accepted: ${accepted})`);
    }
    if (value === '')
      throw new UserError(`measure '${measure}': parameter '${key}' needs a value (${key}=…)`);
    if (key in params) throw new UserError(`measure '${measure}': parameter '${key}' given twice`);
    params[key] = READERS[key as ParamName](value, `measure '${measure}', ${key}`);
  }
  return params as MeasureParams;
}

function formatValue(key: ParamName, value: NonNullable<MeasureParams[ParamName]>): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
    return String(value);
  if (key === 'gains')
    return `{${(value as GainPairs).map(([grade, gain]) => `${grade}:${gain}`).join(',')}}`;
  return `[${(value as readonly number[]).join(',')}]`;
}

/** "(p=0.8,gains={1:3})" in the order of `order`, or "" without parameters: the canonical form in a name. */
export function formatParams(params: MeasureParams, order: readonly ParamName[]): string {
  const parts = order.flatMap((key) => {
    const value = params[key];
    return value === undefined ? [] : [`${key}=${formatValue(key, value)}`];
  });
  return parts.length === 0 ? '' : `(${parts.join(',')})`;
}
