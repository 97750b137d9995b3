/**
 * A local stand-in for Qdrant: the REST endpoints the adapter uses, over in-memory collections, so tests and
 * benchmarks run without a server. Search is brute force with `params.exact: true`; without it the
 * stand-in behaves as a small HNSW beam does (see `visited`), so a tiny `hnsw_ef` loses neighbours. Every request body and every response
 * body is validated against Qdrant's OpenAPI contract (../shared/contracts/qdrant-openapi.json, v1.19, the
 * REST API the client speaks): a request the real server would refuse gets a 400 here too, and is recorded
 * so the suite fails loudly. Faults (latency, 503/429, hangs, resets; once N matching requests have passed,
 * or after the request took effect) and counters (requests per endpoint, requests in flight, queries per
 * batch) make the adapter's retry and concurrency behaviour testable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../../src/package-root.js';

/** Relative to the repo root, as the brief names it; resolved from the package root, not the cwd. */
const CONTRACT_NAME = '../shared/contracts/qdrant-openapi.json';
const CONTRACT_ID = 'qdrant-openapi.json';

type Json = Record<string, unknown>;
type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';
type Status = 'green' | 'yellow' | 'grey' | 'red';

/** A request or response that broke the contract, or a request this stand-in does not implement. */
export interface ContractFailure {
  kind: 'request' | 'response' | 'unsupported';
  endpoint: string;
  detail: string;
}

/** One request as received, for assertions on what the adapter sent. */
export interface ReceivedRequest {
  endpoint: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  apiKey: string | undefined;
}

interface StoredPoint {
  id: string | number;
  /** '' is the unnamed vector. Cosine vectors are stored normalised, as Qdrant stores them. */
  vectors: Map<string, number[]>;
  payload: Json;
}

interface VectorSpace {
  size: number;
  distance: Distance;
}

interface Collection {
  /** The vectors config as created (unnamed params, or a map of named ones). */
  vectors: Json;
  spaces: Map<string, VectorSpace>;
  hnsw: { m: number; ef_construct: number; full_scan_threshold: number };
  metadata: Json | undefined;
  points: Map<string, StoredPoint>;
  status: Status;
  /** Info calls still to answer yellow before the collection reports its status. */
  yellowCalls: number;
}

/** When an armed fault takes effect, and whether the request it hits is handled first. */
export interface FaultTiming {
  /** Matching requests to let through before the fault takes effect (e.g. 1: the second GET /aliases). */
  after?: number;
  /**
   * 'status' and 'reset' faults: the request is handled (its effect applied) and only then is its answer
   * replaced by the fault, as when a change took effect but its answer was lost.
   */
  applied?: boolean;
}

/** A fault armed for the next `count` requests (of one endpoint, when given). */
interface Fault extends FaultTiming {
  kind: 'status' | 'hang' | 'reset';
  count: number;
  endpoint?: string;
  status?: number;
  retryAfter?: string;
  message?: string;
  /** Only query batches that do (true) or do not (false) ask for exact search: an ANN check's faults. */
  exact?: boolean;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (params: Record<string, string>, body: unknown, query: Record<string, string>) => unknown;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  handle: Handler;
}

export interface QdrantTestServerOptions {
  /** Added to every request before it is answered (a benchmark's network + server time). */
  latencyMs?: number;
  /** When set, requests must carry this `api-key` header (401 otherwise). */
  apiKey?: string;
  /** Overrides the contract location (tests of the skip path). */
  contractPath?: string;
}

let skipNoticePrinted = false;

export class QdrantTestServer {
  url = '';
  latencyMs: number;
  readonly failures: ContractFailure[] = [];
  readonly received: ReceivedRequest[] = [];
  /** Requests per endpoint, e.g. "POST /collections/{collection_name}/points/query/batch". */
  readonly requests = new Map<string, number>();
  /** `searches.length` of every query batch request, in arrival order. */
  readonly queriesPerBatch: number[] = [];
  inFlight = 0;
  maxInFlight = 0;

  private readonly collections = new Map<string, Collection>();
  private readonly aliases = new Map<string, string>();
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private readonly contract: Contract | undefined;
  private readonly routes: Route[];
  private operations = 0;

