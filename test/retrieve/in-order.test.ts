import { describe, expect, it } from 'vitest';
import { inOrder } from '../../src/retrieve/transport/in-order.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inOrder', () => {
  it('yields results in item order with at most `limit` calls running', async () => {
    let running = 0;
    let most = 0;
    const out: number[] = [];
    for await (const value of inOrder([5, 1, 4, 2, 3, 1], 3, async (ms) => {
      running++;
      most = Math.max(most, running);
      await tick(ms);
      running--;
      return ms;
    })) {
      out.push(value);
    }
    expect(out).toEqual([5, 1, 4, 2, 3, 1]);
    expect(most).toBe(3);
  });

  it('refills a slot as soon as any call ends, not only the awaited one', async () => {
    const log: string[] = [];
    const order: number[] = [];
    // Item 1 holds its slot until item 3 has ended: items 2 and 3 must share the second slot meanwhile.
    // Promises, not timers, so a busy machine cannot reorder the ends.
    let releaseFirst = () => {};
    const first = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    for await (const n of inOrder([1, 2, 3, 4], 2, async (n) => {
      log.push(`start ${n}`);
      await (n === 1 ? first : Promise.resolve());
      log.push(`end ${n}`);
      if (n === 3) releaseFirst();
      return n;
    })) {
      order.push(n);
    }
    expect(order).toEqual([1, 2, 3, 4]);
    expect(log.slice(0, 5)).toEqual(['start 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('surfaces a failure at its turn, starts nothing after it and waits for calls still running', async () => {
    const started: number[] = [];
    let settled = 0;
    const seen: number[] = [];
    const run = async () => {
      for await (const value of inOrder([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        await tick(n === 2 ? 1 : 5);
        settled++;
        if (n === 2) throw new Error('batch 2 failed');
        return n;
      })) {
        seen.push(value);
      }
    };
    await expect(run()).rejects.toThrow('batch 2 failed');
    expect(seen).toEqual([1]);
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(started.length);
  });
});
