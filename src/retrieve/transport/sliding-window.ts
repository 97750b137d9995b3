/**
 * What was spent against one limit during the last window (a minute): the strictest way a provider counts a
 * per-minute limit. Whatever fits it also fits a token bucket of a minute's worth that refills continuously
 * (OpenAI's description), so pacing to it is safe against either. Entries are kept in time order: each is
 * added now, and moved to now when its answer arrives (the server admitted it at the latest then), so a
 * server that counts from admission never sees one expire here before it expires there.
 */
export interface Spend {
  at: number;
  amount: number;
  /** Sent and not answered yet: the server may admit it at any moment, so it never expires here. */
  open?: boolean;
}

export class SlidingWindow {
  private entries: Spend[] = [];
  private total = 0;

  constructor(readonly windowMs: number) {}

  /** What the last window holds at `now`. */
  spent(now: number): number {
    this.expire(now);
    return this.total;
  }

  /** Records `amount` spent now; an open entry (a request in flight) is settled when its answer comes. */
  add(amount: number, now: number, open = true): Spend {
    this.expire(now);
    const entry: Spend = { at: now, amount, open };
    this.entries.push(entry);
    this.total += amount;
    return entry;
  }

  /** The entry's answer arrived: it counts from now, at the amount billed. */
  settle(entry: Spend, amount: number, now: number): void {
    const position = this.entries.indexOf(entry);
    if (position < 0) return;
    this.entries.splice(position, 1);
    this.total -= entry.amount;
    entry.at = now;
    entry.amount = amount;
    entry.open = false;
    this.entries.push(entry);
    this.total += amount;
  }

  /** The entry was never counted by the server (refused before admission). */
  remove(entry: Spend): void {
    const position = this.entries.indexOf(entry);
    if (position < 0) return;
    this.entries.splice(position, 1);
    this.total -= entry.amount;
  }

  /**
   * Milliseconds until `amount` more fits under `budget`. An amount over the whole budget waits for an
   * empty window (it then goes alone), so nothing waits forever.
   */
  waitFor(amount: number, budget: number, now: number): number {
    this.expire(now);
    const allowed = Math.max(0, budget - Math.min(amount, budget));
    let excess = this.total - allowed;
    if (excess <= 0) return 0;
    for (const entry of this.entries) {
      excess -= entry.amount;
      if (excess <= 1e-9) return Math.max(0, entry.at + this.windowMs - now);
    }
    return this.windowMs;
  }

  private expire(now: number): void {
    let drop = 0;
    const stillOpen: Spend[] = [];
    while (drop < this.entries.length && (this.entries[drop] as Spend).at <= now - this.windowMs) {
      const entry = this.entries[drop] as Spend;
      if (entry.open) {
        // A minute without an answer (a slow server, a busy machine): it still counts, from now.
        entry.at = now;
        stillOpen.push(entry);
      } else {
        this.total -= entry.amount;
      }
      drop++;
    }
    if (drop > 0) this.entries.splice(0, drop);
    this.entries.push(...stillOpen);
    if (this.entries.length === 0) this.total = 0;
  }
}
