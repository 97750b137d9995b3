import { UserError } from '../errors.js';

/** A CSV record: its fields and the line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Splits CSV text (RFC 4180: comma-separated, double-quoted fields with "" for a quote, CRLF or LF) into
 * records; blank lines are skipped. An unterminated quote is reported at the line it opened on.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quotedFrom: number | undefined;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endRecord = (): void => {
    fields.push(field);
    if (fields.length > 1 || (fields[0] ?? '').trim() !== '') records.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quotedFrom !== undefined) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quotedFrom = undefined;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quotedFrom = line;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quotedFrom !== undefined)
    throw new UserError('a quoted field is never closed', { file, line: quotedFrom });
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
