import { excerpt, FailedAttempt } from '../../transport/retry.js';

/** What a /v1/embeddings answer holds once read: the vectors in input order, and the tokens it billed. */
export interface EmbeddingsAnswer {
  vectors: Float32Array;
  tokens?: number;
}

/**
 * The embeddings of a 200 answer, by index. A body that cannot be read (not JSON, embeddings missing,
 * repeated or not finite) is retried: that is what a flaky proxy or a cut connection produces, and the
 * next attempt usually succeeds. Vectors of another size than configured fail at once: that is the
 * config's mistake, and every retry would repeat it.
 */
export function readEmbeddingsAnswer(
  text: string,
  count: number,
  dimensions: number,
  sendDimensions: boolean,
): EmbeddingsAnswer {
  const malformed = (problem: string) => new FailedAttempt({ retryable: true, problem, status: 200 });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed(`the answer is not JSON: ${excerpt(text)}`);
  }
  const data = field(body, 'data');
  if (!Array.isArray(data)) throw malformed(`the answer has no "data" array: ${excerpt(text)}`);
  if (data.length !== count) throw malformed(`the answer has ${data.length} embeddings for ${count} inputs`);
  const vectors = new Float32Array(count * dimensions);
  const seen = new Uint8Array(count);
  data.forEach((item, position) => {
    const index = field(item, 'index') ?? position;
    if (!(Number.isInteger(index) && (index as number) >= 0 && (index as number) < count)) {
      throw malformed(`embedding ${position} has index ${JSON.stringify(index)} (expected 0–${count - 1})`);
    }
    const at = index as number;
    if (seen[at] === 1) throw malformed(`index ${at} appears twice in the answer`);
    seen[at] = 1;
    const length = writeEmbedding(field(item, 'embedding'), vectors, at * dimensions, dimensions);
    if (length === undefined) throw malformed(`embedding ${at} is not a list of finite numbers`);
    if (length !== dimensions) {
      if (position > 0) throw malformed(`embedding ${at} has ${length} numbers, the others ${dimensions}`);
      throw new FailedAttempt({
        retryable: false,
        status: 200,
        problem: `the model returned ${length}-dimensional vectors but the config says dimensions: ${dimensions}; ${
          sendDimensions
            ? 'this model or server may not shorten vectors: set dimensions to its output size'
            : 'set dimensions to the output size, or sendDimensions: true if the model shortens its vectors'
        }`,
      });
    }
  });
  const usage = field(body, 'usage');
  const tokens = field(usage, 'total_tokens') ?? field(usage, 'prompt_tokens');
  return typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 0
    ? { vectors, tokens }
    : { vectors };
}

/**
 * Copies one embedding (a list of numbers, or base64 little-endian float32 as the API sends on request)
 * into `out` if it has `dimensions` values; returns its length, or undefined when it is not finite numbers.
 */
function writeEmbedding(
  embedding: unknown,
  out: Float32Array,
  offset: number,
  dimensions: number,
): number | undefined {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) return undefined;
    const length = bytes.length / 4;
    if (length !== dimensions) return length;
    for (let j = 0; j < length; j++) {
      const value = bytes.readFloatLE(j * 4);
      if (!Number.isFinite(value)) return undefined;
      out[offset + j] = value;
    }
    return length;
  }
  if (!Array.isArray(embedding)) return undefined;
  if (embedding.length !== dimensions) return embedding.length;
  for (let j = 0; j < dimensions; j++) {
    const value: unknown = embedding[j];
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    out[offset + j] = value;
  }
  return dimensions;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
