import { type AttemptFailure, excerpt, FailedAttempt } from '../../transport/retry.js';

/** What a /v1/embeddings answer holds once read: the vectors in input order, and the tokens it billed. */
export interface EmbeddingsAnswer {
  vectors: Float32Array;
  tokens?: number;
}

/**
 * A 200 answer whose vectors cannot be used: retried like a 5xx (a flaky replica, a cut body), and named
 * by the inputs involved when it persists.
 */
export class BadAnswer extends FailedAttempt {
  override readonly name: string = 'BadAnswer';

  constructor(
    failure: AttemptFailure,
    /** Positions in the request of the inputs whose vectors were bad (empty when the whole answer was). */
    readonly inputs: readonly number[],
    /** When every vector had this one wrong length: the config may be wrong, if it happens again. */
    readonly wrongLength?: number,
  ) {
    super(failure);
  }
}

/** What is wrong with one vector, or undefined when it can be used. */
type VectorProblem = 'not numbers' | 'not finite' | 'zero' | { length: number };

/**
 * The embeddings of a 200 answer, by index. Anything that makes the answer unusable is a BadAnswer, retried:
 * a body that cannot be read (not JSON, embeddings missing or repeated), a component that is NaN or
 * infinite, a zero vector (no direction: every cosine with it is 0 or NaN, and ranking by it is arbitrary),
 * vectors of another size than configured. `NaN` and `Infinity` written bare in the JSON (as Python's json
 * module does) are read as such, so the inputs involved can be named.
 */
export function readEmbeddingsAnswer(text: string, count: number, dimensions: number): EmbeddingsAnswer {
  const malformed = (problem: string) => new BadAnswer({ retryable: true, problem, status: 200 }, []);
  const body = parseLenient(text);
  if (body === undefined) throw malformed(`the answer is not JSON: ${excerpt(text)}`);
  const data = field(body, 'data');
  if (!Array.isArray(data)) throw malformed(`the answer has no "data" array: ${excerpt(text)}`);
  if (data.length !== count) throw malformed(`the answer has ${data.length} embeddings for ${count} inputs`);
  const vectors = new Float32Array(count * dimensions);
  const seen = new Uint8Array(count);
  const problems = new Map<number, VectorProblem>();
  data.forEach((item, position) => {
    const index = field(item, 'index') ?? position;
    if (!(Number.isInteger(index) && (index as number) >= 0 && (index as number) < count)) {
      throw malformed(`embedding ${position} has index ${JSON.stringify(index)} (expected 0–${count - 1})`);
    }
    const at = index as number;
    if (seen[at] === 1) throw malformed(`index ${at} appears twice in the answer`);
    seen[at] = 1;
    const problem = writeEmbedding(field(item, 'embedding'), vectors, at * dimensions, dimensions);
    if (problem !== undefined) problems.set(at, problem);
  });
  if (problems.size > 0) throw badVectors(problems, count, dimensions);
  const usage = field(body, 'usage');
  const tokens = field(usage, 'total_tokens') ?? field(usage, 'prompt_tokens');
  return typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 0
    ? { vectors, tokens }
    : { vectors };
}

/** One BadAnswer for every bad vector of an answer, grouped by what is wrong with them. */
function badVectors(problems: Map<number, VectorProblem>, count: number, dimensions: number): BadAnswer {
  const groups = new Map<string, number[]>();
  const lengths = new Set<number>();
  for (const [at, problem] of [...problems].sort((a, b) => a[0] - b[0])) {
    let what: string;
    if (typeof problem === 'object') {
      lengths.add(problem.length);
      what = `${problem.length} numbers instead of ${dimensions}`;
    } else if (problem === 'zero') what = 'a zero vector';
    else if (problem === 'not finite') what = 'a NaN or infinite component';
    else what = 'no list of numbers';
    groups.set(what, [...(groups.get(what) ?? []), at]);
  }
  const problem = [...groups]
    .map(([what, inputs]) => `${what} for input${inputs.length === 1 ? '' : 's'} #${inputs.join(', #')}`)
    .join('; ');
  const everyOne = problems.size === count && lengths.size === 1 && groups.size === 1;
  return new BadAnswer(
    { retryable: true, problem: `unusable vectors in the answer: ${problem}`, status: 200 },
    [...problems.keys()].sort((a, b) => a - b),
    everyOne ? ([...lengths][0] as number) : undefined,
  );
}

/** JSON, with bare NaN / Infinity / -Infinity (outside strings) read as numbers; undefined when unreadable. */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Only worth a second look when such a literal is there at all.
    if (!/NaN|Infinity/.test(text)) return undefined;
  }
  const literal = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;
  const marked = text.replace(literal, (token) => (token.startsWith('"') ? token : `"\\u0000${token}"`));
  try {
    return JSON.parse(marked, (_key, value: unknown) => {
      if (value === '\u0000NaN') return Number.NaN;
      if (value === '\u0000Infinity') return Number.POSITIVE_INFINITY;
      if (value === '\u0000-Infinity') return Number.NEGATIVE_INFINITY;
      return value;
    });
  } catch {
    return undefined;
  }
}

/**
 * Copies one embedding (a list of numbers, or base64 little-endian float32 as the API sends on request)
 * into `out`; returns what is wrong with it, if anything.
 */
function writeEmbedding(
  embedding: unknown,
  out: Float32Array,
  offset: number,
  dimensions: number,
): VectorProblem | undefined {
  let length: number;
  let read: (j: number) => unknown;
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) return 'not numbers';
    length = bytes.length / 4;
    read = (j) => bytes.readFloatLE(j * 4);
  } else if (Array.isArray(embedding)) {
    length = embedding.length;
    read = (j) => embedding[j];
  } else {
    return 'not numbers';
  }
  if (length !== dimensions) return { length };
  let norm = 0;
  for (let j = 0; j < dimensions; j++) {
    const value = read(j);
    if (typeof value !== 'number') return 'not numbers';
    if (!Number.isFinite(value)) return 'not finite';
    out[offset + j] = value;
    // A finite double can still overflow a float32.
    if (!Number.isFinite(out[offset + j] as number)) return 'not finite';
    norm += value * value;
  }
  if (!Number.isFinite(norm)) return 'not finite';
  return norm === 0 ? 'zero' : undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
