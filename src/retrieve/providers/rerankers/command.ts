import { assertMessage } from '../../transport/command-messages.js';
import { type CommandOptions, JsonLinesProcess } from '../../transport/json-lines-process.js';
import type { Candidate, Reranker, RerankResult } from '../../types.js';

export type CommandRerankerOptions = CommandOptions;

/**
 * A reranker served by an external program (a Python cross-encoder, a hosted rerank API wrapper...)
 * speaking the JSON-lines protocol of docs/command-protocol.md: one `rerank` request per query, one score per
 * candidate back. The program is started once and kept running until close().
 */
export class CommandReranker implements Reranker {
  readonly process: JsonLinesProcess;

  /** Starts the program; `id` names its hello once it has sent one (see start()). */
  constructor(options: CommandRerankerOptions) {
    this.process = new JsonLinesProcess({ ...options, role: 'reranker' });
  }

  /**
   * Starts the program and waits up to `helloTimeoutMs` (default 1 s) for its hello, so `id` names it from
   * the start. Throws a CommandError when the program cannot start or exits meanwhile.
   */
  static async start(options: CommandRerankerOptions): Promise<CommandReranker> {
    const reranker = new CommandReranker(options);
    await reranker.process.waitForHello(options.helloTimeoutMs);
    return reranker;
  }

  /** "command:<hello name>@<version>", or "command:<program and arguments>" without a hello. */
  get id(): string {
    return `command:${this.process.identity}`;
  }

  async rerank(query: { id: string; text: string }, candidates: Candidate[]): Promise<RerankResult> {
    if (candidates.length === 0) return { scores: [] };
    const payload = {
      query: { qid: query.id, text: query.text },
      candidates: candidates.map(({ docid, text, score }) => ({ docid, text, score })),
    };
    return this.process.request('rerank', payload, (response) => {
      assertMessage('rerankResponse', response);
      if (response.scores.length !== candidates.length) {
        throw new Error(`${response.scores.length} scores for ${candidates.length} candidates`);
      }
      return {
        scores: response.scores,
        ...(response.tokens === undefined ? {} : { tokens: response.tokens }),
        ...(response.searchUnits === undefined ? {} : { searchUnits: response.searchUnits }),
      };
    });
  }

  close(): Promise<void> {
    return this.process.close();
  }
}
