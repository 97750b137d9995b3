import type { RouteDecisionMessage } from '../../transport/command-messages.js';
import type { RouteDecision } from '../../types.js';

/**
 * A decision from an external router, checked against the dataset's routes, with the configured threshold
 * applied when there is one: below it the router falls back whatever it answered.
 */
export function externalDecision(
  answer: RouteDecisionMessage,
  routes: ReadonlySet<string>,
  threshold: number | undefined,
): RouteDecision {
  for (const [field, name] of [
    ['route', answer.route],
    ['candidate', answer.candidate],
  ] as const) {
    if (typeof name === 'string' && !routes.has(name))
      throw new Error(`field '${field}': route '${name}' is not in the dataset (${[...routes].join(', ')})`);
  }
  const candidate = answer.candidate ?? answer.route ?? undefined;
  const fellBack = threshold !== undefined && answer.score !== undefined && answer.score < threshold;
  return {
    route: fellBack ? null : answer.route,
    ...(candidate === undefined ? {} : { candidate }),
    ...(answer.score === undefined ? {} : { score: answer.score }),
    ...(answer.cost === undefined ? {} : { cost: answer.cost }),
  };
}
