import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type GradeScale, gradeScaleOf, offScale, onScale } from '../dataset/grade-scale.js';
import {
  type JudgmentEvent,
  JudgmentWriter,
  type LoggedEvent,
  readJudgmentLog,
  replay,
} from '../dataset/judgment-log.js';
import { loadDataset } from '../dataset/native.js';
import { pairKey } from '../dataset/pair-key.js';
import { checkPoolDataset, type Pool, readPoolFile } from '../dataset/pool-file.js';
import { resolveDataset } from '../dataset/resolve.js';
import { UserError } from '../errors.js';
import { assignments, type JudgingSetup, nextOpen, viewOf } from '../report/judging-state.js';
import { renderJudgePage } from '../report/render-judge-html.js';

export interface JudgeServeOptions {
  pool: string;
  dataset: string;
  /** Who judges; several share the pool (each gets a share, and the overlap pairs). */
  annotators: string[];
  /** The share of pairs every annotator judges, for their agreement (with two or more annotators). */
  overlap: number;
  judgments: string;
  /** 0: any free port. */
  port: number;
  cwd?: string;
}

export interface JudgeServer {
  /** The page of each annotator. */
  urls: Map<string, string>;
  port: number;
  pool: Pool;
  warnings: string[];
  /** How many acts the log held when the server started. */
  resumed: number;
  close(): Promise<void>;
}

/** Where the server listens: the loopback interface only, so nothing on the network can reach the page. */
const HOST = '127.0.0.1';
/** The largest request body accepted: an act is a few dozen bytes. */
const MAX_BODY = 4096;

/**
 * `judge serve`: a local page where people judge a pool's pairs on the dataset's scale. Every act is
 * appended to the judgments file and synced to disk before the page hears back, so nothing is lost when
 * the browser closes or the server is killed, and a restart replays the file to resume where it stopped.
 */