  private constructor(private readonly options: QdrantTestServerOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.contract = loadContract(options.contractPath ?? join(PACKAGE_ROOT, CONTRACT_NAME));
    this.routes = this.defineRoutes().map(([method, template, handle]) => ({
      method,
      template,
      pattern: new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
      handle,
    }));
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) void this.reply(res, 'unknown', 500, errorBody(String(error)));
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: QdrantTestServerOptions = {}): Promise<QdrantTestServer> {
    const server = new QdrantTestServer(options);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    server.url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return server;
  }

  /** Whether bodies are checked against the contract (false when the contract file is absent). */
  get validating(): boolean {
    return this.contract !== undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` requests (of `endpoint`, if given) answer `status`, with `retry-after` when given. */
  failNext(
    count: number,
    status: number,
    options: { endpoint?: string; retryAfter?: string; message?: string; exact?: boolean } & FaultTiming = {},
  ): void {
    this.faults.push({ kind: 'status', count, status, ...options });
  }

  /** The next `count` requests never get an answer (the client's timeout must end them). */
  hangNext(count: number, endpoint?: string): void {
    this.faults.push({ kind: 'hang', count, ...(endpoint ? { endpoint } : {}) });
  }

  /** The next `count` requests have their connection destroyed before any answer. */
  resetNext(count: number, endpoint?: string, timing: FaultTiming = {}): void {
    this.faults.push({ kind: 'reset', count, ...(endpoint ? { endpoint } : {}), ...timing });
  }

  /** The collection answers its next `infoCalls` info requests with status yellow (indexing). */
  setYellow(name: string, infoCalls: number): void {
    this.collection(name).yellowCalls = infoCalls;
  }

  /** The status reported once any yellow calls are used up (grey turns green on an optimizer update). */
  setStatus(name: string, status: Status): void {
    this.collection(name).status = status;
  }

  /** Drops the faults still armed. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  resetCounters(): void {
    this.requests.clear();
    this.received.length = 0;
    this.queriesPerBatch.length = 0;
    this.maxInFlight = this.inFlight;
  }

  count(endpoint: string): number {
    return this.requests.get(endpoint) ?? 0;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Latency is from arrival to answer, the server's own work included, like a service with a fixed
    // response time; a benchmark then measures only what the client adds.
    const deadline = performance.now() + this.latencyMs;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toLowerCase();
    const route = this.routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    const endpoint = route
      ? `${method.toUpperCase()} ${route.template}`
      : `${method.toUpperCase()} ${url.pathname}`;
    this.requests.set(endpoint, (this.requests.get(endpoint) ?? 0) + 1);
    const query = Object.fromEntries(url.searchParams);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const apiKey = req.headers['api-key'];
    this.received.push({
      endpoint,
      path: url.pathname,
      query,
      body,
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    });
    const fault = this.takeFault(endpoint, body);
    if (fault?.kind === 'hang') return; // the client's timeout ends it; close() destroys what is left
    if (fault && !fault.applied) return this.answerFault(fault, req, res, endpoint, deadline);
    const [status, answer] = this.handle(route, endpoint, url.pathname, body, query, apiKey);
    if (!fault) return this.reply(res, endpoint, status, answer, {}, deadline);
    // The answer the handler gave is checked all the same: only its delivery is lost.
    this.checkResponse(endpoint, status, answer);
    return this.answerFault(fault, req, res, endpoint, deadline);
  }

  /** Routes, authenticates, validates and runs a request: the status and body it would be answered with. */
  private handle(
    route: Route | undefined,
    endpoint: string,
    path: string,
    body: unknown,
    query: Record<string, string>,
    apiKey: string | string[] | undefined,
  ): [number, unknown] {
    if (!route) {
      this.failures.push({ kind: 'unsupported', endpoint, detail: 'no such endpoint in the test server' });
      return [404, errorBody(`no route ${endpoint}`)];
    }
    if (this.options.apiKey !== undefined && apiKey !== this.options.apiKey) {
      return [401, errorBody('Invalid api-key')];
    }
    const problems = this.contract?.checkRequest(route.method, route.template, body, query);
    if (problems) {
      this.failures.push({ kind: 'request', endpoint, detail: problems });
      return [400, errorBody(`Format error in JSON body: ${problems}`)];
    }
    const params = Object.fromEntries(
      Object.entries(route.pattern.exec(path)?.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
    );
    try {
      return [200, { result: route.handle(params, body, query), status: 'ok', time: 0.0001 }];
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      return [error.status, errorBody(error.message)];
    }
  }

  /** A reset destroys the connection without an answer; a status fault answers its error. */
  private async answerFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: string,
    deadline: number,
  ): Promise<void> {
    if (fault.kind === 'reset') {
      await sleepUntil(deadline);
      req.socket.destroy();
      return;
    }
    const status = fault.status ?? 503;
    const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
    const message = fault.message ?? (status === 429 ? 'Too many requests' : 'Service unavailable');
    await this.reply(res, endpoint, status, errorBody(message), headers, deadline);
  }

  private async reply(
    res: ServerResponse,
    endpoint: string,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    deadline = 0,
  ): Promise<void> {
    this.checkResponse(endpoint, status, body);
    const text = JSON.stringify(body);
    await sleepUntil(deadline);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  }

  private checkResponse(endpoint: string, status: number, body: unknown): void {
    const [method = '', template = ''] = endpoint.split(' ');
    const problems = this.contract?.checkResponse(method.toLowerCase(), template, status, body);
    if (problems) this.failures.push({ kind: 'response', endpoint, detail: problems });
  }

  /**
   * The first armed fault that matches and has no requests left to let through; every matching fault still
   * letting requests through counts this one.
   */
  private takeFault(endpoint: string, body: unknown): Fault | undefined {
    const exact = asksExact(body);
    const matching = this.faults.filter(
      (f) =>
        (f.endpoint === undefined || f.endpoint === endpoint) && (f.exact === undefined || f.exact === exact),
    );
    const fault = matching.find((f) => (f.after ?? 0) === 0);
    for (const waiting of matching) if (waiting.after) waiting.after--;
    if (!fault) return undefined;
    if (--fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  private defineRoutes(): [string, string, Handler][] {
    return [
      [
        'get',
        '/collections',
        () => ({ collections: [...this.collections.keys()].sort().map((name) => ({ name })) }),
      ],
      [
        'get',
        '/aliases',
        () => ({
          aliases: [...this.aliases].map(([alias_name, collection_name]) => ({
            alias_name,
            collection_name,
          })),
        }),
      ],
      ['post', '/collections/aliases', (_p, body) => this.changeAliases(body as Json)],
      ['get', '/collections/{collection_name}', (p) => this.info(p.collection_name as string)],
      [
        'put',
        '/collections/{collection_name}',
        (p, body) => this.create(p.collection_name as string, body as Json),
      ],
      [
        'patch',
        '/collections/{collection_name}',
        (p, body) => this.update(p.collection_name as string, body as Json),
      ],
      ['delete', '/collections/{collection_name}', (p) => this.remove(p.collection_name as string)],
      [
        'put',
        '/collections/{collection_name}/points',
        (p, body) => this.upsert(p.collection_name as string, body as Json),
      ],
      [
        'post',
        '/collections/{collection_name}/points',
        (p, body) => this.retrieve(p.collection_name as string, body as Json),
      ],
      [
        'post',
        '/collections/{collection_name}/points/scroll',
        (p, body) => this.scroll(p.collection_name as string, body as Json),
      ],
      [
        'post',
        '/collections/{collection_name}/points/delete',
        (p, body) => this.deletePoints(p.collection_name as string, body as Json),
      ],
      [
        'post',
        '/collections/{collection_name}/points/count',
        (p, body) => this.countPoints(p.collection_name as string, body as Json | undefined),
      ],
      [
        'post',
        '/collections/{collection_name}/points/query/batch',
        (p, body) => this.queryBatch(p.collection_name as string, body as Json),
      ],
    ];
  }

  /** A collection by name or alias, as Qdrant resolves names in collection endpoints. */
  private collection(name: string): Collection {
    const collection = this.collections.get(this.aliases.get(name) ?? name);
    if (!collection) throw new HttpProblem(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  }

  private create(name: string, body: Json): boolean {
    if (this.collections.has(name) || this.aliases.has(name)) {
      throw new HttpProblem(409, `Wrong input: Collection \`${name}\` already exists!`);
    }
    const vectors = body.vectors as Json | undefined;
    if (!vectors) throw new HttpProblem(400, 'Wrong input: the test server needs dense vectors');
    const spaces = new Map<string, VectorSpace>();
    if (typeof vectors.size === 'number') spaces.set('', vectors as unknown as VectorSpace);
    else for (const [key, params] of Object.entries(vectors)) spaces.set(key, params as VectorSpace);
    const hnsw = (body.hnsw_config ?? {}) as Json;
    this.collections.set(name, {
      vectors,
      spaces,
      hnsw: {
        m: (hnsw.m as number | undefined) ?? 16,
        ef_construct: (hnsw.ef_construct as number | undefined) ?? 100,
        full_scan_threshold: (hnsw.full_scan_threshold as number | undefined) ?? 10_000,
      },
      metadata: (body.metadata as Json | null | undefined) ?? undefined,
      points: new Map(),
      status: 'green',
      yellowCalls: 0,
    });
    return true;
  }

  private update(name: string, body: Json): boolean {
    const collection = this.collection(name);
    const metadata = body.metadata as Json | null | undefined;
    if (metadata) {
      // Qdrant merges metadata; a key set to null is removed.
      const merged: Json = { ...collection.metadata };
      for (const [key, value] of Object.entries(metadata)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      collection.metadata = merged;
    }
    if (body.optimizers_config !== undefined && collection.status === 'grey') collection.status = 'green';
    return true;
  }

  private remove(name: string): boolean {
    if (!this.collections.delete(name))
      throw new HttpProblem(404, `Not found: Collection \`${name}\` doesn't exist!`);
    for (const [alias, target] of this.aliases) if (target === name) this.aliases.delete(alias);
    return true;
  }

  private info(name: string): Json {
    const collection = this.collection(name);
    let status = collection.status;
    if (collection.yellowCalls > 0) {
      collection.yellowCalls--;
      status = 'yellow';
    }
    return {
      status,
      optimizer_status: 'ok',
      indexed_vectors_count: collection.points.size,
      points_count: collection.points.size,
      segments_count: 1,
      config: {
        params: {
          vectors: collection.vectors,
          shard_number: 1,
          replication_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: collection.hnsw,
        optimizer_config: { default_segment_number: 0, flush_interval_sec: 5 },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        ...(collection.metadata ? { metadata: collection.metadata } : {}),
      },
      payload_schema: {},
    };
  }

  private changeAliases(body: Json): boolean {
    // Atomic, as in Qdrant: every action applies to a copy, which replaces the aliases only if all succeed.
    const next = new Map(this.aliases);
    for (const action of body.actions as Json[]) {
      const create = action.create_alias as { alias_name: string; collection_name: string } | undefined;
      const remove = action.delete_alias as { alias_name: string } | undefined;
      const rename = action.rename_alias as { old_alias_name: string; new_alias_name: string } | undefined;
      if (create) {
        if (!this.collections.has(create.collection_name)) {
          throw new HttpProblem(404, `Not found: Collection \`${create.collection_name}\` doesn't exist!`);
        }
        if (next.has(create.alias_name))
          throw new HttpProblem(409, `Wrong input: Alias ${create.alias_name} already exists!`);
        next.set(create.alias_name, create.collection_name);
      } else if (remove) {
        if (!next.delete(remove.alias_name))
          throw new HttpProblem(404, `Not found: Alias ${remove.alias_name} doesn't exist!`);
      } else if (rename) {
        const target = next.get(rename.old_alias_name);
        if (target === undefined)
          throw new HttpProblem(404, `Not found: Alias ${rename.old_alias_name} doesn't exist!`);
        next.delete(rename.old_alias_name);
        next.set(rename.new_alias_name, target);
      }
    }
    this.aliases.clear();
    for (const [alias, target] of next) this.aliases.set(alias, target);
    return true;
  }

  private upsert(name: string, body: Json): Json {
    const collection = this.collection(name);
    if (!Array.isArray(body.points)) {
      this.failures.push({
        kind: 'unsupported',
        endpoint: 'PUT points',
        detail: 'only the points list form is served',
      });
      throw new HttpProblem(400, 'the test server takes points as a list');
    }
    const points = (body.points as Json[]).map((point) => {
      const id = point.id as string | number;
      const raw = point.vector;
      const named = Array.isArray(raw)
        ? new Map([['', raw as number[]]])
        : new Map(Object.entries(raw as Json));
      const vectors = new Map<string, number[]>();
      for (const [vectorName, vector] of named) {
        const space = collection.spaces.get(vectorName);
        if (!space) throw new HttpProblem(400, `Wrong input: Not existing vector name error: ${vectorName}`);
        const values = vector as number[];
        if (values.length !== space.size) {
          throw new HttpProblem(
            400,
            `Wrong input: Vector dimension error: expected dim: ${space.size}, got ${values.length}`,
          );
        }
        vectors.set(vectorName, space.distance === 'Cosine' ? normalised(values) : values);
      }
      return { id, vectors, payload: (point.payload as Json | null | undefined) ?? {} };
    });
    for (const point of points) collection.points.set(pointKey(point.id), point);
    return { operation_id: this.operations++, status: 'completed' };
  }

  /** Deletes by id list (the selector `index sync` sends); other selectors are not served. */
  private deletePoints(name: string, body: Json): Json {
    const collection = this.collection(name);
    if (!Array.isArray(body.points)) {
      this.failures.push({
        kind: 'unsupported',
        endpoint: 'POST points/delete',
        detail: JSON.stringify(body),
      });
      throw new HttpProblem(400, 'the test server deletes points by id list only');
    }
    for (const id of body.points as (string | number)[]) collection.points.delete(pointKey(id));
    return { operation_id: this.operations++, status: 'completed' };
  }

  private retrieve(name: string, body: Json): Json[] {
    const collection = this.collection(name);
    const found: Json[] = [];
    for (const id of body.ids as (string | number)[]) {
      const point = collection.points.get(pointKey(id));
      if (point) found.push(record(point, body.with_payload ?? true));
    }
    return found;
  }

  private scroll(name: string, body: Json): Json {
    const collection = this.collection(name);
    const limit = (body.limit as number | undefined) ?? 10;
    const matches = this.filterOf(body.filter as Json | undefined);
    const ordered = [...collection.points.values()].filter(matches).sort(byPointId);
    const offset = body.offset as string | number | undefined;
    const start =
      offset === undefined ? 0 : ordered.findIndex((p) => byPointId(p, { id: offset } as StoredPoint) >= 0);
    const page = start < 0 ? [] : ordered.slice(start, start + limit);
    const next = start < 0 ? undefined : ordered[start + limit];
    return {
      points: page.map((point) => record(point, body.with_payload ?? true)),
      next_page_offset: next ? next.id : null,
    };
  }

  /** Exact either way: the stand-in counts its points (matching the filter, when given). */
  private countPoints(name: string, body: Json | undefined): Json {
    const matches = this.filterOf(body?.filter as Json | undefined);
    return { count: [...this.collection(name).points.values()].filter(matches).length };
  }

  /** The filters the adapter sends: `must` conditions of `{key, match: {any} | {value}}`. */
  private filterOf(filter: Json | undefined): (point: StoredPoint) => boolean {
    if (!filter) return () => true;
    const must = filter.must as Json[] | undefined;
    const other = Object.keys(filter).filter((key) => key !== 'must');
    if (!Array.isArray(must) || other.length > 0) {
      this.failures.push({ kind: 'unsupported', endpoint: 'filter', detail: JSON.stringify(filter) });
      throw new HttpProblem(400, 'the test server supports only `must` filters');
    }
    const tests = must.map((condition) => {
      const key = condition.key as string;
      const match = condition.match as { any?: unknown[]; value?: unknown } | undefined;
      if (!match || (match.any === undefined && match.value === undefined)) {
        this.failures.push({ kind: 'unsupported', endpoint: 'filter', detail: JSON.stringify(condition) });
        throw new HttpProblem(400, 'the test server supports only match any/value conditions');
      }
      const accepted = new Set(match.any ?? [match.value]);
      return (point: StoredPoint) => accepted.has(point.payload[key]);
    });
    return (point) => tests.every((test) => test(point));
  }

  private queryBatch(name: string, body: Json): Json[] {
    const collection = this.collection(name);
    const searches = body.searches as Json[];
    this.queriesPerBatch.push(searches.length);
    let hashOrder: StoredPoint[] | undefined;
    const inHashOrder = () => {
      hashOrder ??= byHash([...collection.points.values()]);
      return hashOrder;
    };
    return searches.map((search) => {
      const using = (search.using as string | null | undefined) ?? '';
      const space = collection.spaces.get(using);
      if (!space) throw new HttpProblem(400, `Wrong input: Not existing vector name error: ${using}`);
      const query = search.query as number[];
      if (!Array.isArray(query) || query.some((x) => typeof x !== 'number')) {
        this.failures.push({
          kind: 'unsupported',
          endpoint: 'query',
          detail: 'only nearest-vector queries are served',
        });
        throw new HttpProblem(400, 'the test server serves nearest-vector queries only');
      }
      if (query.length !== space.size) {
        throw new HttpProblem(
          400,
          `Wrong input: Vector dimension error: expected dim: ${space.size}, got ${query.length}`,
        );
      }
      const q = space.distance === 'Cosine' ? normalised(query) : query;
      const smallerBetter = space.distance === 'Euclid' || space.distance === 'Manhattan';
      const scored = visited(collection, search.params as Json | undefined, inHashOrder)
        .filter((point) => point.vectors.has(using))
        .map((point) => ({ point, score: score(space.distance, q, point.vectors.get(using) as number[]) }))
        .sort(
          (a, b) => (smallerBetter ? a.score - b.score : b.score - a.score) || byPointId(a.point, b.point),
        );
      const limit = (search.limit as number | undefined) ?? 10;
      return {
        points: scored.slice(0, limit).map(({ point, score }) => ({
          id: point.id,
          version: 0,
          score,
          ...payloadPart(point, search.with_payload ?? false),
        })),
      };
    });
  }
}

/**
 * The points an approximate search scores. A beam of `ef` (hnsw_ef, by default ef_construct, as Qdrant)
 * over a graph of degree `m` reaches about ef × m points; the stand-in scores that many, the first in a fixed
 * order of their ids' hashes, and returns the best of those with their true scores, as HNSW returns the best
 * it visited. With the defaults (100 × 16) every test collection is reached whole, so answers are exact.
 * Real Qdrant scans small collections (below its indexing threshold) exactly; the stand-in treats every
 * collection as indexed, so a deliberately weak setting is testable on a few hundred points.
 */
function visited(
  collection: Collection,
  params: Json | undefined,
  inHashOrder: () => StoredPoint[],
): StoredPoint[] {
  const ef = (params?.hnsw_ef as number | undefined) ?? collection.hnsw.ef_construct;
  const reach = ef * collection.hnsw.m;
  if (params?.exact === true || reach >= collection.points.size) return [...collection.points.values()];
  return inHashOrder().slice(0, reach);
}

/** Points in a fixed order of their ids' hashes (sorted once per request, not per search). */
function byHash(points: StoredPoint[]): StoredPoint[] {
  return points
    .map((point) => ({ point, order: fnv1a(pointKey(point.id)) }))
    .sort((a, b) => a.order - b.order || byPointId(a.point, b.point))
    .map(({ point }) => point);
}

/** Whether a request is a query batch whose searches ask for exact search. */
function asksExact(body: unknown): boolean {
  const searches = (body as { searches?: { params?: Json }[] } | undefined)?.searches;
  return Array.isArray(searches) && searches.some((search) => search.params?.exact === true);
}

/** 32-bit FNV-1a: a fixed, well-spread order of point ids. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Qdrant's score per distance: similarity for Cosine (on normalised vectors) and Dot, distance otherwise. */
function score(distance: Distance, q: number[], x: number[]): number {
  let sum = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i] as number;
    const b = x[i] as number;
    if (distance === 'Euclid') sum += (a - b) * (a - b);
    else if (distance === 'Manhattan') sum += Math.abs(a - b);
    else sum += a * b;
  }
  return distance === 'Euclid' ? Math.sqrt(sum) : sum;
}

