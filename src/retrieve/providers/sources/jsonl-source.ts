import { readJsonl } from '../../../dataset/jsonl.js';
import { UserError } from '../../../errors.js';
import { contentDigest, visitInPages } from './records.js';
import type { Source, SourceRecord } from './source.js';

/** A line of a JSONL source (source-record.schema.json). */
interface SourceLine {
  id: string;
  content: string;
  updated_at?: string | null;
  deleted_at?: string | null;
}

/**
 * A JSONL export as a source: `{ id, content, updated_at?, deleted_at? }` per line, digests computed here.
 * The file is streamed: records() holds ids and digests, contents() reads it again for the ids asked.
 * Every error names the file and the line.
 */
export function jsonlSource(file: string, description = file): Source {
  return {
    description,
    async records(visit) {
      const lines = new Map<string, number>();
      const records: SourceRecord[] = [];
      readJsonl<SourceLine>(file, 'source-record', (record, line) => {
        const first = lines.get(record.id);
        if (first !== undefined) {
          throw new UserError(`id '${record.id}' is also on line ${first}`, { file, line, field: 'id' });
        }
        lines.set(record.id, line);
        const at = (field: 'updated_at' | 'deleted_at') => timeOf(record[field], { file, line, field });
        records.push({
          id: record.id,
          digest: contentDigest(record.content),
          updatedAt: at('updated_at'),
          deleted: at('deleted_at') !== null,
        });
      });
      return visitInPages(records, visit);
    },
    async contents(ids) {
      const wanted = new Set(ids);
      const found = new Map<string, string>();
      readJsonl<SourceLine>(file, 'source-record', (record) => {
        if (wanted.has(record.id) && record.deleted_at == null) found.set(record.id, record.content);
      });
      return found;
    },
    async close() {},
  };
}

/** Date, optional time, optional zone: 2024-05-01, 2024-05-01T10:00:00.5Z, 2024-05-01 10:00:00+02 (PostgreSQL's text). */
const ISO_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 time as ms since the epoch. Without a zone it is UTC, as the postgres source reads a
 * `timestamp without time zone` (Date.parse would take the machine's local zone).
 */
function timeOf(
  text: string | null | undefined,
  where: { file: string; line: number; field: string },
): number | null {
  if (text == null) return null;
  const [, date, time = '00:00', zone = 'Z'] = ISO_TIME.exec(text) ?? [];
  const offset = zone.replace(
    /^([+-]\d{2}):?(\d{2})?$/,
    (_, hours: string, minutes = '00') => `${hours}:${minutes}`,
  );
  const ms = date === undefined ? Number.NaN : Date.parse(`${date}T${time}${offset}`);
  if (Number.isNaN(ms))
    throw new UserError(`not an ISO 8601 time (e.g. 2024-05-01T10:00:00Z): ${text}`, where);
  return ms;
}
