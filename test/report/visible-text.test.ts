import { describe, expect, it } from 'vitest';
import { inert } from '../../src/report/gate-markdown.js';
import { alignColumns } from '../../src/text-columns.js';
import { printable, revealBidi, revealBidiDeep } from '../../src/visible-text.js';

describe('bidirectional formatting characters are shown, not obeyed', () => {
  it('marks every embedding, override, isolate and mark by its code point', () => {
    expect(revealBidi('D\u202Eevil\u202Cgnp.exe')).toBe('D⟨U+202E⟩evil⟨U+202C⟩gnp.exe');
    for (const c of [
      '\u061c',
      '\u200e',
      '\u200f',
      '\u202a',
      '\u202b',
      '\u202d',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ])
      expect(revealBidi(`a${c}b`)).toMatch(/^a⟨U\+[0-9A-F]{4}⟩b$/);
    // Text without them is untouched, joiners of emoji sequences included.
    expect(revealBidi('café 👩‍💻 𝔸')).toBe('café 👩‍💻 𝔸');
  });

  it('reveals strings deep inside the values a template draws', () => {
    expect(revealBidiDeep({ rows: [['x\u202Ey', 3]], title: '\u2066t', flag: true })).toEqual({
      rows: [['x⟨U+202E⟩y', 3]],
      title: '⟨U+2066⟩t',
      flag: true,
    });
  });

  it('in every Markdown output (the CI summary, report.md, compare)', () => {
    expect(inert('sys\u202Eexe.txt')).toBe('sys⟨U+202E⟩exe.txt');
  });
});

describe('user text on a terminal or CI log line', () => {
  it('shows control characters as escapes and bidi characters as marks', () => {
    expect(printable('a\nb\r\tc\u001b[31md\u007f\u009b')).toBe('a\\nb\\r\\tc\\x1b[31md\\x7f\\x9b');
    expect(printable('x\u202Ey')).toBe('x⟨U+202E⟩y');
    expect(printable('plain é 𝔸')).toBe('plain é 𝔸');
  });

  it('keeps a table row on one line whatever its cells hold', () => {
    const table = alignColumns(['system', 'value'], [['a\n::error::x', '1']]);
    expect(table.rows).toEqual(['a\\n::error::x  1']);
  });
});
