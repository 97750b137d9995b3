/**
 * Bidirectional formatting characters (embeddings, overrides, isolates, marks) reorder the text around them
 * without showing themselves: an id `D‮evil‬gnp.exe` reads as "Dlivegnp.exe". Wherever user text is shown,
 * each is replaced by a visible mark naming it, ⟨U+202E⟩. The report page's script (page/dom.js) does the
 * same with the same set.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function revealBidi(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `⟨U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}

/** Every string inside a value (objects, arrays) with its bidi characters revealed; other values as they are. */
export function revealBidiDeep<T>(value: T): T {
  if (typeof value === 'string') return revealBidi(value) as T;
  if (Array.isArray(value)) return value.map(revealBidiDeep) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealBidiDeep(v)])) as T;
  return value;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * User text for one line of a terminal or CI log: control characters (line breaks, escape sequences that
 * move the cursor or recolour the log) shown as escapes (`\n`, `\x1b`), bidi characters as marks.
 */
export function printable(text: string): string {
  return revealBidi(text).replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => ESCAPES[c] ?? `\\x${(c.codePointAt(0) as number).toString(16).padStart(2, '0')}`,
  );
}
