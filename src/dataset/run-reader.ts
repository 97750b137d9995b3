import type { ColumnRun, ResultColumns } from '../metrics/rank.js';
import type { QueryResults, Run } from '../metrics/types.js';
import { columnSlabs, copyColumns, toColumns, toResults } from './packed-results.js';
import { QueryBuilder, QueryCollector } from './query-collector.js';

/**
 * The one way runs are read, whatever their format: a format's scan parses its file in order and, at the
 * start of each block of one query's results, calls `enter(qid)` for the builder the block's results go
 * to (undefined stops the reading). It refuses what the format refuses, at file:line:field, and returns
 * the run's tag. What is kept of the results is the caller's:
 * strings (readRun), exact-size columns (readRunColumns) or nothing past each block (readRunBlocks).
 */
export type RunScan = (enter: (qid: string) => QueryBuilder | undefined) => string;

/** The run with its doc ids as strings, each query's results in file order. */
export function readRun(scan: RunScan): Run {
  const collector = new QueryCollector<QueryResults>(toResults, toColumns);
  const runId = scan((qid) => collector.enter(qid));
  return { runId, queries: collector.finish() };
}

/** readRun without a string per doc id: the form for runs of millions of lines. */
export function readRunColumns(scan: RunScan): ColumnRun {
  const slabs = columnSlabs();
  const collector = new QueryCollector<ResultColumns>(
    (results) => copyColumns(results, slabs),
    (columns) => columns,
  );
  const runId = scan((qid) => collector.enter(qid));
  return { runId, queries: collector.finish() };
}

/**
 * Reads the run one query block at a time, for runs that list each query's results together (as nearly
 * all do): `onQuery` gets each block's results when the block ends, as views that are valid during the
 * call only, so memory stays flat however large the file. At the first query that comes back after
 * another, reading stops and the result is undefined: such a file must be read whole (readRunColumns).
 */
export function readRunBlocks(
  scan: RunScan,
  onQuery: (qid: string, results: ResultColumns) => void,
): { runId: string } | undefined {
  const seen = new Set<string>();
  const builder = new QueryBuilder();
  let qid = undefined as string | undefined;
  let grouped = true;
  const runId = scan((next) => {
    if (seen.has(next)) {
      grouped = false;
      return undefined;
    }
    if (qid !== undefined) onQuery(qid, builder.view());
    seen.add(next);
    qid = next;
    builder.clear();
    return builder;
  });
  if (!grouped) return undefined;
  if (qid !== undefined) onQuery(qid, builder.view());
  return { runId };
}
