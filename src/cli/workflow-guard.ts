import type { OutputStream } from './io.js';

/**
 * CI runners obey workflow commands on their logs: a line of output that starts with `::` (GitHub Actions'
 * `::error file=…::`, `::add-mask::`, `::stop-commands::`…). User text reaches our output (a query id with a
 * newline in it, a system name, a path), so every stream a command writes to goes through this guard: a line
 * that would start with `::` (after blanks) is shown with a backslash first, `\::error …`, which no runner
 * reads as a command. The tool's own annotations are written past it, by `Cli.annotate`.
 */
export function guardWorkflowCommands(stream: OutputStream): OutputStream {
  let atLineStart = true;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))
      return stream.write(chunk as string, ...(rest as []));
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const { guarded, endsAtLineStart } = neutralize(text, atLineStart);
    atLineStart = endsAtLineStart;
    return stream.write(guarded, ...(rest as []));
  };
  return new Proxy(stream, {
    get(target, property, receiver) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Blanks at a line's start, then `::`: what a runner would take for a command. */
const COMMAND_AT_LINE_START = /(^|[\n\r])([ \t]*)::/g;

/**
 * The text with every line start that reads as a workflow command escaped. `atLineStart`: what was written
 * before ends a line, or a line of blanks only; the result says the same of the text's end.
 */
export function neutralize(
  text: string,
  atLineStart: boolean,
): { guarded: string; endsAtLineStart: boolean } {
  const guarded = text.replace(
    COMMAND_AT_LINE_START,
    (match: string, start: string, blanks: string, offset: number) =>
      offset === 0 && start === '' && !atLineStart ? match : `${start}${blanks}\\::`,
  );
  const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  const tail = text.slice(lastBreak + 1);
  const blanksOnly = /^[ \t]*$/.test(tail);
  return { guarded, endsAtLineStart: blanksOnly && (lastBreak >= 0 || atLineStart) };
}
