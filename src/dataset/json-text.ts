import { UserError } from '../errors.js';

/**
 * Parses a whole JSON document, reporting a syntax error at its line (V8 reports a character position).
 */
export function parseJsonDocument(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names a position for some errors only ("Unexpected token '}', …" has none): the scan finds it.
    const position = Number(/at position (\d+)/.exec(message)?.[1] ?? syntaxErrorOffset(text));
    const line = text.slice(0, position).split('\n').length;
    throw new UserError(`malformed JSON: ${shortMessage(message)}`, {
      file,
      line,
    });
  }
}

/** Parses one JSONL line, which must hold a JSON object. */
export function parseJsonLine(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `malformed JSON: ${(error as Error).message.replace(/ in JSON at position (\d+).*$/, ' (column $1)')}`,
      {
        file,
        line,
      },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(
      `each line must be a JSON object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      {
        file,
        line,
      },
    );
  }
  return value as Record<string, unknown>;
}

/** V8's message without its position or its copy of the text ("…", "{ … }" is not valid JSON). */
function shortMessage(message: string): string {
  return message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
}

/**
 * The offset of the first syntax error in a JSON text, by a scan of its grammar (error path only; the text
 * is known not to parse): where a value, a key, ':' or ',' was wanted and something else stood.
 */
export function syntaxErrorOffset(text: string): number {
  let i = 0;
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const string = (): void => {
    if (text.charAt(i) !== '"') fail();
    i++;
    while (i < text.length && text.charAt(i) !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text.charAt(i) === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    space();
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          string();
          space();
          if (text.charAt(i) !== ':') fail();
          i++;
        }
        value();
        space();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        if (text.charAt(i) !== close) fail();
        i++;
        return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) fail();
    i += (literal as RegExpExecArray)[0].length;
  };
  try {
    value();
    space();
    return i < text.length ? i : text.length;
  } catch (offset) {
    return Math.min(Number(offset), text.length);
  }
}
