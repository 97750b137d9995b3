/** Texts in the report's tables are cut here, so one long line cannot stretch a PR comment's table. */
export const TEXT_SHOWN = 100;

/** The first line of `text`, cut at `width` characters (before escaping, so no escape is cut in two). */
export function clip(text: string, width = TEXT_SHOWN): string {
  const line = text.split(/\r\n|[\r\n]/)[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
