import { UserError } from '../../errors.js';
import { readUtf8File } from '../../utf8.js';
import { checkIdText } from '../ids.js';
import type { QueryRecord } from '../types.js';

/**
 * TREC topics in their SGML-ish form (`<top> <num> Number: 301 <title> … <desc> Description: … </top>`,
 * tags unclosed but `</top>`): each topic's number is the query id and its title the text (the `title`
 * runs TREC reports), with the description as the text where a topic has no title.
 */
export function readTrecTopics(path: string): Map<string, QueryRecord> {
  const text = readUtf8File(path);
  const queries = new Map<string, QueryRecord>();
  const topic = /<top>([\s\S]*?)<\/top>/gi;
  for (let match = topic.exec(text); match; match = topic.exec(text)) {
    const body = match[1] as string;
    const line = text.slice(0, match.index).split('\n').length;
    const id = field(body, 'num')?.replace(/^Number:\s*/i, '');
    if (!id) throw new UserError('a topic without a <num>', { file: path, line, field: 'num' });
    checkIdText(id, 'topic number', { file: path, line, field: 'num' });
    const title = field(body, 'title')?.replace(/^Topic:\s*/i, '');
    const description = field(body, 'desc')?.replace(/^Description:\s*/i, '');
    const query = title || description;
    if (!query)
      throw new UserError(`topic ${id} has neither <title> nor <desc> text`, {
        file: path,
        line,
        field: 'title',
      });
    if (queries.has(id)) throw new UserError(`topic ${id} appears twice`, { file: path, line, field: 'num' });
    queries.set(id, { id, text: query });
  }
  if (queries.size === 0) throw new UserError('no <top> … </top> topics found', { file: path });
  return queries;
}

/** A tag's text, up to the next tag (TREC leaves them unclosed), whitespace collapsed. */
function field(body: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)`, 'i').exec(body);
  const value = match?.[1]?.replace(/\s+/g, ' ').trim();
  return value === '' ? undefined : value;
}

/** Whether a file's first line opens a TREC topic. */
export function looksLikeTopics(firstLine: string | undefined): boolean {
  return firstLine?.toLowerCase().startsWith('<top>') === true;
}
