import { UserError } from '../errors.js';

/**
 * Parses a whole JSON document, reporting a syntax error at its line (V8 reports a character position).
 */
export function parseJsonDocument(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    throw new UserError(`malformed JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, {
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
