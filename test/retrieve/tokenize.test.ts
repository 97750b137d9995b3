import { describe, expect, it } from 'vitest';
import { ENGLISH_STOPWORDS, tokenize } from '../../src/retrieve/providers/text/tokenize.js';

describe('tokenize', () => {
  it('lowercases and splits on everything that is not a letter or digit', () => {
    expect(tokenize('Replace the BRAKE-pads (2x), then re-check!')).toEqual([
      'replace',
      'brake',
      'pads',
      '2x',
      're',
      'check',
    ]);
  });

  it('drops English stopwords by default and keeps them on request', () => {
    expect(tokenize('How do I fix my brakes?')).toEqual(['fix', 'brakes']);
    expect(tokenize('How do I fix my brakes?', { stopwords: new Set() })).toEqual([
      'how',
      'do',
      'i',
      'fix',
      'my',
      'brakes',
    ]);
    expect(tokenize('the brakes', { stopwords: new Set(['brakes']) })).toEqual(['the']);
  });

  it('has a small stopword list of lowercase words', () => {
    expect(ENGLISH_STOPWORDS.size).toBeGreaterThanOrEqual(40);
    expect(ENGLISH_STOPWORDS.size).toBeLessThanOrEqual(80);
    for (const word of ENGLISH_STOPWORDS) expect(tokenize(word, { stopwords: new Set() })).toEqual([word]);
  });

  it('does not stem', () => {
    expect(tokenize('brake brakes braking')).toEqual(['brake', 'brakes', 'braking']);
  });

  it('gives the same terms for composed and decomposed accents (NFKC)', () => {
    expect(tokenize('Café')).toEqual(['café']);
    expect(tokenize('CAFE\u0301')).toEqual(['café']);
    expect(tokenize('Crème brûlée')).toEqual(['crème', 'brûlée']);
  });

  it('folds compatibility forms: ligatures, full-width letters and digits, superscripts', () => {
    expect(tokenize('ﬁx Ｍ５ x²')).toEqual(['fix', 'm5', 'x2']);
  });

  it('splits Han ideographs and Hiragana into single characters and keeps Katakana and Hangul words', () => {
    expect(tokenize('自行车刹车')).toEqual(['自', '行', '车', '刹', '车']);
    expect(tokenize('ブレーキを調整')).toEqual(['ブレーキ', 'を', '調', '整']);
    expect(tokenize('자전거 브레이크')).toEqual(['자전거', '브레이크']);
  });

  it('keeps combining vowel signs inside words (Devanagari)', () => {
    expect(tokenize('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
  });

  it('returns no terms for empty text or punctuation only', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' -- !? ')).toEqual([]);
  });
});
