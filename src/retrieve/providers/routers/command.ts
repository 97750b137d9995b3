import { assertMessage } from '../../transport/command-messages.js';
import { type CommandOptions, JsonLinesProcess } from '../../transport/json-lines-process.js';
import type { RouteDecision, Router } from '../../types.js';
import { externalDecision } from './decision.js';

export interface CommandRouterOptions extends CommandOptions {
  routes: readonly string[];
  threshold?: number;
}

/**
 * A router served by an external program over the JSON-lines protocol of docs/command-protocol.md: one
 * `route` request per utterance, one decision back. Started once and kept running until close().
 */
export class CommandRouter implements Router {
  private readonly process: JsonLinesProcess;
  private readonly routes: ReadonlySet<string>;

  private constructor(private readonly options: CommandRouterOptions) {
    this.process = new JsonLinesProcess({ ...options, role: 'router' });
    this.routes = new Set(options.routes);
  }

  static async start(options: CommandRouterOptions): Promise<CommandRouter> {
    const router = new CommandRouter(options);
    await router.process.waitForHello(options.helloTimeoutMs);
    return router;
  }

  get id(): string {
    return `command:${this.process.identity}`;
  }

  route(utterance: { id: string; text: string }): Promise<RouteDecision> {
    return this.process.request('route', { utterance }, (response) => {
      assertMessage('routeResponse', response);
      return externalDecision(response, this.routes, this.options.threshold);
    });
  }

  close(): Promise<void> {
    return this.process.close();
  }
}
