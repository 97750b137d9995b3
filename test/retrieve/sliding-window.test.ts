import { describe, expect, it } from 'vitest';
import { type Permit, UpstreamLimiter } from '../../src/retrieve/transport/rate-limiter.js';
import { SlidingWindow } from '../../src/retrieve/transport/sliding-window.js';

describe('SlidingWindow', () => {
  it('admits within the budget over any window, and says when the oldest spend makes room', () => {
    const window = new SlidingWindow(1000);
    window.settle(window.add(600, 0), 600, 0);
    expect(window.waitFor(300, 1000, 10)).toBe(0);
    window.settle(window.add(300, 10), 300, 10);
    // 900 held: 200 more fits once the first 600 expire, at 1000.
    expect(window.waitFor(200, 1000, 500)).toBe(500);
    expect(window.spent(1000)).toBe(300);
    expect(window.waitFor(200, 1000, 1000)).toBe(0);
  });

  it('a request over the whole budget waits for an empty window, then goes alone', () => {
    const window = new SlidingWindow(1000);
    window.settle(window.add(10, 0), 10, 0);
    expect(window.waitFor(5000, 1000, 100)).toBe(900);
    expect(window.waitFor(5000, 1000, 1000)).toBe(0);
  });

  it('a request still in flight never expires; answered, it counts from its answer', () => {
    const window = new SlidingWindow(1000);
    const open = window.add(700, 0);
    expect(window.spent(5000)).toBe(700);
    window.settle(open, 650, 5200);
    expect(window.spent(6100)).toBe(650);
    expect(window.spent(6200)).toBe(0);
  });
});

describe('UpstreamLimiter, no limit known: what a 429 teaches', () => {
  const WINDOW = 60_000;
  const answered = (limiter: UpstreamLimiter, permit: Permit) =>
    limiter.release(permit, { headers: new Headers(), usedTokens: permit.tokens });
  const refused = (limiter: UpstreamLimiter, permit: Permit) =>
    limiter.release(permit, { headers: new Headers(), rateLimited: { delayMs: 10 } });

  it('a lone 429 after a quiet spend slows it for a moment but sets no budget', async () => {
    let now = 0;
    const limiter = new UpstreamLimiter({ concurrency: 2, windowMs: WINDOW }, () => now);
    answered(limiter, await limiter.acquire(500));
    now = 1_000;
    refused(limiter, await limiter.acquire(500));
    expect(limiter.state().tokensPerMinute).toBeUndefined();
    expect(limiter.requestTokenCap()).toBeUndefined();
    // Long after, another lone one is a hiccup of its own.
    now = 1_000 + 2 * WINDOW;
    answered(limiter, await limiter.acquire(500));
    refused(limiter, await limiter.acquire(500));
    expect(limiter.state().tokensPerMinute).toBeUndefined();
  });

  it('a second 429 within the minute (not in the same burst) sets the budget to what the window holds', async () => {
    let now = 0;
    const limiter = new UpstreamLimiter({ concurrency: 2, windowMs: WINDOW }, () => now);
    answered(limiter, await limiter.acquire(4_000));
    now = 1_000;
    refused(limiter, await limiter.acquire(1_000));
    // The pause after the first (10 ms), then a refusal a few seconds on confirms it.
    now = 5_000;
    answered(limiter, await limiter.acquire(2_000));
    refused(limiter, await limiter.acquire(1_000));
    // 4,000 + 2,000 answered, and the first refused 1,000 (kept: a server may count what it refused).
    expect(limiter.state()).toMatchObject({ tokensPerMinute: 7_000, tokensFrom: 'estimated' });
  });
});
