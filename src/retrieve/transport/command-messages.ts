import { schemaProblem } from '../../schemas.js';

/**
 * The messages of the command protocol and their validation against command-messages.schema.json (kept
 * beside this file and shipped, so program authors can validate their side too).
 */

export interface HelloMessage {
  type: 'hello';
  name: string;
  version?: string;
}

export interface ResponseEnvelope {
  id: number;
  error?: string;
}

export interface SearchResponse {
  id: number;
  results: { qid: string; hits: { docid: string; score: number }[] }[];
}

export interface RerankResponse {
  id: number;
  scores: number[];
  tokens?: number;
  searchUnits?: number;
}

export interface RouteDecisionMessage {
  route: string | null;
  candidate?: string;
  score?: number;
  cost?: number;
}

interface Messages {
  hello: HelloMessage;
  response: ResponseEnvelope;
  searchResponse: SearchResponse;
  rerankResponse: RerankResponse;
  routeDecision: RouteDecisionMessage;
  routeResponse: RouteDecisionMessage & { id: number };
}

export type MessageKind = keyof Messages;

/** The first way `value` breaks the message's schema, as "field 'results[0].hits[2].score' must be number". */
export function messageProblem(kind: MessageKind, value: unknown): string | undefined {
  const problem = schemaProblem('command-messages', value, kind);
  if (!problem) return undefined;
  return problem.field ? `field '${problem.field}' ${problem.message}` : `the message ${problem.message}`;
}

/** Throws an Error saying what is wrong unless `value` is a valid message of that kind. */
export function assertMessage<K extends MessageKind>(kind: K, value: unknown): asserts value is Messages[K] {
  const problem = messageProblem(kind, value);
  if (problem !== undefined) throw new Error(problem);
}