function normalised(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, x) => s + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** Qdrant writes UUIDs back lowercase and hyphenated; integers stay integers. */
function pointKey(id: string | number): string {
  return typeof id === 'number' ? `n:${id}` : `u:${id.toLowerCase()}`;
}

/** Point-id order as Qdrant scrolls: integers first (numerically), then UUIDs. */
function byPointId(a: StoredPoint, b: StoredPoint): number {
  if (typeof a.id === 'number' && typeof b.id === 'number') return a.id - b.id;
  if (typeof a.id === 'number') return -1;
  if (typeof b.id === 'number') return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function record(point: StoredPoint, withPayload: unknown): Json {
  return { id: point.id, ...payloadPart(point, withPayload) };
}

function payloadPart(point: StoredPoint, withPayload: unknown): Json {
  if (withPayload === true) return { payload: point.payload };
  if (Array.isArray(withPayload)) {
    return {
      payload: Object.fromEntries(
        Object.entries(point.payload).filter(([key]) => (withPayload as unknown[]).includes(key)),
      ),
    };
  }
  if (withPayload === false) return {};
  throw new HttpProblem(400, 'the test server supports with_payload true, false or a list of fields');
}

function errorBody(message: string): Json {
  return { status: { error: message }, time: 0.0001 };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** The contract's request and response schemas per operation, compiled on first use. */
interface Contract {
  /** Problems with a request (body, query parameter names), or undefined when it conforms. */
  checkRequest(
    method: string,
    template: string,
    body: unknown,
    query: Record<string, string>,
  ): string | undefined;
  checkResponse(method: string, template: string, status: number, body: unknown): string | undefined;
}

function loadContract(path: string): Contract | undefined {
  if (!existsSync(path)) {
    if (!skipNoticePrinted) {
      skipNoticePrinted = true;
      console.log(`Qdrant contract validation skipped: ${CONTRACT_NAME} not found`);
    }
    return undefined;
  }
  const document = openApiToJsonSchema(JSON.parse(readFileSync(path, 'utf8'))) as {
    paths: Record<string, Record<string, Operation>>;
  };
  // OpenAPI 3.0 schemas are close to draft-07 but not JSON Schema: `nullable` and numeric formats
  // (uint64, float, …) are OpenAPI's, and descriptive keywords (example, deprecated) are not ajv's.
  const ajv = new Ajv({ strict: false, allErrors: true });
  const isUint = (n: number) => Number.isInteger(n) && n >= 0;
  for (const format of ['uint', 'uint8', 'uint16', 'uint32', 'uint64'])
    ajv.addFormat(format, { type: 'number', validate: isUint });
  for (const format of ['int32', 'int64'])
    ajv.addFormat(format, { type: 'number', validate: Number.isInteger });
  for (const format of ['float', 'double'])
    ajv.addFormat(format, { type: 'number', validate: Number.isFinite });
  ajv.addFormat('uuid', /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i);
  for (const format of ['date-time', 'partial-date-time', 'uri', 'binary']) ajv.addFormat(format, true);
  ajv.addSchema(document, CONTRACT_ID);
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string[]): ValidateFunction => {
    const ref = `${CONTRACT_ID}#/${pointer.map(escapePointer).join('/')}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    return validate;
  };
  const check = (pointer: string[], value: unknown) => {
    const validate = validator(pointer);
    return validate(value) ? undefined : formatErrors(validate.errors ?? []);
  };
  return {
    checkRequest(method, template, body, query) {
      const operation = document.paths[template]?.[method];
      if (!operation) return `${method.toUpperCase()} ${template} is not in the contract`;
      const allowed = new Set(
        (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      );
      const unknown = Object.keys(query).filter((name) => !allowed.has(name));
      if (unknown.length > 0) return `query parameters not in the contract: ${unknown.join(', ')}`;
      if (!operation.requestBody)
        return body === undefined ? undefined : 'the contract defines no request body';
      if (body === undefined) return 'the request has no body';
      return check(['paths', template, method, 'requestBody', 'content', 'application/json', 'schema'], body);
    },
    checkResponse(method, template, status, body) {
      const responses = document.paths[template]?.[method]?.responses;
      if (!responses) return undefined; // an unknown endpoint is already recorded as such
      const key = [String(status), `${String(status)[0]}XX`, 'default'].find(
        (k) => responses[k] !== undefined,
      );
      if (key === undefined) return `status ${status} is not in the contract`;
      return check(
        ['paths', template, method, 'responses', key, 'content', 'application/json', 'schema'],
        body,
      );
    },
  };
}

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

/** JSON pointer token, then URI-escaped (`{collection_name}` in paths is not a valid URI fragment character). */
function escapePointer(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: with a `type`, ajv understands it; alone (the contract's
 * `anyOf: [{$ref}, {nullable: true}]`) it means "or null", which ajv refuses without a type.
 */
function openApiToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiToJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = openApiToJsonSchema(value);
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    const constraints = Object.keys(out).filter(
      (k) => !['description', 'default', 'example', 'deprecated'].includes(k),
    );
    return constraints.length === 0 ? { ...out, type: 'null' } : { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function formatErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 8)
    .map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');
}

/**
 * Waits until `deadline` (performance.now() time): a timer for all but the last millisecond, then event-loop
 * turns, since timers fire a millisecond or more late and a 20 ms latency would otherwise be 21–22 ms.
 */
async function sleepUntil(deadline: number): Promise<void> {
  const coarse = deadline - performance.now() - 1;
  if (coarse > 0) await sleep(coarse);
  while (performance.now() < deadline) await nextTurn();
}
