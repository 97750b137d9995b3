import { assertMessage } from '../../transport/command-messages.js';
import { type CommandOptions, JsonLinesProcess } from '../../transport/json-lines-process.js';
import type { Hit, Index, QueryInput } from '../../types.js';

export interface CommandIndexOptions extends CommandOptions {
  /** Send each query's vector (the system then needs a model). Default false: text only. */
  needsVectors?: boolean;
  /** When set, every query vector must have this length. */
  dimensions?: number;
}

/**
 * An index served by an external program (an Elasticsearch wrapper, a script over a vector store...)
 * speaking the JSON-lines protocol of docs/command-protocol.md: `search` requests on its stdin, hits per
 * query on its stdout. The program is started once and kept running until close().
 */
export class CommandIndex implements Index {
  readonly needsVectors: boolean;
  readonly process: JsonLinesProcess;
  private readonly dimensions: number | undefined;

  /** Starts the program; `resolved` names its hello once it has sent one (see start()). */
  constructor(options: CommandIndexOptions) {
    this.needsVectors = options.needsVectors ?? false;
    this.dimensions = options.dimensions;
    this.process = new JsonLinesProcess({ ...options, role: 'index' });
  }

  /**
   * Starts the program and waits up to `helloTimeoutMs` (default 1 s) for its hello, so `resolved` names it
   * from the start. Throws a CommandError when the program cannot start or exits meanwhile.
   */
  static async start(options: CommandIndexOptions): Promise<CommandIndex> {
    const index = new CommandIndex(options);
    await index.process.waitForHello(options.helloTimeoutMs);
    return index;
  }

  /** "command:<hello name>@<version>", or "command:<program and arguments>" without a hello. */
  get resolved(): string {
    return `command:${this.process.identity}`;
  }

  async search(queries: QueryInput[], k: number): Promise<Hit[][]> {
    if (queries.length === 0) return [];
    const payload = { k, queries: queries.map((query) => this.queryMessage(query)) };
    return this.process.request('search', payload, (response) => hitsInOrder(response, queries, k));
  }

  close(): Promise<void> {
    return this.process.close();
  }

  private queryMessage(query: QueryInput): { qid: string; text: string; vector?: number[] } {
    if (!this.needsVectors) return { qid: query.id, text: query.text };
    const name = this.process.name;
    if (!query.vector) throw new Error(`index '${name}' needs query vectors; query ${query.id} has none`);
    if (this.dimensions !== undefined && query.vector.length !== this.dimensions) {
      throw new Error(
        `index '${name}' takes ${this.dimensions}-dimensional vectors; query ${query.id} has ${query.vector.length}`,
      );
    }
    return { qid: query.id, text: query.text, vector: Array.from(query.vector) };
  }
}

/** The answer's hit lists in the order of `queries`; throws saying how the answer breaks the protocol. */
function hitsInOrder(response: unknown, queries: QueryInput[], k: number): Hit[][] {
  assertMessage('searchResponse', response);
  const { results } = response;
  if (results.length !== queries.length) {
    throw new Error(`${results.length} result lists for ${queries.length} queries`);
  }
  const byQid = new Map<string, Hit[]>();
  for (const { qid, hits } of results) {
    if (byQid.has(qid)) throw new Error(`two result lists for qid '${qid}'`);
    if (hits.length > k) throw new Error(`${hits.length} hits for qid '${qid}', more than k = ${k}`);
    const seen = new Set<string>();
    for (const { docid } of hits) {
      if (seen.has(docid)) throw new Error(`docid '${docid}' twice in the hits of qid '${qid}'`);
      seen.add(docid);
    }
    byQid.set(
      qid,
      hits.map(({ docid, score }) => ({ docid, score })),
    );
  }
  return queries.map((query) => {
    const hits = byQid.get(query.id);
    if (!hits) throw new Error(`no result list for qid '${query.id}'`);
    return hits;
  });
}
