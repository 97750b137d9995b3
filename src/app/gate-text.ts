import { gateText } from '../report/gate-text.js';
import { type GateOptions, type GateOutcome, gateResults } from './gate.js';

/** What `retrieval-gate gate` shows: the gate's outcome, and its verdict as text for the terminal. */
export interface GateWithText extends GateOutcome {
  text: string;
}

export async function gateWithText(options: GateOptions): Promise<GateWithText> {
  const outcome = await gateResults(options);
  return { ...outcome, text: gateText(outcome.verdict) };
}
