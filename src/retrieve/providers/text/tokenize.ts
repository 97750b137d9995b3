/**
 * Tokenisation for lexical scoring (BM25 index and reranker). Documents and queries go through the same
 * steps, so a word matches itself whatever its Unicode spelling:
 *
 * 1. Unicode NFKC: composed accents ("e" + U+0301 → "é"), compatibility forms ("ﬁ" → "fi", full-width
 *    "Ａ１" → "A1").
 * 2. Lowercase (locale-independent `toLowerCase`).
 * 3. Tokens are runs of letters and digits (`\p{L}`, `\p{N}`); combining marks (`\p{M}`) stay inside the
 *    token they follow, so scripts whose vowels are marks (Devanagari, Thai...) are not cut mid-word.
 *    Everything else separates tokens: "don't" → "don", "t"; "3.5" → "3", "5".
 *    For alphabetic scripts (Latin, Greek, Cyrillic...) whose accents NFKC composes, this is exactly
 *    `/[\p{L}\p{N}]+/gu`, the rule the example dataset's runs were made with.
 * 4. Han ideographs and Hiragana are one token per character, as Lucene's StandardTokenizer (UAX #29)
 *    emits them: Chinese and Japanese write no spaces, so a run would be a whole clause and never match a
 *    query word. Katakana and Hangul words stay whole, as there.
 * 5. Stopwords (STOPWORDS by default) are dropped.
 *
 * No stemming: "brake" and "brakes" are different terms. Pure functions, no state.
 */

/**
 * The default English stopwords (58): articles, prepositions, conjunctions, pronouns, auxiliaries and
 * question words, which carry no topic in queries ("how do I fix my brakes"): Lucene's English stop set
 * but "such", plus the pronouns, auxiliaries and question words people type in questions. It is the list
 * the example dataset's BM25 run was made with (datasets/bike-repair/1.0.0/SOURCE.md), so the BM25 index
 * reproduces that run. Kept small on purpose: a long list removes words that matter in some corpora.
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'can',
  'do',
  'does',
  'for',
  'from',
  'has',
  'have',
  'how',
  'i',
  'if',
  'in',
  'into',
  'is',
  'it',
  'its',
  'me',
  'my',
  'no',
  'not',
  'of',
  'on',
  'or',
  'our',
  'so',
  'than',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'too',
  'up',
  'was',
  'we',
  'what',
  'when',
  'where',
  'which',
  'while',
  'who',
  'why',
  'will',
  'with',
  'you',
  'your',
]);

/** The same set under its earlier name. */
export const ENGLISH_STOPWORDS = STOPWORDS;

export interface TokenizeOptions {
  /** Tokens to drop, compared after normalisation and lowercasing. Default STOPWORDS; pass an empty set to keep every token. */
  stopwords?: ReadonlySet<string>;
}

/**
 * A Han ideograph or a Hiragana character (one token each), or a run of other letters and digits with the
 * combining marks that follow them. Built with `new RegExp` because the `v` flag (set subtraction) is
 * newer than the compile target's regex checks; Node 20 supports it.
 */
const SINGLE_CHARACTER = '[\\p{sc=Han}\\p{sc=Hiragana}]';
const TOKEN = new RegExp(
  `[${SINGLE_CHARACTER}&&[\\p{L}\\p{N}]]|[[\\p{L}\\p{N}]--${SINGLE_CHARACTER}][[\\p{L}\\p{M}\\p{N}]--${SINGLE_CHARACTER}]*`,
  'gv',
);

/** The text's terms in order, repeats kept (term frequencies are counted from them). */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const stopwords = options.stopwords ?? STOPWORDS;
  const tokens = text.normalize('NFKC').toLowerCase().match(TOKEN);
  if (tokens === null) return [];
  return stopwords.size === 0 ? tokens : tokens.filter((token) => !stopwords.has(token));
}
