import { ServiceError } from '../../../errors.js';
import { messageProblem } from '../../transport/command-messages.js';
import { HTTP_RETRY_DEFAULTS, type HttpRetryOptions, postJson, safeUrl } from '../../transport/retry.js';
import type { RouteDecision, Router } from '../../types.js';
import { externalDecision } from './decision.js';

export interface HttpRouterOptions extends Partial<HttpRetryOptions> {
  id: string;
  url: string;
  apiKey?: string;
  routes: readonly string[];
  threshold?: number;
}

/**
 * A router service: each utterance is posted as `{"utterance": {"id", "text"}}` and the service answers a
 * decision `{"route": name | null, "candidate"?, "score"?, "cost"?}` (the protocol's routeDecision), with
 * the retries and timeouts of every HTTP provider; the key is sent as a bearer token and never shown.
 */
export class HttpRouter implements Router {
  readonly id: string;
  private readonly routes: ReadonlySet<string>;
  private readonly retry: HttpRetryOptions;

  constructor(private readonly options: HttpRouterOptions) {
    this.id = options.id;
    this.routes = new Set(options.routes);
    this.retry = { ...HTTP_RETRY_DEFAULTS, ...definedRetryOptions(options) };
  }

  async route(utterance: { id: string; text: string }): Promise<RouteDecision> {
    const label = `router '${this.id}'`;
    const { body } = await postJson(
      {
        label,
        url: this.options.url,
        body: { utterance },
        ...(this.options.apiKey === undefined ? {} : { apiKey: this.options.apiKey }),
      },
      this.retry,
    );
    const problem = messageProblem('routeDecision', body);
    if (problem)
      throw new ServiceError(
        `${label} ${safeUrl(this.options.url)} answered utterance ${utterance.id}: ${problem}`,
      );
    try {
      return externalDecision(
        body as Parameters<typeof externalDecision>[0],
        this.routes,
        this.options.threshold,
      );
    } catch (error) {
      throw new ServiceError(
        `${label} ${safeUrl(this.options.url)} answered utterance ${utterance.id}: ${(error as Error).message}`,
      );
    }
  }
}

function definedRetryOptions(options: Partial<HttpRetryOptions>): Partial<HttpRetryOptions> {
  return Object.fromEntries(
    (['timeoutMs', 'maxRetries', 'retryBaseMs', 'retryMaxMs'] as const)
      .filter((key) => options[key] !== undefined)
      .map((key) => [key, options[key]]),
  );
}