export async function startJudgeServer(options: JudgeServeOptions): Promise<JudgeServer> {
  const cwd = options.cwd ?? process.cwd();
  const dataset = loadDataset(resolveDataset(options.dataset, cwd));
  const poolFile = resolve(cwd, options.pool);
  const pool = readPoolFile(poolFile);
  checkPoolDataset(pool, dataset, poolFile);
  const scale = gradeScaleOf(dataset.qrels);
  const judgmentsFile = resolve(cwd, options.judgments);
  const log = readJudgmentLog(judgmentsFile);
  const events = log.events;
  for (const logged of events) checkLogged(logged, dataset.digest, scale, judgmentsFile);
  const setup: JudgingSetup = {
    items: pool.items,
    annotators: options.annotators,
    overlap: options.overlap,
    scale,
  };
  const queues = assignments(setup);
  const writer = new JudgmentWriter(judgmentsFile, log.validBytes);
  const page = renderJudgePage({
    pool: pool.header.id,
    dataset: `${dataset.manifest.name}@${dataset.manifest.version}`,
    annotators: options.annotators,
  });

  const append = (event: JudgmentEvent): void => {
    writer.append(event);
    events.push({ event, line: (events.at(-1)?.line ?? 0) + 1 });
  };
  const handle = async (request: IncomingMessage, response: ServerResponse, port: number): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${HOST}:${port}`);
    // A page elsewhere cannot use the browser to reach this one (DNS rebinding, cross-site posts).
    if (!isOwnHost(request.headers.host, port)) return send(response, 403, { error: 'unknown host' });
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': page.contentSecurityPolicy,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      response.end(page.html);
      return;
    }
    const annotator = request.method === 'GET' ? url.searchParams.get('annotator') : undefined;
    if (request.method === 'GET' && url.pathname === '/api/view') {
      if (!annotator || !queues.has(annotator))
        return send(response, 400, { error: unknownAnnotator(annotator) });
      const position = url.searchParams.get('position');
      return send(
        response,
        200,
        viewOf(setup, replay(events), annotator, position === null ? undefined : Number(position)),
      );
    }
    if (request.method !== 'POST' || !['/api/act', '/api/undo'].includes(url.pathname)) {
      return send(response, 404, { error: 'not found' });
    }
    const origin = request.headers.origin;
    if (
      (origin !== undefined && !isOwnOrigin(origin, port)) ||
      !request.headers['content-type']?.startsWith('application/json')
    ) {
      return send(response, 403, { error: 'acts come from the judging page only' });
    }
    const body = await readBody(request);
    if (body === undefined) return send(response, 400, { error: 'the request is not a JSON object' });
    const who = typeof body.annotator === 'string' ? body.annotator : undefined;
    const queue = who === undefined ? undefined : queues.get(who);
    if (who === undefined || !queue) return send(response, 400, { error: unknownAnnotator(who) });
    const at = new Date().toISOString();
    const base = { annotator: who, pool: pool.header.id, dataset: dataset.digest, at };
    if (url.pathname === '/api/undo') {
      const key = replay(events).history.get(who)?.at(-1);
      if (key === undefined) return send(response, 400, { error: 'nothing to undo' });
      const position = queue.findIndex(
        (i) => pairKey(pool.items[i]?.qid ?? '', pool.items[i]?.docid ?? '') === key,
      );
      const item = pool.items[queue[position] as number];
      if (!item) return send(response, 400, { error: 'the last act is not on a pair of this pool' });
      append({ kind: 'undo', ...base, qid: item.qid, docid: item.docid });
      return send(response, 200, viewOf(setup, replay(events), who, position));
    }
    const position = body.position;
    const item = Number.isInteger(position) ? pool.items[queue[position as number] as number] : undefined;
    if (!item) return send(response, 400, { error: `no pair at position ${String(position)}` });
    const kind = body.kind;
    const grade = body.grade;
    if (kind === 'grade' && !onScale(scale, grade)) {
      return send(response, 400, { error: `grades are ${scale.min} to ${scale.max}` });
    }
    if (kind !== 'grade' && kind !== 'skip')
      return send(response, 400, { error: 'an act is a grade or a skip' });
    const ms = Number.isInteger(body.ms) && (body.ms as number) >= 0 ? (body.ms as number) : undefined;
    append({
      kind,
      ...base,
      qid: item.qid,
      docid: item.docid,
      ...(kind === 'grade' ? { grade: grade as number } : {}),
      ...(ms !== undefined ? { ms } : {}),
      ...(item.production ? { query: item.query } : {}),
    });
    // On to the next pair without an act, or to the end when every pair has one.
    const replayed = replay(events);
    const mine = replayed.acts.get(who) ?? new Map();
    const next = nextOpen(queue, pool.items, mine, (position as number) + 1) ?? undefined;
    return send(response, 200, viewOf(setup, replayed, who, next));
  };

  const server = createServer((request, response) => {
    handle(request, response, (server.address() as AddressInfo).port).catch((error: unknown) => {
      send(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  const port = await listen(server, options.port).catch((error: unknown) => {
    writer.close();
    throw error;
  });
  const urls = new Map(
    options.annotators.map((annotator) => [
      annotator,
      `http://${HOST}:${port}/?annotator=${encodeURIComponent(annotator)}`,
    ]),
  );
  return {
    urls,
    port,
    pool,
    warnings: log.warnings,
    resumed: log.events.length,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => {
          writer.close();
          done();
        });
      }),
  };
}

function checkLogged({ event, line }: LoggedEvent, digest: string, scale: GradeScale, file: string): void {
  if (event.dataset !== digest) {
    throw new UserError(
      `the act was made on a pool of another dataset version (${event.dataset}); judge this dataset version in a judgments file of its own`,
      { file, line, field: 'dataset' },
    );
  }
  if (event.kind === 'grade' && !onScale(scale, event.grade))
    throw offScale(scale, event.grade, { file, line });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'EADDRINUSE'
          ? new UserError(`port ${port} on ${HOST} is in use; pick another with --port`)
          : new UserError(`cannot listen on ${HOST}:${port}: ${error.message}`),
      );
    });
    server.listen(port, HOST, () => done((server.address() as AddressInfo).port));
  });
}

function isOwnHost(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`;
}

function isOwnOrigin(origin: string, port: number): boolean {
  return origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
}

function unknownAnnotator(name: string | null | undefined): string {
  return name ? `'${name}' is not an annotator of this session` : 'name the annotator (?annotator=NAME)';
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_BODY) return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}
