import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Qrels } from '../../metrics/types.js';
import { readUtf8File } from '../../utf8.js';
import { checkIdText } from '../ids.js';
import { addJudgment } from '../judgments.js';
import type { DatasetContent, DocumentRecord, QueryRecord } from '../types.js';

/**
 * How the 3-column relevance codes of Cranfield's `cranqrel` become grades. Its readme (quoting Cleverdon)
 * reads 1 as a complete answer down to 4, minimum interest, so `cleverdon` turns code c into grade 5 − c
 * (1 → 4 … 4 → 1) and `-1` into 0 (judged, not relevant); `binary` makes every code 1–4 a 1 (the binary
 * relevance published Cranfield figures use); `as-written` keeps the codes (ir_datasets' reading, 4 highest).
 */
export type SmartRelevance = 'cleverdon' | 'binary' | 'as-written';

/** A SMART record: its `.I` id, and the text of each field marker (`.T` title, `.W` text, `.A` authors…). */
interface SmartRecord {
  id: string;
  line: number;
  fields: Map<string, string>;
}

/** The files of a SMART collection folder, found by their conventional names. */
interface SmartFiles {
  documents: string;
  queries: string;
  judgments: string;
}

/**
 * Reads a classic test collection in the SMART format: a folder with the documents (`*.ALL`, Cranfield's
 * `cran.all.1400`), the queries (`*.QRY`) and the judgments (`*.REL`, Cranfield's `cranqrel`). Documents
 * keep their `.T` title and `.W` text; queries are their `.T` and `.W` text. Queries without judgments
 * are left out (trec_eval evaluates the judged ones), and said so in the notes.
 */
export function readSmartFolder(
  dir: string,
  relevance: SmartRelevance = 'cleverdon',
): DatasetContent & { notes: string[] } {
  const files = smartFiles(dir);
  const notes: string[] = [];
  const corpus = new Map<string, DocumentRecord>();
  const empty: string[] = [];
  for (const record of readSmartRecords(files.documents)) {
    const title = record.fields.get('T') ?? '';
    // A few Cranfield documents have an empty .W: their title is all the text they have. Two have nothing
    // at all; they stay (empty), since they are judged and part of the collection's 1,400.
    const text = record.fields.get('W') || title;
    if (text === '') empty.push(record.id);
    corpus.set(record.id, { id: record.id, ...(title ? { title } : {}), text });
  }
  if (empty.length > 0) notes.push(`documents without any text, kept empty: ${empty.join(', ')}`);
  const written = readSmartRecords(files.queries);
  const { qrels, layout } = readSmartJudgments(files.judgments, relevance);
  const { queries, numbering } = numberQueries(written, qrels, files);
  const unjudged = [...queries.keys()].filter((id) => !qrels.has(id));
  for (const id of unjudged) queries.delete(id);
  notes.push(
    `documents from ${basename(files.documents)}, queries from ${basename(files.queries)}, judgments from ${basename(files.judgments)}`,
    numbering,
    layout,
  );
  if (unjudged.length > 0)
    notes.push(`${unjudged.length} of ${written.length} queries have no judgments and were left out`);
  return { queries, corpus, qrels, notes };
}

const PATTERNS: Record<keyof SmartFiles, RegExp> = {
  documents: /\.all(\.\d+)?$/i,
  queries: /\.qry$/i,
  judgments: /(\.rel|qrels?)$/i,
};

function smartFiles(dir: string): SmartFiles {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new UserError('not a folder: --from smart reads a folder with the .ALL, .QRY and .REL files', {
      file: dir,
    });
  const names = readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
  const find = (role: keyof SmartFiles): string => {
    const found = names.filter((name) => PATTERNS[role].test(name));
    if (found.length !== 1) {
      const what = `${role} file (${PATTERNS[role].source})`;
      throw new UserError(
        found.length === 0
          ? `no ${what} in the folder`
          : `more than one ${what}: ${found.join(', ')}; keep one in the folder`,
        { file: dir },
      );
    }
    return join(dir, found[0] as string);
  };
  return { documents: find('documents'), queries: find('queries'), judgments: find('judgments') };
}

/** SMART ids are numbers, some zero-padded (`.I 001`); judgments write them without the zeros. */
const numberId = (id: string): string => (/^\d+$/.test(id) ? String(Number(id)) : id);

/** The records of a SMART file: a `.I id` line starts one, a `.X` line starts its field X. */
function readSmartRecords(path: string): SmartRecord[] {
  const records: SmartRecord[] = [];
  let record: SmartRecord | undefined;
  let field: string | undefined;
  readUtf8File(path)
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trimEnd();
      const marker = /^\.([A-Z])(?:\s+(.*))?$/.exec(line);
      if (marker?.[1] === 'I') {
        const where = { file: path, line: index + 1, field: '.I' };
        const id = numberId(checkIdText((marker[2] ?? '').trim(), 'record id', where));
        if (records.some((r) => r.id === id)) throw new UserError(`duplicate record id '${id}'`, where);
        record = { id, line: index + 1, fields: new Map() };
        records.push(record);
        field = undefined;
      } else if (marker) {
        if (!record) throw new UserError('a field before the first .I line', { file: path, line: index + 1 });
        field = marker[1] as string;
        // A repeated marker continues its field.
        if (marker[2]) append(record, field, marker[2]);
      } else if (record && field && line.trim() !== '') append(record, field, line.trim());
    });
  if (records.length === 0) throw new UserError('no .I records: not a SMART file', { file: path });
  return records;
}

