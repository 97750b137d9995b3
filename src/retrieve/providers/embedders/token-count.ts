import { createRequire } from 'node:module';
import type { OpenAiSettings } from '../../../config/types.js';

/** Counts and cuts texts the way a provider bills and limits them. */
export interface TokenCounter {
  /** "cl100k_base", "o200k_base" or "estimate/4" (chars per token): part of cache versions that truncate. */
  readonly name: string;
  count(text: string): number;
  /** The longest prefix of `text` that counts at most `limit` tokens (the text itself when it fits). */
  truncate(text: string, limit: number): string;
}

interface Encoding {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(tokens: Iterable<number>): string;
}

/**
 * Text such as "<|endoftext|>" is ordinary input to the embeddings endpoint: counted as plain text, never
 * refused (gpt-tokenizer throws on special tokens by default).
 */
const PLAIN = { disallowedSpecial: new Set<string>() };

/** Counts kept per counter; past this many distinct texts the memo starts over (a bound, not a tuning knob). */
const MEMO_LIMIT = 1_000_000;

const require = createRequire(import.meta.url);
const encodings = new Map<string, Encoding>();

/**
 * Loaded on first use, synchronously: each encoding's tables take ~100 ms to load, which runs that never
 * embed through OpenAI should not pay.
 */
function encoding(name: 'cl100k_base' | 'o200k_base'): Encoding {
  let loaded = encodings.get(name);
  if (loaded === undefined) {
    loaded = require(`gpt-tokenizer/cjs/encoding/${name}`) as Encoding;
    encodings.set(name, loaded);
  }
  return loaded;
}

/**
 * A counter for the configured tokenizer. Real tokenizers memoise each text's count, because a run counts
 * the same texts several times (checking them, sizing batches, reserving rate budget): 200,000 texts of
 * ~50 tokens take about 0.7 s to count once.
 */
export function tokenCounter(tokenizer: OpenAiSettings['tokenizer'], charsPerToken: number): TokenCounter {
  if (tokenizer === 'estimate') return new EstimatedCounter(charsPerToken);
  return new BpeCounter(tokenizer, encoding(tokenizer));
}

class BpeCounter implements TokenCounter {
  private readonly memo = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly bpe: Encoding,
  ) {}

  count(text: string): number {
    let count = this.memo.get(text);
    if (count === undefined) {
      count = this.bpe.encode(text, PLAIN).length;
      this.remember(text, count);
    }
    return count;
  }

  truncate(text: string, limit: number): string {
    const tokens = this.bpe.encode(text, PLAIN);
    if (tokens.length <= limit) return text;
    // Cut at a token boundary. A cut inside a multi-byte character decodes to U+FFFD (no longer a prefix),
    // and re-encoding a prefix can merge differently: step back until the prefix is exact and fits.
    for (let n = limit; n > 0; n--) {
      const prefix = this.bpe.decode(tokens.slice(0, n));
      if (!text.startsWith(prefix)) continue;
      const count = this.bpe.encode(prefix, PLAIN).length;
      if (count <= limit) {
        this.remember(prefix, count);
        return prefix;
      }
    }
    return '';
  }

  private remember(text: string, count: number): void {
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(text, count);
  }
}

/** For servers whose tokenizer is unknown here: ceil(length ÷ charsPerToken), cut by characters. */
class EstimatedCounter implements TokenCounter {
  readonly name: string;

  constructor(private readonly charsPerToken: number) {
    if (!(charsPerToken > 0)) throw new RangeError(`charsPerToken must be positive, got ${charsPerToken}`);
    this.name = `estimate/${charsPerToken}`;
  }

  count(text: string): number {
    return Math.ceil(text.length / this.charsPerToken);
  }

  truncate(text: string, limit: number): string {
    if (this.count(text) <= limit) return text;
    let end = Math.floor(limit * this.charsPerToken);
    // Never split a surrogate pair: half a character is not text.
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    return text.slice(0, end);
  }
}
