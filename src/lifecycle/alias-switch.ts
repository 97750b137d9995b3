import { ToolError } from '../errors.js';
import type { IndexStore } from './index-store.js';

/** Where an alias ended after a switch was attempted, as read back from the store. */
export type SwitchState =
  /** On the new target (verified). */
  | 'switched'
  /** Still on the old target: nothing changed. */
  | 'unchanged'
  /** It was found missing and was pointed back at the old target. */
  | 'restored'
  /** On a third index: something else switched it meanwhile. */
  | 'elsewhere'
  /** The alias could not be read back, or is missing and could not be restored. */
  | 'unknown';

export interface SwitchResult {
  state: SwitchState;
  /** The alias's target as last read (null when it could not be read or is missing). */
  target: string | null;
  /** What happened, in words: printed and recorded. */
  detail: string;
}

/**
 * Switches `alias` from `from` to `to` and reads it back: the only way to know where it ended, since the
 * request may fail after taking effect (its answer lost), and Qdrant reassigns an alias without complaint.
 * An alias found missing is pointed back at `from` at once: it is never left dangling if that can be helped.
 * Only the tool's own errors (a service that failed, bad input) are caught: anything else is a bug.
 */
export async function switchVerified(
  store: IndexStore,
  alias: string,
  from: string,
  to: string,
): Promise<SwitchResult> {
  let failure: string | undefined;
  try {
    await store.switchAlias(alias, to);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    failure = error.message;
  }
  const read = await readAlias(store, alias);
  if ('error' in read) {
    return {
      state: 'unknown',
      target: null,
      detail: `${failure ? `the switch failed (${failure}) and ` : 'the switch was sent but '}reading alias ${alias} back failed (${read.error}): where it points is unknown; check with \`migrate status\``,
    };
  }
  const { target } = read;
  if (target === to) {
    return {
      state: 'switched',
      target,
      detail: failure
        ? `alias ${alias} → ${to} (verified): the switch took effect though its answer was lost (${failure})`
        : `alias ${alias} → ${to} (verified by reading it back)`,
    };
  }
  if (target === from) {
    return {
      state: 'unchanged',
      target,
      detail: failure
        ? `the switch failed (${failure}); alias ${alias} still points at ${from} (verified): nothing changed`
        : `the store accepted the switch but alias ${alias} still points at ${from}: nothing changed`,
    };
  }
  if (target === undefined) return restore(store, alias, from, failure);
  return {
    state: 'elsewhere',
    target,
    detail: `alias ${alias} points at ${target}, neither ${from} nor ${to}: something else switched it meanwhile; nothing was undone`,
  };
}

async function restore(
  store: IndexStore,
  alias: string,
  from: string,
  failure: string | undefined,
): Promise<SwitchResult> {
  const why = `alias ${alias} was missing after the switch${failure ? ` (which failed: ${failure})` : ''}`;
  try {
    await store.switchAlias(alias, from);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
  }
  const read = await readAlias(store, alias);
  if (!('error' in read) && read.target === from) {
    return { state: 'restored', target: from, detail: `${why}; it was pointed back at ${from} (verified)` };
  }
  return {
    state: 'unknown',
    target: 'error' in read ? null : (read.target ?? null),
    detail: `${why} and pointing it back at ${from} could not be verified (${'error' in read ? read.error : `it points at ${read.target ?? 'nothing'}`}): fix it by hand, then check with \`migrate status\``,
  };
}

async function readAlias(
  store: IndexStore,
  alias: string,
): Promise<{ target: string | undefined } | { error: string }> {
  try {
    return { target: (await store.aliases()).get(alias) };
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    return { error: error.message };
  }
}