function append(record: SmartRecord, field: string, text: string): void {
  const before = record.fields.get(field);
  record.fields.set(field, before ? `${before}\n${text}` : text);
}

/**
 * The judgments in the layouts SMART collections ship: 3 columns `qid docid code` (Cranfield), TREC's
 * `qid 0 docid rel` (MEDLINE's MED.REL) and `qid docid 0 0.0`, relevant pairs only (CISI, MED.REL.OLD).
 */
function readSmartJudgments(path: string, relevance: SmartRelevance): { qrels: Qrels; layout: string } {
  const rows = readUtf8File(path)
    .split(/\r?\n/)
    .map((text, index) => ({ cells: text.trim().split(/\s+/), line: index + 1 }))
    .filter((row) => row.cells[0] !== '');
  if (rows.length === 0) throw new UserError('the judgments file is empty', { file: path });
  const width = rows[0]?.cells.length;
  const trec = width === 4 && rows.every((r) => r.cells[1] === '0');
  const pairs = width === 4 && !trec && rows.every((r) => r.cells[2] === '0' && Number(r.cells[3]) === 0);
  if (width !== 3 && !trec && !pairs) {
    throw new UserError(
      "unknown judgments layout: expected 'qid docid code', 'qid 0 docid rel' or 'qid docid 0 0.0'",
      { file: path, line: rows[0]?.line },
    );
  }
  const qrels: Qrels = new Map();
  for (const { cells, line } of rows) {
    const where = { file: path, line };
    if (cells.length !== width)
      throw new UserError(`expected ${width} columns, found ${cells.length}`, where);
    const [qid, docid, rel] = trec
      ? [cells[0], cells[2], cells[3]]
      : pairs
        ? [cells[0], cells[1], '1']
        : [cells[0], cells[1], cells[2]];
    const code = Number(rel);
    if (!Number.isInteger(code))
      throw new UserError(`relevance '${rel}' is not an integer`, { ...where, field: 'rel' });
    const grade = width === 3 ? gradeOf(code, relevance, where) : code;
    addJudgment(qrels, numberId(qid as string), numberId(docid as string), grade, where);
  }
  const layout =
    width === 3
      ? `relevance codes read as ${relevance}: ${RELEVANCE_NOTES[relevance]}`
      : trec
        ? 'judgments in TREC layout (qid 0 docid rel), grades as written'
        : 'judgments list relevant pairs only (qid docid 0 0.0): each is grade 1, every other document unjudged';
  return { qrels, layout };
}

const RELEVANCE_NOTES: Record<SmartRelevance, string> = {
  cleverdon:
    'grade = 5 − code (1, a complete answer, is grade 4; 4, minimum interest, grade 1), -1 is 0 (judged, not relevant)',
  binary: 'codes 1–4 are grade 1, -1 is 0 (judged, not relevant)',
  'as-written': 'grades are the codes as written (4 highest, -1 not relevant)',
};

function gradeOf(code: number, relevance: SmartRelevance, where: { file: string; line: number }): number {
  if (code === -1) return relevance === 'as-written' ? -1 : 0;
  if (code < 1 || code > 5)
    throw new UserError(`relevance code ${code} is outside Cranfield's -1 and 1–5`, {
      ...where,
      field: 'rel',
    });
  if (relevance === 'binary') return code === 5 ? 0 : 1;
  return relevance === 'cleverdon' ? 5 - code : code;
}

/**
 * Query ids as the judgments use them. Mostly the `.I` numbers; but Cranfield numbers its queries 1, 2, 4,
 * 8, 9… while `cranqrel` numbers them 1–225 in file order: when the judgments name queries the `.I`
 * numbers do not have, and positions in the file would cover them all, positions are the ids.
 */
function numberQueries(
  written: SmartRecord[],
  qrels: Qrels,
  files: SmartFiles,
): { queries: Map<string, QueryRecord>; numbering: string } {
  const asWritten = new Set(written.map((r) => r.id));
  const judged = [...qrels.keys()];
  const byPosition = !judged.every((qid) => asWritten.has(qid));
  if (
    byPosition &&
    !judged.every((qid) => /^\d+$/.test(qid) && Number(qid) >= 1 && Number(qid) <= written.length)
  ) {
    const unknown = judged.find((qid) => !asWritten.has(qid));
    throw new UserError(
      `judgments for query '${unknown}', which is neither a .I number of ${basename(files.queries)} nor a position in it`,
      { file: files.judgments },
    );
  }
  const queries = new Map<string, QueryRecord>();
  written.forEach((record, index) => {
    const id = byPosition ? String(index + 1) : record.id;
    const text = [record.fields.get('T'), record.fields.get('W')].filter((t) => t).join('\n');
    if (text === '')
      throw new UserError(`query ${record.id} has no text`, { file: files.queries, line: record.line });
    queries.set(id, { id, text });
  });
  return {
    queries,
    numbering: byPosition
      ? `query ids are positions in ${basename(files.queries)} (the judgments number its queries 1–${written.length} in file order, not by their .I numbers)`
      : `query ids are the .I numbers of ${basename(files.queries)}`,
  };
}
