/** Texts in the report's tables are cut here, so one long line cannot stretch a PR comment's table. */
export const TEXT_SHOWN = 100;

/** The first line of `text`, cut at `width` characters (see cut). */
export function clip(text: string, width = TEXT_SHOWN): string {
  return cut(text.split(/\r\n|[\r\n]/)[0] ?? '', width);
}

/**
 * `text` cut at `width` characters with an ellipsis (before escaping, so no escape is cut in two), and
 * never inside an astral character: half of its surrogate pair would be written as U+FFFD.
 */
export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  const end = isHighSurrogate(text.charCodeAt(width - 2)) ? width - 2 : width - 1;
  return `${text.slice(0, end)}…`;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit < 0xdc00;
}
