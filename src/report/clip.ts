/** Texts in the report's tables are cut here, so one long line cannot stretch a PR comment's table. */
export const TEXT_SHOWN = 100;

/**
 * The first line of `text`, cut at `width` characters (before escaping, so no escape is cut in two), and
 * never inside an astral character: half of its surrogate pair would be written as U+FFFD.
 */
export function clip(text: string, width = TEXT_SHOWN): string {
  const line = text.split(/\r\n|[\r\n]/)[0] ?? '';
  if (line.length <= width) return line;
  const cut = isHighSurrogate(line.charCodeAt(width - 2)) ? width - 2 : width - 1;
  return `${line.slice(0, cut)}…`;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit < 0xdc00;
}
